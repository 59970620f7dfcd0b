import { expect, it } from "vitest";
import { createKey, gateway } from "../worker/helpers";

// This project runs with CORS_ORIGINS=https://app.example and no ADMIN_CORS_ORIGINS (vitest.config.ts).
const preflight = (path: string, origin: string, headers = "authorization") =>
	gateway(path, {
		method: "OPTIONS",
		headers: {
			origin,
			"access-control-request-method": "POST",
			"access-control-request-headers": headers,
		},
	});

// What @anthropic-ai/sdk sends from a browser (dangerouslyAllowBrowser), besides its auth header.
const ANTHROPIC_BROWSER_HEADERS =
	"anthropic-dangerous-direct-browser-access,anthropic-version,authorization,content-type,x-stainless-arch,x-stainless-lang,x-stainless-os,x-stainless-package-version,x-stainless-retry-count,x-stainless-runtime,x-stainless-runtime-version,x-stainless-timeout";

it("answers CORS for an allowed origin on /v1, and for no other origin", async () => {
	const allowed = await preflight("/v1/chat/completions", "https://app.example");
	expect(allowed.status).toBe(204);
	expect(allowed.headers.get("access-control-allow-origin")).toBe("https://app.example");
	expect(allowed.headers.get("access-control-allow-headers")).toBe("authorization");
	// An SDK's own headers are allowed as the preflight names them: the origin is what is checked.
	const messages = await preflight("/v1/messages", "https://app.example", ANTHROPIC_BROWSER_HEADERS);
	expect(messages.status).toBe(204);
	expect(messages.headers.get("access-control-allow-origin")).toBe("https://app.example");
	expect(messages.headers.get("access-control-allow-headers")).toBe(ANTHROPIC_BROWSER_HEADERS);
	expect(messages.headers.get("vary")).toContain("Access-Control-Request-Headers");

	const other = await preflight("/v1/messages", "https://evil.example", ANTHROPIC_BROWSER_HEADERS);
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
