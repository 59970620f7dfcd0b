import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { randomToken } from "./auth/crypto";
import { type AppEnv, intVar } from "./env";
import { GatewayError } from "./errors";

/** Every request gets a unique, URL-safe `gate-…` id, returned as `x-request-id` and used as the completion id. */
export function requestContext(): MiddlewareHandler<AppEnv> {
	return async function requestContext(c, next) {
		const gateId = `gate-${randomToken(18)}`;
		c.set("gateId", gateId);
		c.set("startedAt", Date.now());
		await next();
		c.res.headers.set("x-request-id", gateId);
		c.res.headers.set("x-content-type-options", "nosniff");
		c.res.headers.set("referrer-policy", "no-referrer");
		if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
	};
}

/** Refuses bodies over MAX_BODY_BYTES (default 10 MiB) with 413, before anything parses them. */
export function limitBody(): MiddlewareHandler<AppEnv> {
	return async function limitBody(c, next) {
		const maxSize = intVar(c.env.MAX_BODY_BYTES, 10 * 1024 * 1024);
		return bodyLimit({
			maxSize,
			onError: () => {
				throw new GatewayError(
					413,
					`The request body is larger than the gateway's limit of ${maxSize} bytes.`,
					{
						code: "request_too_large",
					},
				);
			},
		})(c, next);
	};
}
