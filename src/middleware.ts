import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
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
		// Security headers on every response: an API answer is never a page to frame, sniff or script.
		c.res.headers.set("x-content-type-options", "nosniff");
		c.res.headers.set("referrer-policy", "no-referrer");
		c.res.headers.set("x-frame-options", "DENY");
		c.res.headers.set("strict-transport-security", "max-age=31536000; includeSubDomains");
		if (!c.res.headers.has("content-security-policy")) {
			c.res.headers.set("content-security-policy", "default-src 'none'; frame-ancestors 'none'");
		}
		if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
	};
}

/** Refuses bodies over MAX_BODY_BYTES (default 10 MiB) with 413, before anything parses them. */
export function limitBody(): MiddlewareHandler<AppEnv> {
	// Built once per limit, not per request: the setting is the same for every request of an isolate.
	let built: { maxSize: number; tooLarge: () => never; counting: MiddlewareHandler<AppEnv> } | null = null;
	return async function limitBody(c, next) {
		const maxSize = intVar(c.env.MAX_BODY_BYTES, 10 * 1024 * 1024);
		if (built?.maxSize !== maxSize) {
			const message = `The request body is larger than the gateway's limit of ${maxSize} bytes.`;
			const tooLarge = (): never => {
				throw new GatewayError(413, message, { code: "request_too_large" });
			};
			built = { maxSize, tooLarge, counting: bodyLimit({ maxSize, onError: tooLarge }) };
		}
		// A declared length is checked from the header alone: touching `request.body` makes workerd
		// build a stream object, which showed in the profile of every request.
		const headers = c.req.raw.headers;
		const declared = headers.get("content-length");
		if (declared !== null && !headers.has("transfer-encoding")) {
			if (Number(declared) > maxSize) built.tooLarge();
			return next();
		}
		// Chunked: counted while read.
		return built.counting(c, next);
	};
}

/**
 * CORS from a var: a comma-separated list of allowed origins, or "*". Unset means no CORS headers at
 * all, so browsers keep cross-origin pages out. /v1 reads CORS_ORIGINS, /admin ADMIN_CORS_ORIGINS:
 * off by default, and kept separate so opening the public API to a web app never opens the admin API.
 */
export function corsFrom(varName: "CORS_ORIGINS" | "ADMIN_CORS_ORIGINS"): MiddlewareHandler<AppEnv> {
	return async function corsFromVar(c, next) {
		const setting = (c.env[varName] ?? "").trim();
		if (!setting) return next();
		const allowed = setting.split(",").map((origin) => origin.trim());
		return cors({
			origin: (origin) => (allowed.includes("*") ? "*" : allowed.includes(origin) ? origin : null),
			allowHeaders: ["authorization", "content-type"],
			allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
			exposeHeaders: ["x-request-id", "retry-after"],
			maxAge: 600,
		})(c, next);
	};
}
