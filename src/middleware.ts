import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { randomToken } from "./auth/crypto";
import { configOf } from "./config";
import type { AppEnv } from "./env";
import { GatewayError } from "./errors";
import { completeGatewayHeaders } from "./respond";

/**
 * `gate-`, the time in milliseconds (9 base-36 digits, which sort as the time does until the year
 * 5188) and 120 random bits. Ids that grow with time make each usage row's primary-key insert land
 * at the end of the index instead of on a random page of it, which in SQLite roughly halves the CPU
 * of each row written to a large usage table (bench/RESULTS.md).
 */
export const newGateId = () => `gate-${Date.now().toString(36).padStart(9, "0")}${randomToken(15)}`;

/** Every request gets a unique, URL-safe `gate-…` id, returned as `x-request-id` and used as the completion id. */
export function requestContext(): MiddlewareHandler<AppEnv> {
	return async function requestContext(c, next) {
		const gateId = newGateId();
		c.set("gateId", gateId);
		c.set("startedAt", Date.now());
		await next();
		completeGatewayHeaders(c.res.headers, gateId);
	};
}

/**
 * Checks a body's declared length against the limit from the header alone (touching
 * `request.body` makes workerd build a stream object, which showed in the profile of every
 * request). False for a chunked body, which has no declared length and must be counted while read.
 */
function declaredLengthFits(headers: Headers, maxSize: number): boolean {
	const declared = headers.get("content-length");
	if (declared === null || headers.has("transfer-encoding")) return false;
	if (Number(declared) > maxSize) throw tooLarge(maxSize);
	return true;
}

const tooLarge = (maxSize: number) =>
	new GatewayError(413, `The request body is larger than the gateway's limit of ${maxSize} bytes.`, {
		code: "request_too_large",
	});

/** Refuses bodies over MAX_BODY_BYTES (default 10 MiB) with 413, before anything parses them. */
export function limitBody(): MiddlewareHandler<AppEnv> {
	// Built once per limit, not per request: the setting is the same for every request of an isolate.
	let built: { maxSize: number; counting: MiddlewareHandler<AppEnv> } | null = null;
	return async function limitBody(c, next) {
		const maxSize = configOf(c.env).maxBodyBytes;
		if (declaredLengthFits(c.req.raw.headers, maxSize)) return next();
		if (built?.maxSize !== maxSize) {
			const onError = (): never => {
				throw tooLarge(maxSize);
			};
			built = { maxSize, counting: bodyLimit({ maxSize, onError }) };
		}
		return built.counting(c, next);
	};
}

/**
 * CORS from a var: a comma-separated list of allowed origins, or "*". Unset means no CORS headers at
 * all, so browsers keep cross-origin pages out. /v1 reads CORS_ORIGINS, /admin ADMIN_CORS_ORIGINS:
 * off by default, and kept separate so opening the public API to a web app never opens the admin API.
 */
export function corsFrom(setting: "corsOrigins" | "adminCorsOrigins"): MiddlewareHandler<AppEnv> {
	return async function corsFromVar(c, next) {
		const allowed = configOf(c.env)[setting];
		if (!allowed) return next();
		return cors({
			origin: (origin) => (allowed.includes("*") ? "*" : allowed.includes(origin) ? origin : null),
			// No list of allowed headers: the preflight's own are allowed (with Vary), since the SDKs send
			// headers of their own (OpenAI's and Anthropic's x-stainless-*, Anthropic's key and protocol
			// headers and anthropic-dangerous-direct-browser-access); the origin is what CORS restricts.
			allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
			exposeHeaders: ["x-request-id", "retry-after", "x-aigate-token-count"],
			maxAge: 600,
		})(c, next);
	};
}
