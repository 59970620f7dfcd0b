// A fake upstream for the benchmark: OpenAI's Chat Completions (any path but the ones below),
// Anthropic's Messages (`POST …/v1/messages`) and OpenAI's and Gemini's embeddings (see below), run
// as its own process so its CPU is counted apart from the load generator's and the workers'. It
// answers at once (no artificial delay unless a stream asks for gaps between its chunks).
//
// What to send is read from the request's `bench` field, which both targets pass through untouched:
//   {"stream":false}                              a small JSON completion with usage
//   {"stream":true,"chunks":N}                    role chunk, N content chunks, finish chunk, usage
//                                                 chunk, [DONE]; one write per event
//   {"stream":true,"chunks":N,"gapMs":MS}         the same, with MS milliseconds between content chunks
//   {"stream":true,"line":BYTES,"piece":BYTES}    role chunk, then one `data:` line whose content is
//                                                 BYTES long (a large base64 image), written PIECE
//                                                 bytes at a time; then finish, usage, [DONE]
// On /v1/messages the same `bench` fields give Anthropic's answers, framed as Claude frames them
// (`event:` and `data:` lines): a JSON message with usage, or message_start, content_block_start,
// ping, N content_block_delta (text_delta, the same " tok" as each chat chunk), content_block_stop,
// message_delta (stop reason, usage), message_stop. `line` is not supported there.
// A request to /v1/messages without `bench` is one the gateway translated from OpenAI's Responses API,
// which refuses fields it cannot translate: its own fields say what to send, `stream` and the number
// of chunks in `max_tokens` (the model writes exactly that many), or `max_output_tokens` when the
// bare proxy relays the Responses body itself.
// Events are paced with setImmediate (and 'drain'), so each reaches the socket on its own, as a real
// token stream does, instead of being coalesced into one big write.
// Embeddings, answered from the request's own fields (no `bench` field: the gateway refuses fields
// Gemini has no place for), each answer built once per shape and then served from memory:
//   POST …/embeddings (OpenAI, bearer key)   {input, dimensions?, encoding_format?} → OpenAI's list, one
//       vector per input (`dimensions` long, 1536 without), float32 values written as JSON doubles as
//       OpenAI writes them, or base64 little-endian float32; usage one token per 4 characters
//   POST …/v1beta/models/{m}:batchEmbedContents (Gemini, x-goog-api-key)   {requests:[…]} → {embeddings:
//       [{values}]}, `outputDimensionality` long (3072 without), values with 9 significant digits as
//       Gemini writes them; more than 100 requests is Gemini's 400. No usage, as Gemini sends none.
//   GET /__bench/embeddings-stats   the batchEmbedContents calls so far and their sizes; DELETE clears it.
import http from "node:http";

// The key the workers must send (bench/run.mjs gives it to them as OPENAI_API_KEY and
// ANTHROPIC_API_KEY): as a bearer token to OpenAI, in x-api-key to Anthropic.
const UPSTREAM_KEY = process.env.BENCH_UPSTREAM_KEY ?? "bench-upstream-key";
const AUTH = `Bearer ${UPSTREAM_KEY}`;
const BENCH_FIELD = Buffer.from('"bench":');
const created = 1_700_000_000;

const completion = JSON.stringify({
	id: "chatcmpl-bench",
	object: "chat.completion",
	created,
	model: "bench",
	system_fingerprint: null,
	choices: [
		{
			index: 0,
			message: { role: "assistant", content: "Hello! How can I help you today?", refusal: null },
			logprobs: null,
			finish_reason: "stop",
		},
	],
	usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
});

const chunk = (delta, finishReason = null, usage = null) =>
	`data: ${JSON.stringify({
		id: "chatcmpl-bench",
		object: "chat.completion.chunk",
		created,
		model: "bench",
		system_fingerprint: null,
		choices: delta === null ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
		usage,
	})}\n\n`;

const roleEvent = Buffer.from(chunk({ role: "assistant", content: "" }));
const tokenEvent = Buffer.from(chunk({ content: " tok" }));
const finishEvent = Buffer.from(chunk({}, "stop"));
const doneEvent = Buffer.from("data: [DONE]\n\n");
const usageEvent = (n) =>
	Buffer.from(chunk(null, null, { prompt_tokens: 9, completion_tokens: n, total_tokens: 9 + n }));

// Anthropic's Messages API, as Claude writes it (compact JSON; the ping as Anthropic spaces it).
const message = JSON.stringify({
	id: "msg_bench",
	type: "message",
	role: "assistant",
	model: "bench",
	content: [{ type: "text", text: "Hello! How can I help you today?" }],
	stop_reason: "end_turn",
	stop_sequence: null,
	usage: { input_tokens: 9, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 9 },
});
const anthropicEvent = (payload) => `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
const messageStartEvent = Buffer.from(
	anthropicEvent({
		type: "message_start",
		message: {
			id: "msg_bench",
			type: "message",
			role: "assistant",
			model: "bench",
			content: [],
			stop_reason: null,
			stop_sequence: null,
			usage: {
				input_tokens: 9,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				output_tokens: 1,
			},
		},
	}),
);
const blockStartEvent = Buffer.from(
	anthropicEvent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
);
const pingEvent = Buffer.from('event: ping\ndata: {"type": "ping"}\n\n');
const textDeltaEvent = Buffer.from(
	anthropicEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: " tok" } }),
);
const blockStopEvent = Buffer.from(anthropicEvent({ type: "content_block_stop", index: 0 }));
const messageDeltaEvent = (n) =>
	Buffer.from(
		anthropicEvent({
			type: "message_delta",
			delta: { stop_reason: "end_turn", stop_sequence: null },
			usage: { output_tokens: n },
		}),
	);
const messageStopEvent = Buffer.from(anthropicEvent({ type: "message_stop" }));

/** The big line, built once per size: `data: {…"content":"AAAA…"…}\n\n`. */
const bigLines = new Map();
function bigLine(bytes) {
	let line = bigLines.get(bytes);
	if (!line) {
		const head = chunk({ content: "" }).replace('"content":""', '"content":"\u0000"');
		const [before, after] = head.split("\u0000");
		const filler = Math.max(0, bytes - Buffer.byteLength(before) - Buffer.byteLength(after));
		line = Buffer.concat([Buffer.from(before), Buffer.alloc(filler, 65 /* "A" */), Buffer.from(after)]);
		bigLines.set(bytes, line);
	}
	return line;
}

/**
 * The `bench` object of the body (null when it has none): a flat JSON object, found without parsing
 * the (maybe 5 MB) rest.
 */
function benchParams(body) {
	const at = body.lastIndexOf(BENCH_FIELD);
	if (at === -1) return null;
	const start = at + BENCH_FIELD.length;
	const end = body.indexOf(125 /* "}" */, start);
	try {
		return JSON.parse(body.subarray(start, end + 1).toString());
	} catch {
		return {};
	}
}

/** What a request without `bench` asks for, read from its own fields (a small body: parsed whole). */
function ownParams(body) {
	try {
		const request = JSON.parse(body.toString());
		return {
			stream: request.stream === true,
			chunks: request.max_tokens ?? request.max_output_tokens ?? 200,
		};
	} catch {
		return {};
	}
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function send(res, buffer) {
	if (res.destroyed) throw new Error("client gone");
	if (!res.write(buffer)) await new Promise((resolve) => res.once("drain", resolve));
	else await tick();
}

async function stream(res, params) {
	res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
	await send(res, roleEvent);
	let tokens = 0;
	if (params.line) {
		const line = bigLine(params.line);
		const piece = Math.max(1, params.piece || 65536);
		for (let i = 0; i < line.length; i += piece) await send(res, line.subarray(i, i + piece));
		tokens = 1;
	} else {
		tokens = Math.min(Math.max(0, params.chunks ?? 200), 1_000_000);
		for (let i = 0; i < tokens; i++) {
			await send(res, tokenEvent);
			if (params.gapMs) await sleep(params.gapMs);
		}
	}
	await send(res, finishEvent);
	await send(res, usageEvent(tokens));
	res.end(doneEvent);
}

async function anthropicStream(res, params) {
	res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
	await send(res, messageStartEvent);
	await send(res, blockStartEvent);
	await send(res, pingEvent);
	const tokens = Math.min(Math.max(0, params.chunks ?? 200), 1_000_000);
	for (let i = 0; i < tokens; i++) {
		await send(res, textDeltaEvent);
		if (params.gapMs) await sleep(params.gapMs);
	}
	await send(res, blockStopEvent);
	await send(res, messageDeltaEvent(tokens));
	res.end(messageStopEvent);
}

function anthropic(req, res, body) {
	if (req.headers["x-api-key"] !== UPSTREAM_KEY) {
		res.writeHead(401, { "content-type": "application/json" });
		res.end('{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}');
		return;
	}
	const params = benchParams(body) ?? ownParams(body);
	if (params.stream) {
		anthropicStream(res, params).catch(() => res.destroy());
		return;
	}
	res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(message) });
	res.end(message);
}

// ---------------------------------------------------------------------------------------------
// Embeddings.

/** A deterministic value in (-0.1, 0.1) for position `i` of every vector (the content does not matter here). */
const embeddingValue = (i) => (((i * 2654435761) % 20001) - 10000) / 100000 + 1e-6 * ((i % 97) + 1);
const answers = new Map();
/** Serves an answer built once per key: the fake's CPU stays small next to the workers'. */
function cachedJson(res, key, build) {
	let body = answers.get(key);
	if (!body) {
		body = Buffer.from(JSON.stringify(build()));
		answers.set(key, body);
	}
	res.writeHead(200, { "content-type": "application/json", "content-length": body.length });
	res.end(body);
}

function float32Base64(values) {
	const bytes = Buffer.alloc(values.length * 4);
	for (const [i, value] of values.entries()) bytes.writeFloatLE(value, i * 4);
	return bytes.toString("base64");
}

function refuse(res, status, body) {
	const text = JSON.stringify(body);
	res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
	res.end(text);
}

function openaiEmbeddings(res, raw) {
	let request;
	try {
		request = JSON.parse(raw.toString());
	} catch {
		return refuse(res, 400, { error: { message: "We could not parse the JSON body of your request." } });
	}
	const { input } = request;
	const count = typeof input === "string" || typeof input?.[0] === "number" ? 1 : (input?.length ?? 0);
	if (count === 0) return refuse(res, 400, { error: { message: "'$.input' is invalid." } });
	const dims = request.dimensions ?? 1536;
	const format = request.encoding_format ?? "float";
	const chars = typeof input === "string" ? input.length : input.reduce((n, x) => n + String(x).length, 0);
	const tokens = Math.max(1, Math.ceil(chars / 4));
	cachedJson(res, `openai:${count}:${dims}:${format}:${tokens}`, () => {
		const values = Array.from({ length: dims }, (_, i) => Math.fround(embeddingValue(i)));
		const embedding = format === "base64" ? float32Base64(values) : values;
		return {
			object: "list",
			data: Array.from({ length: count }, (_, index) => ({ object: "embedding", index, embedding })),
			model: "bench-embed",
			usage: { prompt_tokens: tokens, total_tokens: tokens },
		};
	});
}

const geminiStats = { calls: 0, sizes: [] };

function geminiEmbeddings(req, res, raw) {
	if (req.headers["x-goog-api-key"] !== UPSTREAM_KEY) {
		return refuse(res, 400, {
			error: { code: 400, message: "API key not valid.", status: "INVALID_ARGUMENT" },
		});
	}
	let requests;
	try {
		requests = JSON.parse(raw.toString()).requests;
	} catch {
		requests = undefined;
	}
	if (!Array.isArray(requests) || requests.length === 0 || requests.length > 100) {
		const message = "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch";
		return refuse(res, 400, { error: { code: 400, message, status: "INVALID_ARGUMENT" } });
	}
	geminiStats.calls += 1;
	geminiStats.sizes.push(requests.length);
	const dims = requests[0].outputDimensionality ?? 3072;
	cachedJson(res, `gemini:${requests.length}:${dims}`, () => {
		const values = Array.from({ length: dims }, (_, i) => Number(embeddingValue(i).toPrecision(9)));
		return { embeddings: requests.map(() => ({ values })) };
	});
}

const server = http.createServer((req, res) => {
	const parts = [];
	req.on("data", (part) => parts.push(part));
	req.on("end", () => {
		if (req.url === "/__bench/embeddings-stats") {
			const text = JSON.stringify(geminiStats);
			if (req.method === "DELETE") {
				geminiStats.calls = 0;
				geminiStats.sizes = [];
			}
			res.writeHead(200, { "content-type": "application/json" });
			res.end(text);
			return;
		}
		if (req.url.endsWith(":batchEmbedContents")) {
			geminiEmbeddings(req, res, Buffer.concat(parts));
			return;
		}
		if (req.url.endsWith("/v1/messages")) {
			anthropic(req, res, Buffer.concat(parts));
			return;
		}
		if (req.headers.authorization !== AUTH) {
			res.writeHead(401, { "content-type": "application/json" });
			res.end('{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error"}}');
			return;
		}
		if (req.url.endsWith("/embeddings")) {
			openaiEmbeddings(res, Buffer.concat(parts));
			return;
		}
		const params = benchParams(Buffer.concat(parts)) ?? {};
		if (params.stream) {
			stream(res, params).catch(() => res.destroy());
			return;
		}
		res.writeHead(200, {
			"content-type": "application/json",
			"content-length": Buffer.byteLength(completion),
		});
		res.end(completion);
	});
});
server.keepAliveTimeout = 60_000;

server.listen(0, "127.0.0.1", () => {
	const { port } = server.address();
	process.send?.({ type: "ready", port });
});

// Ends with the orchestrator: on its message, its signal, or its death (the IPC channel closes).
const stop = () => {
	server.closeAllConnections();
	server.close();
	process.exit(0);
};
process.on("message", (message) => message?.type === "stop" && stop());
process.on("disconnect", stop);
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
