import type { IncomingMessage, ServerResponse } from "node:http";
import type { FakeHandler } from "./http";
import { json } from "./http";
import {
	CHAOS_KEY,
	type ChaosLogEntry,
	type ChaosStats,
	type ChaosUsage,
	type FaultKind,
	faultKinds,
} from "./scenarios/chaos";

/**
 * A chaotic OpenAI-protocol upstream for fault tests. It speaks OpenAI's Chat Completions wire format
 * (Bearer auth, `data:`-only SSE ending in `[DONE]`, usage in a chunk of its own) but, for every
 * request, draws a fault from a seeded PRNG:
 *
 *   ok                   a correct answer: a stream of a few chunks plus a usage chunk, or a completion
 *   drop_before_headers  the socket is destroyed before any byte of the response
 *   drop_mid_body        headers and part of the body (a chunk or half a JSON document), then the socket dies
 *   stall                headers and part of the body, then nothing for STALL_MS (past the gateway's idle
 *                        timeout), then the socket dies; drawn rarely, each one costs the test ~1.5 s
 *   garbage              a 200 whose body is not what it claims: an SSE event that is not JSON, or HTML
 *   http_500 … http_503  OpenAI-shaped error bodies
 *   http_429             rate limited, with `retry-after: 0`
 *
 * The gateway sends no request id upstream, so each request is numbered by a counter. A correct answer
 * carries its number in its content (`[chaos#<n>]`) and token counts derived from the PRNG, so a test
 * can tie a gateway response to what the fake sent. `GET /__stats` returns the seed, totals per fault
 * kind and the per-request log. The seed comes from CHAOS_SEED when set, else from the clock, and is
 * logged once when the fake starts. The key, the fault kinds and the shape of the stats are in
 * scenarios/chaos.ts.
 */

const STALL_MS = 2_500;

/** Relative weights; `stall` is kept rare. */
const weights: Record<FaultKind, number> = {
	ok: 50,
	drop_before_headers: 8,
	drop_mid_body: 8,
	stall: 2,
	garbage: 8,
	http_500: 6,
	http_502: 6,
	http_503: 6,
	http_429: 6,
};

/** mulberry32: small, fast, good enough to pick faults reproducibly from a 32-bit seed. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sse = (data: string) => `data: ${data}\n\n`;

function pickFault(random: () => number): FaultKind {
	const total = faultKinds.reduce((sum, kind) => sum + weights[kind], 0);
	let roll = random() * total;
	for (const kind of faultKinds) {
		roll -= weights[kind];
		if (roll < 0) return kind;
	}
	return "ok";
}

function chunk(delta: object, finish: string | null = null): string {
	return JSON.stringify({
		id: "chatcmpl-chaos",
		object: "chat.completion.chunk",
		created: 1_750_000_000,
		model: "chaos-2025-01-01",
		choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
	});
}

function errorBody(message: string, type: string, code: string | null) {
	return { error: { message, type, param: null, code } };
}

/** Whole-socket failure: no response, or a response cut off mid-body. */
function destroy(req: IncomingMessage, res: ServerResponse): void {
	res.socket?.destroy();
	req.socket.destroy();
}

export function createChaosHandler(seed: number): { handler: FakeHandler; stats(): ChaosStats } {
	const random = prng(seed);
	const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
	const log: ChaosLogEntry[] = [];
	const faults = Object.fromEntries(faultKinds.map((kind) => [kind, 0])) as Record<FaultKind, number>;
	let refused = 0;

	const stats = (): ChaosStats => ({
		seed,
		requests: log.length,
		faults: { ...faults },
		refused,
		log: log.map((entry) => ({ ...entry })),
	});

	const handler: FakeHandler = async (req, rawBody, res) => {
		// A client that gave up (idle timeout) closes the socket; late writes must not crash the fake.
		res.on("error", () => {});
		const url = new URL(req.url ?? "/", "http://fake");
		if (req.method === "GET" && url.pathname === "/__stats") return json(res, 200, stats());
		if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
			refused += 1;
			return json(res, 404, errorBody("Unknown request URL", "invalid_request_error", "unknown_url"));
		}
		if (req.headers.authorization !== `Bearer ${CHAOS_KEY}`) {
			refused += 1;
			return json(
				res,
				401,
				errorBody("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
			);
		}
		let body: { stream?: unknown; messages?: unknown };
		try {
			body = JSON.parse(rawBody) as typeof body;
		} catch {
			refused += 1;
			return json(res, 400, errorBody("We could not parse the JSON body.", "invalid_request_error", null));
		}
		const stream = body.stream === true;
		const n = log.length + 1;
		const fault = pickFault(random);
		faults[fault] += 1;
		const entry: ChaosLogEntry = { n, fault, stream };
		log.push(entry);

		switch (fault) {
			case "drop_before_headers":
				return destroy(req, res);
			case "http_500":
			case "http_502":
			case "http_503": {
				const status = Number(fault.slice("http_".length));
				return json(res, status, errorBody(`Chaos says ${status}.`, "server_error", null));
			}
			case "http_429":
				return json(
					res,
					429,
					errorBody("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
					{ "retry-after": "0" },
				);
			case "garbage":
				if (stream) {
					res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
					res.write(sse(chunk({ role: "assistant", content: "" })));
					return void res.end(sse("{this is not json"));
				}
				res.writeHead(200, { "content-type": "application/json" });
				return void res.end("<html><body>502 Bad Gateway</body></html>");
			case "drop_mid_body":
			case "stall": {
				if (stream) {
					res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
					res.write(sse(chunk({ role: "assistant", content: "" })) + sse(chunk({ content: "partial" })));
				} else {
					res.writeHead(200, { "content-type": "application/json" });
					res.write('{"id":"chatcmpl-chaos","object":"chat.completion","choices":[{"index":0,');
				}
				if (fault === "stall") await sleep(STALL_MS);
				else await sleep(5);
				return destroy(req, res);
			}
			case "ok":
				break;
		}

		const prompt = int(1, 4000);
		const completion = int(1, 800);
		const usage: ChaosUsage = {
			prompt_tokens: prompt,
			completion_tokens: completion,
			total_tokens: prompt + completion,
			prompt_tokens_details: { cached_tokens: int(0, prompt) },
			completion_tokens_details: { reasoning_tokens: int(0, completion) },
		};
		const pieces = Array.from({ length: int(1, 5) }, (_, i) => (i === 0 ? `[chaos#${n}]` : ` piece ${i}`));
		entry.content = pieces.join("");
		entry.usage = usage;
		if (!stream) {
			return json(res, 200, {
				id: "chatcmpl-chaos",
				object: "chat.completion",
				created: 1_750_000_000,
				model: "chaos-2025-01-01",
				choices: [
					{
						index: 0,
						message: { role: "assistant", content: entry.content, refusal: null },
						logprobs: null,
						finish_reason: "stop",
					},
				],
				usage,
			});
		}
		res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
		res.write(sse(chunk({ role: "assistant", content: "" })));
		for (const piece of pieces) {
			res.write(sse(chunk({ content: piece })));
			await sleep(1);
		}
		res.write(sse(chunk({}, "stop")));
		res.write(
			sse(
				JSON.stringify({
					id: "chatcmpl-chaos",
					object: "chat.completion.chunk",
					created: 1_750_000_000,
					model: "chaos-2025-01-01",
					choices: [],
					usage,
				}),
			),
		);
		res.end(sse("[DONE]"));
	};

	return { handler, stats };
}

/** The seed for this run: CHAOS_SEED when given (to replay a run), else the clock. */
export function chaosSeed(): number {
	const given = Number(process.env.CHAOS_SEED);
	return Number.isInteger(given) && given > 0 ? given >>> 0 : Date.now() >>> 0;
}
