import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { configOf } from "../../../src/config";
import type { Env } from "../../../src/env";
import worker from "../../../src/index";
import { createKey } from "../helpers";

/** The gateway under test with some vars replaced: a fresh env object is a fresh configuration. */
async function send(overrides: Record<string, string>, path: string, init: RequestInit = {}) {
	const ctx = createExecutionContext();
	const res = await worker.fetch(
		new Request(`http://gateway.test${path}`, init),
		{ ...env, ...overrides } as Env,
		ctx,
	);
	await waitOnExecutionContext(ctx);
	return res;
}

describe("settings, parsed once", () => {
	it("reads defaults and the given values into one typed config", () => {
		const config = configOf({
			...env,
			MAX_BODY_BYTES: "2048",
			ON_CLIENT_DISCONNECT: "drain",
			CORS_ORIGINS: " https://a.example , https://b.example",
		} as Env);
		expect(config.maxBodyBytes).toBe(2048);
		expect(config.drainOnDisconnect).toBe(true);
		expect(config.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
		const defaults = configOf({ DB: env.DB } as unknown as Env);
		expect(defaults.upstream).toEqual({
			firstByteTimeoutMs: 60_000,
			idleTimeoutMs: 120_000,
			maxRetries: 2,
			maxRetryWaitMs: 2_000,
			backoffBaseMs: 200,
		});
		expect(defaults.baseUrls.openai).toBe("https://api.openai.com/v1");
		expect(defaults.corsOrigins).toBeNull();
	});

	it.each([
		["MAX_BODY_BYTES", "abc", "MAX_BODY_BYTES must be a whole number of at least 1, not 'abc'"],
		["UPSTREAM_MAX_RETRIES", "-1", "UPSTREAM_MAX_RETRIES must be a whole number of at least 0, not '-1'"],
		["ON_CLIENT_DISCONNECT", "later", "ON_CLIENT_DISCONNECT must be one of abort, drain, not 'later'"],
		["LOG_REQUESTS", "yes", "LOG_REQUESTS must be one of on, off, not 'yes'"],
		["PROVIDERS", "[{", "PROVIDERS is not valid JSON"],
		[
			"PROVIDERS",
			'[{"name":"x","protocol":"smtp","base_url":"https://x.example","key_secret":"X"}]',
			"PROVIDERS does not match the documented shape at [0].[protocol]",
		],
	])(
		"answers every request with a 500 configuration_error naming %s=%s, logged once",
		async (name, value, detail) => {
			const { key } = await createKey();
			const errors = vi.spyOn(console, "error").mockImplementation(() => {});
			const settings = { ...env, [name]: value } as Env;
			const answers: Response[] = [];
			for (let i = 0; i < 2; i++) {
				const ctx = createExecutionContext();
				answers.push(
					await worker.fetch(
						new Request("http://gateway.test/v1/chat/completions", {
							method: "POST",
							headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
							body: JSON.stringify({
								model: "openai/gpt-4o-mini",
								messages: [{ role: "user", content: "hi" }],
							}),
						}),
						settings,
						ctx,
					),
				);
				await waitOnExecutionContext(ctx);
			}
			for (const res of answers) {
				expect(res.status).toBe(500);
				const body = (await res.json()) as {
					error: { message: string; type: string; param: string; code: string };
				};
				expect(body.error.type).toBe("server_error");
				expect(body.error.code).toBe("configuration_error");
				expect(body.error.param).toBe(name);
				expect(body.error.message).toContain(`The gateway is misconfigured: ${detail}`);
			}
			const logged = errors.mock.calls.filter(([line]) => String(line).includes(name));
			errors.mockRestore();
			expect(logged).toHaveLength(1);
		},
	);

	it("keeps the admin API and the rest answering the same error, never a crash", async () => {
		const res = await send({ MAX_BODY_BYTES: "abc" }, "/v1/models");
		expect(res.status).toBe(500);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("configuration_error");
	});
});
