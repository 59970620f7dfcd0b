import { env } from "cloudflare:workers";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KeyRecord } from "../../../src/auth/key-record";
import { upsertModel } from "../../../src/catalog/models";
import { type Dispatched, type DispatchSettings, dispatch } from "../../../src/engine/dispatch";
import type { EngineRequest } from "../../../src/engine/request";
import type { ChatRequest } from "../../../src/schemas/chat-request";

/**
 * dispatch() driven directly: real local D1 for the catalog, and an upstream that is a script. The
 * gateway reaches upstreams with the global fetch; here it is replaced, for one made-up host only, by
 * a function that answers each try from the script of the model it names and logs it. The `sleep`
 * hook logs every wait in the same list, so one list shows the tries and the waits in their order.
 */

const UPSTREAM = "http://scripted-upstream.invalid/v1";
const gatewayEnv = {
	...env,
	PROVIDERS: JSON.stringify([
		{ name: "scripted", protocol: "openai", base_url: UPSTREAM, key_secret: "SCRIPTED_API_KEY" },
		// Its secret is never set: a model of this provider cannot be used.
		{ name: "keyless", protocol: "openai", base_url: UPSTREAM, key_secret: "KEYLESS_API_KEY" },
	]),
	SCRIPTED_API_KEY: "sk-scripted-SECRET",
};

/** One upstream answer to one try; it gets the signal the gateway gave its fetch. */
type Reply = (signal: AbortSignal) => Response | Promise<Response>;

const completion = (text: string) => ({
	id: "chatcmpl-upstream",
	object: "chat.completion",
	created: 1_750_000_000,
	model: "upstream-model",
	choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
	usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});
const answer =
	(text = "answered"): Reply =>
	() =>
		Response.json(completion(text));
/** An error in OpenAI's body shape. */
const failure =
	(status: number, headers: Record<string, string> = {}): Reply =>
	() =>
		Response.json(
			{ error: { message: `upstream says ${status}`, type: "upstream_type", param: null, code: null } },
			{ status, headers },
		);
const htmlPage =
	(status: number): Reply =>
	() =>
		new Response("<html><body>not here</body></html>", { status, headers: { "content-type": "text/html" } });
const unreachable: Reply = () => {
	throw new TypeError("Network connection lost.");
};
/** Never answers; fails as a real fetch does once its signal aborts. */
const silent: Reply = (signal) =>
	new Promise<Response>((_, reject) => {
		if (signal.aborted) reject(signal.reason);
		signal.addEventListener("abort", () => reject(signal.reason), { once: true });
	});
/** Headers, then a body that sends `first` (if any) and then nothing, erroring like a real one on abort. */
const stalling =
	(contentType: string, first?: string): Reply =>
	(signal) =>
		new Response(
			new ReadableStream<Uint8Array>({
				start(controller) {
					if (first !== undefined) controller.enqueue(new TextEncoder().encode(first));
					signal.addEventListener("abort", () => controller.error(signal.reason), { once: true });
				},
			}),
			{ headers: { "content-type": contentType } },
		);

/** Everything that happened, in order: `try <label>` for each upstream request, `sleep <ms>` for each wait. */
let log: string[];
/** The signal each try's fetch was given, in order. */
let signals: AbortSignal[];
const scripts = new Map<string, { label: string; replies: Reply[]; tries: number }>();
const labels = new Map<string, string>();
const realFetch = globalThis.fetch;

beforeEach(() => {
	log = [];
	signals = [];
	vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
		const url = input instanceof Request ? input.url : String(input);
		if (!url.startsWith(UPSTREAM)) return realFetch(input, init);
		const body = JSON.parse(String(init?.body)) as { model: string };
		const script = scripts.get(body.model);
		if (!script) throw new Error(`no script for upstream model ${body.model}`);
		log.push(`try ${script.label}`);
		const signal = init?.signal ?? new AbortController().signal;
		signals.push(signal);
		// The last reply answers every further try.
		const reply = script.replies[Math.min(script.tries, script.replies.length - 1)];
		script.tries += 1;
		if (!reply) throw new Error(`empty script for ${script.label}`);
		return reply(signal);
	});
});
afterEach(() => {
	vi.restoreAllMocks();
});

/** A catalog model of the scripted provider (unless told otherwise) answering with `replies`; returns its id. */
async function model(
	label: string,
	replies: Reply[],
	options: { fallbacks?: string[]; enabled?: boolean; provider?: string } = {},
): Promise<string> {
	const unique = `${label}-${crypto.randomUUID().slice(0, 8)}`;
	const id = `${options.provider ?? "scripted"}/${unique}`;
	scripts.set(unique, { label, replies, tries: 0 });
	labels.set(id, label);
	await upsertModel(
		gatewayEnv,
		id,
		{
			provider: options.provider ?? "scripted",
			upstream_model: unique,
			enabled: options.enabled ?? true,
			kind: "chat",
			input_price: 1,
			output_price: 2,
			fallbacks: options.fallbacks,
		},
		Date.now(),
	);
	return id;
}

const SETTINGS: DispatchSettings = {
	firstByteTimeoutMs: 5_000,
	idleTimeoutMs: 5_000,
	maxRetries: 2,
	maxRetryWaitMs: 1_000,
	backoffBaseMs: 100,
};
const ANY_KEY: KeyRecord = { id: "key-dispatch-test", name: "dispatch test", models: null };

interface Run {
	models?: string[];
	stream?: boolean;
	settings?: Partial<DispatchSettings>;
	random?: () => number;
	key?: KeyRecord;
	signal?: AbortSignal;
	/** Called after each wait is logged (a client may leave then). */
	onSleep?: (ms: number) => void;
}

function run(modelId: string, options: Run = {}): Promise<Dispatched> {
	const canonical: ChatRequest = {
		model: modelId,
		messages: [{ role: "user", content: "hi" }],
		...(options.stream ? { stream: true } : {}),
	};
	const request: EngineRequest = {
		model: modelId,
		stream: options.stream === true,
		fallbacks: options.models,
		includeUsage: false,
		canonical: () => canonical,
	};
	return dispatch({
		env: gatewayEnv,
		request,
		key: options.key ?? ANY_KEY,
		clientSignal: options.signal ?? new AbortController().signal,
		settings: { ...SETTINGS, ...options.settings },
		sleep: async (ms) => {
			log.push(`sleep ${ms}`);
			options.onSleep?.(ms);
		},
		random: options.random ?? (() => 0.5),
	});
}

/** The tries as [label, status, code], with "skipped" appended for a fallback that was passed over. */
const tries = (result: Dispatched) =>
	result.attempts.map((a) => {
		const row: Array<string | number | null> = [labels.get(a.model) ?? a.model, a.status, a.code];
		if (a.skipped) row.push("skipped");
		return row;
	});

function failed(result: Dispatched) {
	if (result.ok) throw new Error(`expected a failure, got an answer from ${result.target.model.id}`);
	return result;
}
function answered(result: Dispatched) {
	if (!result.ok) throw new Error(`expected an answer, got ${result.error.status} ${result.error.code}`);
	return result;
}

/** Just under 1: what Math.random can return at most. */
const ALMOST_ONE = 1 - 2 ** -53;

describe("retries on one model", () => {
	it("retries a 5xx after a full-jitter backoff and lists every try in order", async () => {
		const a = await model("A", [failure(500), failure(503), answer("third time")]);
		const result = answered(await run(a, { random: () => 0.5 }));
		expect(log).toEqual(["try A", "sleep 50", "try A", "sleep 100", "try A"]);
		expect(tries(result)).toEqual([
			["A", 502, "upstream_error"],
			["A", 503, "upstream_error"],
			["A", 200, null],
		]);
		expect(result.answer).toEqual({ kind: "json", body: completion("third time") });
		expect(result.target.model.id).toBe(a);
		for (const attempt of result.attempts) {
			expect(attempt.ms).toBeGreaterThanOrEqual(0);
			expect(attempt).not.toHaveProperty("skipped");
		}
	});

	it("makes maxRetries + 1 tries with a wait between each two, then returns the last error", async () => {
		for (const maxRetries of [0, 1, 3]) {
			log = [];
			const a = await model("A", [failure(500), failure(500), failure(500), failure(504)]);
			const result = failed(await run(a, { settings: { maxRetries }, random: () => 0 }));
			const expected = ["try A"];
			for (let i = 0; i < maxRetries; i++) expected.push("sleep 0", "try A");
			expect(log, `maxRetries ${maxRetries}`).toEqual(expected);
			expect(result.attempts).toHaveLength(maxRetries + 1);
			expect(result.error.status).toBe(maxRetries === 3 ? 504 : 502);
			expect(result.target?.model.id).toBe(a);
		}
	});

	it("retries a network failure, an answer that is not JSON, and a stream answer that is not an event stream", async () => {
		const a = await model("A", [unreachable, htmlPage(200), answer()]);
		expect(tries(answered(await run(a)))).toEqual([
			["A", 502, "upstream_unreachable"],
			["A", 502, "upstream_bad_response"],
			["A", 200, null],
		]);

		let cancelled = false;
		const jsonInsteadOfStream: Reply = () =>
			new Response(
				new ReadableStream({
					cancel() {
						cancelled = true;
					},
				}),
				{ headers: { "content-type": "application/json" } },
			);
		const s = await model("S", [jsonInsteadOfStream, stalling("text/event-stream", "data: {}\n\n")]);
		const result = answered(await run(s, { stream: true }));
		expect(tries(result)).toEqual([
			["S", 502, "upstream_bad_response"],
			["S", 200, null],
		]);
		expect(result.answer.kind).toBe("stream");
		expect(cancelled, "the refused body is cancelled, not left open").toBe(true);
	});

	it("hands a stream over with the first-byte deadline cleared: a slow stream is not cut by it", async () => {
		const a = await model("A", [stalling("text/event-stream", "data: {}\n\n")]);
		const result = answered(await run(a, { stream: true, settings: { firstByteTimeoutMs: 20 } }));
		if (result.answer.kind !== "stream") throw new Error("expected a stream");
		await new Promise((resolve) => setTimeout(resolve, 80));
		expect(signals[0]?.aborted).toBe(false);
		const reader = result.answer.body.getReader();
		expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: {}\n\n");
		await reader.cancel();
	});
});

describe("backoff waits", () => {
	it("random = 0 never waits; random just under 1 waits the whole step, doubling up to maxRetryWaitMs", async () => {
		const settings = { maxRetries: 4, backoffBaseMs: 100, maxRetryWaitMs: 250 };
		const cases: Array<[number, number[]]> = [
			[0, [0, 0, 0, 0]],
			[ALMOST_ONE, [100, 200, 250, 250]],
			[1, [100, 200, 250, 250]],
			[0.5, [50, 100, 125, 125]],
		];
		for (const [draw, waits] of cases) {
			log = [];
			const a = await model("A", [failure(500)]);
			failed(await run(a, { settings, random: () => draw }));
			expect(
				log.filter((entry) => entry.startsWith("sleep")),
				`random ${draw}`,
			).toEqual(waits.map((ms) => `sleep ${ms}`));
		}
	});

	it("every wait is a whole number of ms within [0, min(maxRetryWaitMs, base·2^retry)], in proportion to its draw", async () => {
		const a = await model("A", [failure(503)]);
		await fc.assert(
			fc.asyncProperty(
				fc.integer({ min: 0, max: 5 }),
				fc.integer({ min: 1, max: 5_000 }),
				fc.integer({ min: 1, max: 20_000 }),
				fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
					minLength: 5,
					maxLength: 5,
				}),
				async (maxRetries, backoffBaseMs, maxRetryWaitMs, draws) => {
					log = [];
					let drawn = 0;
					const random = () => draws[drawn++] ?? Number.NaN;
					failed(await run(a, { settings: { maxRetries, backoffBaseMs, maxRetryWaitMs }, random }));
					const waits = log.filter((e) => e.startsWith("sleep")).map((e) => Number(e.slice(6)));
					// No number is drawn after the last try: nothing is waited for then.
					expect(drawn).toBe(maxRetries);
					expect(waits).toHaveLength(maxRetries);
					waits.forEach((wait, retry) => {
						const cap = Math.min(maxRetryWaitMs, backoffBaseMs * 2 ** retry);
						expect(Number.isInteger(wait)).toBe(true);
						expect(wait).toBeGreaterThanOrEqual(0);
						expect(wait).toBeLessThanOrEqual(cap);
						expect(Math.abs(wait - (draws[retry] ?? 0) * cap)).toBeLessThanOrEqual(0.5);
					});
				},
			),
			{ numRuns: 40 },
		);
	});

	it("a 429 without retry-after backs off like a 5xx", async () => {
		const a = await model("A", [failure(429), answer()]);
		const result = answered(await run(a, { random: () => ALMOST_ONE }));
		expect(log).toEqual(["try A", "sleep 100", "try A"]);
		expect(tries(result)).toEqual([
			["A", 429, "rate_limit_exceeded"],
			["A", 200, null],
		]);
	});
});

describe("retry-after", () => {
	it("waits exactly the upstream's retry-after, fractions, 0 and maxRetryWaitMs itself included, with no jitter", async () => {
		for (const [header, ms] of [
			["0", 0],
			["0.25", 250],
			["1", 1000],
		] as const) {
			log = [];
			const a = await model("A", [failure(429, { "retry-after": header }), answer()]);
			const random = vi.fn(() => 0.5);
			const result = answered(await run(a, { random, settings: { maxRetryWaitMs: 1000 } }));
			expect(log, `retry-after ${header}`).toEqual(["try A", `sleep ${ms}`, "try A"]);
			expect(random).not.toHaveBeenCalled();
			expect(result.attempts).toHaveLength(2);
		}
	});

	it("does not wait out a retry-after past maxRetryWaitMs: no sleep, no retry, the next model at once", async () => {
		for (const header of ["1.001", "7"]) {
			log = [];
			const b = await model("B", [answer("from B")]);
			const a = await model("A", [failure(429, { "retry-after": header })], { fallbacks: [b] });
			const result = answered(await run(a, { settings: { maxRetryWaitMs: 1000 } }));
			expect(log, `retry-after ${header}`).toEqual(["try A", "try B"]);
			expect(tries(result)).toEqual([
				["A", 429, "rate_limit_exceeded"],
				["B", 200, null],
			]);
			expect(result.target.model.id).toBe(b);
		}
	});

	it("without a fallback, returns the 429 with its retry-after for the client", async () => {
		const a = await model("A", [failure(429, { "retry-after": "30" })]);
		const result = failed(await run(a));
		expect(log).toEqual(["try A"]);
		expect(result.error.status).toBe(429);
		expect(result.error.headers).toEqual({ "retry-after": "30" });
	});
});

describe("which failures are retried, and which fall over to the next model", () => {
	// [what the upstream does, status the gateway reports, its code, retried on the same model, falls over]
	const cases: Array<[string, Reply, number, string | null, boolean, boolean]> = [
		["400", failure(400), 400, null, false, false],
		["404", failure(404), 404, null, false, false],
		["409", failure(409), 409, null, false, false],
		["413", failure(413), 413, null, false, false],
		["422", failure(422), 422, null, false, false],
		["401", failure(401), 502, "upstream_auth_failed", false, true],
		["403", failure(403), 502, "upstream_auth_failed", false, true],
		["an HTML 404", htmlPage(404), 502, "upstream_bad_response", false, true],
		["429", failure(429), 429, "rate_limit_exceeded", true, true],
		["500", failure(500), 502, "upstream_error", true, true],
		["502", failure(502), 502, "upstream_error", true, true],
		["503", failure(503), 503, "upstream_error", true, true],
		["504", failure(504), 504, "upstream_error", true, true],
		["an HTML 500", htmlPage(500), 502, "upstream_error", true, true],
		["a network failure", unreachable, 502, "upstream_unreachable", true, true],
	];

	for (const [what, reply, status, code, retried, fallsOver] of cases) {
		it(`${what}: ${retried ? "retried" : "not retried"}, ${fallsOver ? "falls over" : "does not fall over"}`, async () => {
			const b = await model("B", [answer("from B")]);
			const a = await model("A", [reply], { fallbacks: [b] });
			const result = await run(a, { settings: { maxRetries: 1 }, random: () => 0 });
			const onA = retried ? ["try A", "sleep 0", "try A"] : ["try A"];
			expect(log).toEqual(fallsOver ? [...onA, "try B"] : onA);
			const failures = result.attempts.filter((attempt) => labels.get(attempt.model) === "A");
			expect(failures.map((f) => [f.status, f.code])).toEqual(
				onA.filter((e) => e === "try A").map(() => [status, code]),
			);
			if (fallsOver) {
				expect(answered(result).target.model.id).toBe(b);
			} else {
				const { error } = failed(result);
				expect([error.status, error.code]).toEqual([status, code]);
			}
		});
	}

	it("a first-byte timeout is not retried on the same model; the next model is tried and the late try cancelled", async () => {
		const b = await model("B", [answer("from B")]);
		const a = await model("A", [silent, answer("too late")], { fallbacks: [b] });
		const result = answered(await run(a, { settings: { firstByteTimeoutMs: 30 } }));
		expect(log).toEqual(["try A", "try B"]);
		expect(tries(result)).toEqual([
			["A", 504, "upstream_timeout"],
			["B", 200, null],
		]);
		expect(signals[0]?.aborted).toBe(true);
	});

	it("an answer that stalls mid-body is not retried on the same model (idle timeout)", async () => {
		const b = await model("B", [answer("from B")]);
		const a = await model("A", [stalling("application/json", '{"choices":'), answer()], { fallbacks: [b] });
		const result = answered(await run(a, { settings: { idleTimeoutMs: 30 } }));
		expect(log).toEqual(["try A", "try B"]);
		expect(tries(result)).toEqual([
			["A", 504, "upstream_idle_timeout"],
			["B", 200, null],
		]);
	});
});

describe("fallback order", () => {
	it("primary exhausted → first catalog fallback exhausted → second fallback", async () => {
		const c = await model("C", [answer("from C")]);
		const b = await model("B", [failure(503)]);
		const a = await model("A", [failure(500)], { fallbacks: [b, c] });
		const result = answered(await run(a, { random: () => 0 }));
		expect(log).toEqual([
			...["try A", "sleep 0", "try A", "sleep 0", "try A"],
			...["try B", "sleep 0", "try B", "sleep 0", "try B"],
			"try C",
		]);
		expect(tries(result)).toEqual([
			["A", 502, "upstream_error"],
			["A", 502, "upstream_error"],
			["A", 502, "upstream_error"],
			["B", 503, "upstream_error"],
			["B", 503, "upstream_error"],
			["B", 503, "upstream_error"],
			["C", 200, null],
		]);
		expect(result.target.model.id).toBe(c);
		expect(result.answer).toEqual({ kind: "json", body: completion("from C") });
	});

	it("the request's models replace the catalog's fallbacks, in the request's order, each model tried once", async () => {
		const d = await model("D", [answer("from D")]);
		const c = await model("C", [failure(500)]);
		const b = await model("B", [answer("from B")]);
		const a = await model("A", [failure(500)], { fallbacks: [d] });
		const result = answered(await run(a, { models: [c, a, c, b, d], settings: { maxRetries: 0 } }));
		expect(log).toEqual(["try A", "try C", "try B"]);
		expect(result.target.model.id).toBe(b);
	});

	it("an empty models list means no fallback, not the catalog's", async () => {
		const b = await model("B", [answer("from B")]);
		const a = await model("A", [failure(500)], { fallbacks: [b] });
		const result = failed(await run(a, { models: [], settings: { maxRetries: 0 } }));
		expect(log).toEqual(["try A"]);
		expect(result.error.status).toBe(502);
	});

	it("lists an unknown, disabled, forbidden or keyless fallback as skipped, sends it nothing, and goes on", async () => {
		const good = await model("G", [answer("from G")]);
		const disabled = await model("D", [answer()], { enabled: false });
		const forbidden = await model("F", [answer()]);
		const keyless = await model("K", [answer()], { provider: "keyless" });
		const a = await model("A", [failure(500)]);
		const unknown = "scripted/not-in-the-catalog";
		const key: KeyRecord = { ...ANY_KEY, models: [a, disabled, keyless, good] };
		const result = answered(
			await run(a, {
				key,
				models: [unknown, disabled, forbidden, keyless, good],
				settings: { maxRetries: 0 },
			}),
		);
		expect(log).toEqual(["try A", "try G"]);
		expect(tries(result)).toEqual([
			["A", 502, "upstream_error"],
			[unknown, 404, "model_not_found", "skipped"],
			["D", 404, "model_not_found", "skipped"],
			["F", 403, "model_not_allowed", "skipped"],
			["K", 503, "provider_not_configured", "skipped"],
			["G", 200, null],
		]);
		expect(result.attempts.filter((attempt) => attempt.skipped).map((attempt) => attempt.ms)).toEqual([
			0, 0, 0, 0,
		]);
	});

	it("passes over a fallback that refuses the request (4xx) without retrying it", async () => {
		const c = await model("C", [answer("from C")]);
		const b = await model("B", [failure(400)]);
		const a = await model("A", [failure(500)], { fallbacks: [b, c] });
		const result = answered(await run(a, { settings: { maxRetries: 1 }, random: () => 0 }));
		expect(log).toEqual(["try A", "sleep 0", "try A", "try B", "try C"]);
		expect(tries(result).map(([label, status]) => [label, status])).toEqual([
			["A", 502],
			["A", 502],
			["B", 400],
			["C", 200],
		]);
	});

	it("when every fallback refuses, the client gets the failure of the model it asked for", async () => {
		const b = await model("B", [failure(400)]);
		const a = await model("A", [failure(503)], { fallbacks: [b] });
		const result = failed(await run(a, { settings: { maxRetries: 0 } }));
		expect(log).toEqual(["try A", "try B"]);
		expect([result.error.status, result.error.code]).toEqual([503, "upstream_error"]);
		// The usage row names the model whose failure it reports, not the fallback passed over.
		expect(result.target?.model.id).toBe(a);
	});

	it("when every model fails, the last one's error is returned", async () => {
		const b = await model("B", [failure(429, { "retry-after": "9" })]);
		const a = await model("A", [failure(503)], { fallbacks: [b] });
		const result = failed(await run(a, { settings: { maxRetries: 0 } }));
		expect([result.error.status, result.error.headers]).toEqual([429, { "retry-after": "9" }]);
		expect(result.target?.model.id).toBe(b);
	});

	it("a primary that refuses the request is neither retried nor replaced by a fallback", async () => {
		const b = await model("B", [answer("from B")]);
		const a = await model("A", [failure(400)], { fallbacks: [b] });
		const result = failed(await run(a));
		expect(log).toEqual(["try A"]);
		expect(tries(result)).toEqual([["A", 400, null]]);
	});

	it("an unknown or forbidden primary is refused before anything is sent, with no try listed", async () => {
		const b = await model("B", [answer("from B")]);
		const unknown = failed(await run("scripted/nowhere", { models: [b] }));
		expect([unknown.error.status, unknown.error.code]).toEqual([404, "model_not_found"]);
		expect([unknown.target, unknown.attempts]).toEqual([null, []]);

		const a = await model("A", [answer()], { fallbacks: [b] });
		const forbidden = failed(await run(a, { key: { ...ANY_KEY, models: [b] } }));
		expect([forbidden.error.status, forbidden.error.code]).toEqual([403, "model_not_allowed"]);
		expect(forbidden.attempts).toEqual([]);
		expect(log).toEqual([]);
	});
});

describe("the client left", () => {
	const gone = (result: Dispatched) => {
		const { error } = failed(result);
		expect([error.status, error.code]).toEqual([499, "client_disconnected"]);
		return failed(result);
	};

	it("during a backoff wait: no further try, no further wait and no fallback", async () => {
		const client = new AbortController();
		const b = await model("B", [answer("from B")]);
		const a = await model("A", [failure(500)], { fallbacks: [b] });
		const result = gone(await run(a, { signal: client.signal, onSleep: () => client.abort() }));
		expect(log).toEqual(["try A", "sleep 50"]);
		expect(tries(result)).toEqual([["A", 502, "upstream_error"]]);
	});

	it("during a try: the upstream request is cancelled, and nothing is retried or tried next", async () => {
		const client = new AbortController();
		const leaves: Reply = (signal) => {
			client.abort();
			return silent(signal);
		};
		const b = await model("B", [answer("from B")]);
		const a = await model("A", [leaves, answer()], { fallbacks: [b] });
		const result = gone(await run(a, { signal: client.signal }));
		expect(log).toEqual(["try A"]);
		expect(signals[0]?.aborted).toBe(true);
		// The try the client left during is not listed: it has no status of its own.
		expect(result.attempts).toEqual([]);
	});

	it("during a fallback's try: the dispatch ends as the client's leaving, no later fallback is tried", async () => {
		const client = new AbortController();
		const leaves: Reply = (signal) => {
			client.abort();
			return silent(signal);
		};
		const c = await model("C", [answer("from C")]);
		const b = await model("B", [leaves]);
		const a = await model("A", [failure(500)], { fallbacks: [b, c] });
		const result = gone(await run(a, { signal: client.signal, settings: { maxRetries: 0 } }));
		expect(log).toEqual(["try A", "try B"]);
		expect(tries(result)).toEqual([["A", 502, "upstream_error"]]);
		expect(result.target?.model.id).toBe(b);
	});

	it("while the upstream answered with a retryable error: not retried for", async () => {
		const client = new AbortController();
		const failsAsClientLeaves: Reply = (signal) => {
			client.abort();
			return failure(503)(signal);
		};
		const b = await model("B", [answer("from B")]);
		const a = await model("A", [failsAsClientLeaves, answer()], { fallbacks: [b] });
		gone(await run(a, { signal: client.signal }));
		expect(log).toEqual(["try A"]);
	});

	it("before dispatch: nothing is sent at all", async () => {
		const client = new AbortController();
		client.abort();
		const a = await model("A", [answer()]);
		const result = gone(await run(a, { signal: client.signal }));
		expect(log).toEqual([]);
		expect(result.attempts).toEqual([]);
	});
});
