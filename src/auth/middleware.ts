import type { MiddlewareHandler } from "hono";
import type { AppEnv, Env } from "../env";
import { GatewayError } from "../errors";
import { secretsEqual } from "./crypto";
import type { KeyRecord } from "./key-record";
import { lookupKey } from "./lookup";

function bearer(header: string | undefined): string | null {
	if (!header) return null;
	const match = /^Bearer\s+(.+)$/i.exec(header.trim());
	return match?.[1]?.trim() || null;
}

/** Clients: `Authorization: Bearer sk-…`. Looked up by its hash; only isolate memory sees it raw. */
async function authenticate(env: Env, authorization: string | undefined): Promise<KeyRecord> {
	const key = bearer(authorization);
	if (!key) {
		throw new GatewayError(401, "Missing API key: send it as 'Authorization: Bearer sk-…'.", {
			code: "invalid_api_key",
		});
	}
	const record = key.startsWith("sk-") ? await lookupKey(env, key) : null;
	if (!record) throw new GatewayError(401, "Invalid API key.", { code: "invalid_api_key" });
	return record;
}

export function requireApiKey(): MiddlewareHandler<AppEnv> {
	return async function requireApiKey(c, next) {
		c.set("apiKey", await authenticate(c.env, c.req.header("authorization")));
		await next();
	};
}

/** Admins: `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
	return async function requireAdmin(c, next) {
		const expected = c.env.ADMIN_TOKEN;
		if (!expected) {
			throw new GatewayError(503, "The admin API is disabled: set the ADMIN_TOKEN secret.", {
				code: "admin_disabled",
			});
		}
		const token = bearer(c.req.header("authorization"));
		if (!token || !(await secretsEqual(token, expected))) {
			throw new GatewayError(401, "Invalid admin token.", { code: "invalid_admin_token" });
		}
		await next();
	};
}
