import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { app } from "../../src/app";
import type { Env } from "../../src/env";
import { isHotPath } from "../../src/hot-path";
import worker from "../../src/index";
import { createKey, putModel, uniqueModelId } from "./helpers";

/**
 * POST /v1/chat/completions is served around the router (src/hot-path.ts). Each request below is
 * sent both ways — the Worker's fetch, which takes the hot path, and the router alone — and must get
 * the same answer: status, headers and body, but for the request's own id.
 */

const ORIGIN = "http://gateway.test";
let key: string;
let keyId: string;
let model: string;

beforeAll(async () => {
	model = uniqueModelId("openai", "hot");
	await putModel(model, { provider: "openai", upstream_model: "text" });
	({ key, id: keyId } = await createKey(undefined, "hot path"));
});

type Fetch = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

async function send(fetcher: Fetch, init: RequestInit, bindings: Env = env as Env) {
	const ctx = createExecutionContext();
	const res = await fetcher(
		new Request(`${ORIGIN}/v1/chat/completions`, { method: "POST", ...init }),
		bindings,
		ctx,
	);
	const gateId = res.headers.get("x-request-id") ?? "";
	const text = (await res.text()).replaceAll(gateId, "<gate id>");
	await waitOnExecutionContext(ctx);
	const headers = Object.fromEntries([...res.headers].filter(([name]) => name !== "x-request-id"));
	const body = JSON.parse(text) as { created?: unknown };
	// The second the request started: two requests may straddle a second boundary.
	const created = body.created;
	if (typeof created === "number") body.created = "<second>";
	return { status: res.status, gateId, headers, body, created };
}

const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
	headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers },
	body: typeof body === "string" ? body : JSON.stringify(body),
});

describe("the hot path answers as the router does", () => {
	const cases: Array<[string, () => RequestInit, number]> = [
		["a completion", () => post({ model, messages: [{ role: "user", content: "Say hello" }] }), 200],
		["no API key", () => ({ body: "{}" }), 401],
		["an unknown API key", () => post({}, { authorization: "Bearer sk-not-a-key" }), 401],
		["a body over MAX_BODY_BYTES", () => post("x".repeat(1_048_577)), 413],
		["a body that is not JSON", () => post("{nope"), 400],
		["an invalid field", () => post({ model, messages: "hi" }), 400],
		[
			"an unknown model",
			() => post({ model: "openai/none", messages: [{ role: "user", content: "Say hello" }] }),
			404,
		],
	];
	for (const [name, init, status] of cases) {
		it(name, async () => {
			const hot = await send(worker.fetch, init());
			const routed = await send(app.fetch, init());
			expect(hot.status).toBe(status);
			expect(hot.gateId).toMatch(/^gate-[0-9a-z]{9}[A-Za-z0-9_-]{20}$/);
			expect(hot).toEqual({ ...routed, gateId: hot.gateId, created: hot.created });
			if (typeof hot.created === "number") {
				expect(Math.abs(hot.created - Number(routed.created))).toBeLessThanOrEqual(1);
			}
			expect(hot.headers).toMatchObject({
				"x-content-type-options": "nosniff",
				"referrer-policy": "no-referrer",
				"x-frame-options": "DENY",
				"strict-transport-security": "max-age=31536000; includeSubDomains",
				"content-security-policy": "default-src 'none'; frame-ancestors 'none'",
				"cache-control": "no-store",
				"content-type": "application/json",
			});
		});
	}
});

describe("which requests take the hot path", () => {
	const request = (url: string, method = "POST") => new Request(url, { method });
	it("POST to exactly /v1/chat/completions, with or without a query", () => {
		expect(isHotPath(request(`${ORIGIN}/v1/chat/completions`), env as Env)).toBe(true);
		expect(isHotPath(request(`${ORIGIN}/v1/chat/completions?x=1`), env as Env)).toBe(true);
	});
	it("nothing else: other methods and paths, encoded paths, CORS turned on", () => {
		expect(isHotPath(request(`${ORIGIN}/v1/chat/completions`, "GET"), env as Env)).toBe(false);
		expect(isHotPath(request(`${ORIGIN}/v1/chat/completions/`), env as Env)).toBe(false);
		expect(isHotPath(request(`${ORIGIN}/v1/chat/completionsx`), env as Env)).toBe(false);
		expect(isHotPath(request(`${ORIGIN}/v1/chat/%63ompletions`), env as Env)).toBe(false);
		expect(isHotPath(request(`${ORIGIN}/x/v1/chat/completions`), env as Env)).toBe(false);
		expect(isHotPath(request(`${ORIGIN}/v1/chat/completions`), { ...env, CORS_ORIGINS: "*" } as Env)).toBe(
			false,
		);
	});
});

describe("LOG_REQUESTS", () => {
	afterEach(() => {
		vi.restoreAllMocks();
	});

	it("off by default: a chat request prints nothing", async () => {
		const log = vi.spyOn(console, "log").mockImplementation(() => {});
		const res = await send(worker.fetch, post({ model, messages: [{ role: "user", content: "Say hello" }] }));
		expect(res.status).toBe(200);
		expect(log).not.toHaveBeenCalled();
	});

	it("on: one line per request with ids, numbers and codes, and no content or secrets", async () => {
		const log = vi.spyOn(console, "log").mockImplementation(() => {});
		const bindings = { ...env, LOG_REQUESTS: "on" } as Env;
		const ok = await send(
			worker.fetch,
			post({ model, messages: [{ role: "user", content: "Say hello" }] }),
			bindings,
		);
		const refused = await send(worker.fetch, post("{nope"), bindings);
		const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
		expect(lines).toEqual([
			{
				gate_id: ok.gateId,
				key_id: keyId,
				model,
				provider: "openai",
				status: 200,
				outcome: "ok",
				error_code: null,
				streamed: false,
				latency_ms: expect.any(Number),
				prompt_tokens: 19,
				completion_tokens: 10,
				cost_usd: expect.any(Number),
				created_at: expect.any(Number),
				attempts: 1,
			},
			{
				gate_id: refused.gateId,
				key_id: keyId,
				model: "",
				provider: null,
				status: 400,
				outcome: "rejected",
				error_code: "invalid_json",
				streamed: false,
				latency_ms: expect.any(Number),
				prompt_tokens: 0,
				completion_tokens: 0,
				cost_usd: 0,
				created_at: expect.any(Number),
				attempts: 0,
			},
		]);
		const printed = log.mock.calls.join("\n");
		for (const secret of [key, "sk-upstream-openai-SECRET", "Say hello", "127.0.0.1"])
			expect(printed).not.toContain(secret);
	});
});
