import { expect, it } from "vitest";
import { createKey, gateway } from "../worker/helpers";

// This project runs with CORS_ORIGINS=https://app.example and no ADMIN_CORS_ORIGINS (vitest.config.ts).
const preflight = (path: string, origin: string) =>
	gateway(path, {
		method: "OPTIONS",
		headers: {
			origin,
			"access-control-request-method": "POST",
			"access-control-request-headers": "authorization",
		},
	});

it("answers CORS for an allowed origin on /v1, and for no other origin", async () => {
	const allowed = await preflight("/v1/chat/completions", "https://app.example");
	expect(allowed.status).toBe(204);
	expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
	expect(allowed.headers.get("access-control-allow-headers")).toBe(
		"authorization,content-type,x-api-key,anthropic-version,anthropic-beta,x-aigate-fallbacks",
	);
	// Anthropic's SDKs in a browser: the Messages API answers the same preflight.
	const messages = await preflight("/v1/messages", "https://app.example");
	expect(messages.status).toBe(204);
	expect(messages.headers.get("access-control-allow-origin")).toBe("https://app.example");

	const other = await preflight("/v1/chat/completions", "https://evil.example");
	expect(other.headers.get("access-control-allow-origin")).toBeNull();

	const { key } = await createKey();
	const list = await gateway("/v1/models", {
		headers: { origin: "https://app.example", authorization: `Bearer ${key}` },
	});
	expect(list.headers.get("access-control-allow-origin")).toBe("https://app.example");
	expect(list.headers.get("access-control-expose-headers")).toBe(
		"x-request-id,retry-after,x-aigate-token-count",
	);
});

it("keeps /admin closed to browsers unless ADMIN_CORS_ORIGINS names them", async () => {
	const res = await preflight("/admin/keys", "https://app.example");
	expect(res.headers.get("access-control-allow-origin")).toBeNull();
});
