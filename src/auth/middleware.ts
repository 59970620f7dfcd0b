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
async function authenticate(env: Env, key: string | null, howToSend: string): Promise<KeyRecord> {
	if (!key) {
		throw new GatewayError(401, `Missing API key: send it as ${howToSend}.`, {
			code: "invalid_api_key",
		});
	}
	const record = key.startsWith("sk-") ? await lookupKey(env, key) : null;
	if (!record) throw new GatewayError(401, "Invalid API key.", { code: "invalid_api_key" });
	return record;
}

/**
 * `xApiKey`: also take the key from `x-api-key`, Anthropic's own header (sent by its 0.x SDKs and
 * raw clients; Claude Code and the 1.x SDKs send a Bearer token); a Bearer token wins when both are there.
 */
export function requireApiKey(options: { xApiKey?: boolean } = {}): MiddlewareHandler<AppEnv> {
	const howToSend = options.xApiKey
		? "'x-api-key: sk-…' or 'Authorization: Bearer sk-…'"
		: "'Authorization: Bearer sk-…'";
	return async function requireApiKey(c, next) {
		let key = bearer(c.req.header("authorization"));
		if (!key && options.xApiKey) key = c.req.header("x-api-key")?.trim() || null;
		c.set("apiKey", await authenticate(c.env, key, howToSend));
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
