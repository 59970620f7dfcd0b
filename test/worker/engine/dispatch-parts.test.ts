import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KeyRecord } from "../../../src/auth/key-record";
import { upsertModel } from "../../../src/catalog/models";
import { type Dispatched, type DispatchSettings, dispatch } from "../../../src/engine/dispatch";
import type { EngineRequest } from "../../../src/engine/request";

/**
 * dispatch() of a request sent in parts (Gemini embeddings: 100 texts a batchEmbedContents call),
 * with Gemini's base URL pointed at a made-up host whose answers are a script: each call is answered
 * by `reply(texts, call number)`. Checks the split, the order of the bodies handed back, a part
 * retried on its own, a part failing for good stopping the rest, and a client leaving.
 */

const UPSTREAM = "http://scripted-gemini.invalid";
const gatewayEnv = { ...env, GEMINI_BASE_URL: UPSTREAM, GEMINI_API_KEY: "AIza-scripted-SECRET" };

type Reply = (texts: string[], call: number, signal: AbortSignal) => Response | Promise<Response>;

const embedded: Reply = (texts) =>
	Response.json({ embeddings: texts.map((text) => ({ values: [text.length] })) });
const geminiError = (status: number, state: string) =>
	Response.json({ error: { code: status, message: `scripted ${state}`, status: state } }, { status });

let reply: Reply;
/** The texts of each call, in the order the calls were made. */
let calls: string[][];
const realFetch = globalThis.fetch;

beforeEach(() => {
	calls = [];
	reply = embedded;
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const url = input instanceof Request ? input.url : String(input);
		if (!url.startsWith(UPSTREAM)) return realFetch(input, init);
		const body = JSON.parse(String(init?.body)) as {
			requests: Array<{ content: { parts: Array<{ text: string }> } }>;
		};
		const texts = body.requests.map((r) => r.content.parts.map((p) => p.text).join(""));
		const call = calls.push(texts) - 1;
		// Answer on a later turn, so parts in flight overlap as they would over a network.
		await new Promise((resolve) => setTimeout(resolve, 1));
		return reply(texts, call, init?.signal ?? new AbortController().signal);
	});
});
afterEach(() => {
	vi.restoreAllMocks();
});

const SETTINGS: DispatchSettings = {
	firstByteTimeoutMs: 5_000,
	idleTimeoutMs: 5_000,
	maxRetries: 2,
	maxRetryWaitMs: 1_000,
	backoffBaseMs: 100,
};
const ANY_KEY: KeyRecord = { id: "key-dispatch-parts", name: "dispatch parts test", models: null };

async function embeddingsModel(): Promise<string> {
	const name = `embed-parts-${crypto.randomUUID().slice(0, 8)}`;
	await upsertModel(
		gatewayEnv,
		`google/${name}`,
		{
			provider: "google",
			upstream_model: name,
			enabled: true,
			kind: "embeddings",
			input_price: 0.15,
			output_price: 0,
		},
		Date.now(),
	);
	return `google/${name}`;
}

const texts = (count: number) => Array.from({ length: count }, (_, i) => `text number ${i}`);

async function run(
	input: string[],
	signal = new AbortController().signal,
	settings: Partial<DispatchSettings> = {},
	sleep: (ms: number) => Promise<void> = async () => {},
): Promise<Dispatched> {
	const model = await embeddingsModel();
	const request: EngineRequest = {
		model,
		stream: false,
		wants: "embeddings",
		fallbacks: undefined,
		includeUsage: false,
		canonical: () => {
			throw new Error("embeddings have no canonical form");
		},
		native: { api: "embeddings", body: { model, input }, headers: {} },
	};
	return dispatch({
		env: gatewayEnv,
		request,
		key: ANY_KEY,
		clientSignal: signal,
		settings: { ...SETTINGS, ...settings },
		sleep,
		random: () => 0.5,
	});
}

const tries = (result: Dispatched) => result.attempts.map((a) => [a.status, a.code]);

describe("dispatch of a request in parts", () => {
	it("splits 250 inputs into calls of 100, 100 and 50 and hands the bodies back in input order, listing one attempt", async () => {
		const input = texts(250);
		const result = await run(input);
		if (!result.ok) throw new Error(`expected an answer, got ${result.error.status} ${result.error.code}`);
		expect(calls.map((c) => c.length).sort((a, b) => a - b)).toEqual([50, 100, 100]);
		expect(calls.flat().sort()).toEqual([...input].sort());
		expect(result.answer.kind).toBe("json");
		const bodies = result.answer.body as Array<{ embeddings: Array<{ values: number[] }> }>;
		expect(bodies.map((b) => b.embeddings.length)).toEqual([100, 100, 50]);
		expect(bodies.flatMap((b) => b.embeddings.map((e) => e.values[0]))).toEqual(input.map((t) => t.length));
		expect(tries(result)).toEqual([[200, null]]);
	});

	it("retries a failed part on its own, not the others", async () => {
		reply = (batch, call) =>
			call === 1 ? geminiError(503, "UNAVAILABLE") : embedded(batch, call, new AbortController().signal);
		const result = await run(texts(300));
		expect(result.ok).toBe(true);
		// Three parts and one retry of the part that failed.
		expect(calls).toHaveLength(4);
		expect(tries(result)).toEqual([
			[503, "upstream_unavailable"],
			[200, null],
		]);
	});

	it("stops sending parts once one fails for good, and fails with its error", async () => {
		reply = (batch, call, signal) =>
			call === 0 ? geminiError(400, "INVALID_ARGUMENT") : embedded(batch, call, signal);
		const result = await run(texts(1_000));
		if (result.ok) throw new Error("expected a failure");
		expect(result.error.status).toBe(400);
		// Ten parts; four were in flight when the first failed, none started after it.
		expect(calls.length).toBeLessThan(10);
		expect(tries(result)).toEqual([[400, result.error.code]]);
	});

	it("ends as client_disconnected when the client leaves while parts are in flight", async () => {
		const client = new AbortController();
		reply = (_batch, _call, signal) =>
			new Promise<Response>((_, reject) => {
				// A real fetch fails once its signal aborts, also one aborted before it got here.
				if (signal.aborted) reject(signal.reason);
				signal.addEventListener("abort", () => reject(signal.reason), { once: true });
				client.abort();
			});
		const result = await run(texts(500), client.signal);
		if (result.ok) throw new Error("expected a failure");
		expect(result.error.code).toBe("client_disconnected");
		expect(calls.length).toBeLessThanOrEqual(4);
	});

	it("fails a part that never answers at the first-byte deadline, without a retry, as any call does", async () => {
		reply = (batch, call, signal) =>
			call === 1
				? new Promise<Response>((_, reject) => {
						if (signal.aborted) reject(signal.reason);
						signal.addEventListener("abort", () => reject(signal.reason), { once: true });
					})
				: embedded(batch, call, signal);
		const result = await run(texts(200), undefined, { firstByteTimeoutMs: 50 });
		if (result.ok) throw new Error("expected a failure");
		expect([result.error.status, result.error.code]).toEqual([504, "upstream_timeout"]);
		expect(calls).toHaveLength(2);
		expect(tries(result)).toEqual([[504, "upstream_timeout"]]);
	});

	it("does not wait out a part's backoff once another part has failed for good", async () => {
		reply = (batch, call, signal) => {
			if (call === 0) return geminiError(503, "UNAVAILABLE");
			if (call === 1)
				return new Promise((resolve) => setTimeout(() => resolve(geminiError(400, "INVALID_ARGUMENT")), 20));
			return embedded(batch, call, signal);
		};
		// The backoff never ends by itself: only the stop can end part 0's wait.
		const result = await run(texts(200), undefined, {}, () => new Promise<void>(() => {}));
		if (result.ok) throw new Error("expected a failure");
		expect(result.error.status).toBe(400);
		expect(calls).toHaveLength(2);
	});

	it("reports what the answered parts cost when another part fails for good (the upstream bills them)", async () => {
		reply = (batch, call, signal) =>
			call === 3
				? new Promise((resolve) => setTimeout(() => resolve(geminiError(400, "INVALID_ARGUMENT")), 20))
				: embedded(batch, call, signal);
		const result = await run(texts(400));
		if (result.ok) throw new Error("expected a failure");
		expect(result.error.status).toBe(400);
		// Calls 0–2 answered: 300 texts of 13–15 characters, 4 tokens each (estimated).
		expect(result.spent).toEqual({ prompt_tokens: 1200, completion_tokens: 0, total_tokens: 1200 });
	});

	it("reports nothing spent when no part was answered", async () => {
		reply = () => geminiError(400, "INVALID_ARGUMENT");
		const result = await run(texts(50));
		if (result.ok) throw new Error("expected a failure");
		expect(result.spent).toBeNull();
	});
});
