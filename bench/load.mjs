// The load generator: node:http with a keep-alive agent (the least client-side overhead Node offers),
// closed-loop workers, and per-request timings (time to first body byte, total time).
import http from "node:http";

/** A target to load: base URL, connection pool sized to the concurrency, and the request headers. */
export function createTarget(name, baseUrl, apiKey, requestPath = "/v1/chat/completions") {
	const url = new URL(baseUrl);
	return {
		name,
		api: "chat",
		path: requestPath,
		host: url.hostname,
		port: Number(url.port),
		agent: new http.Agent({ keepAlive: true, maxSockets: 64 }),
		headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
	};
}

/**
 * The same target's Anthropic Messages API (POST /v1/messages), on the same connection pool, with the
 * key in x-api-key and the anthropic-version header, as Anthropic's SDKs and Claude Code send them.
 */
export function messagesTarget(target, apiKey) {
	return {
		...target,
		api: "messages",
		path: "/v1/messages",
		headers: { "x-api-key": apiKey, "anthropic-version": "2023-06-01", "content-type": "application/json" },
	};
}

/**
 * The same target's OpenAI Responses API (POST /v1/responses), on the same connection pool, with the
 * key as a bearer token. `answer`: what a complete answer looks like. The gateway answers with the
 * Responses events ("responses"); the bare proxy relays the upstream's bytes as they came, Anthropic's
 * events when it forwards to the fake Claude ("messages").
 */
export function responsesTarget(target, apiKey, answer = "responses") {
	return {
		...target,
		api: "responses",
		answer,
		path: "/v1/responses",
		headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
	};
}

/** The same target's OpenAI embeddings API (POST /v1/embeddings), on the same connection pool. */
export function embeddingsTarget(target, apiKey) {
	return {
		...target,
		api: "embeddings",
		path: "/v1/embeddings",
		headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
	};
}

/** How each API's complete answer ends (streamed) or shows itself (JSON, in its first bytes). */
const STREAM_END = { chat: "data: [DONE]\n\n", messages: 'data: {"type":"message_stop"}\n\n' };
const JSON_MARK = {
	chat: '"choices"',
	messages: '"type":"message"',
	responses: '"object":"response"',
	embeddings: '"object":"list"',
};
/**
 * A Responses stream has no end marker of its own: it is complete when its last event is
 * response.completed. That event carries the whole response object, with all the output text (800
 * characters for 200 " tok" chunks), so the last TAIL_BYTES of the body are kept to find its
 * `event:` line, however the body was split (enough for streams of up to ~10,000 such chunks).
 */
const TAIL_BYTES = 65536;
const LAST_EVENT = "\n\nevent: ";
function responsesStreamEnded(tail) {
	if (!tail.endsWith("}\n\n")) return false;
	const at = tail.lastIndexOf(LAST_EVENT, tail.length - 4);
	return at !== -1 && tail.startsWith("response.completed\n", at + LAST_EVENT.length);
}

/**
 * One POST to the target's path. Resolves (never rejects) with status, ttfb and total in ms, body
 * bytes and whether the answer looked complete: a JSON completion (or message, or response), or a
 * stream ending in [DONE] (or message_stop, or a response.completed event).
 */
export function send(target, body, stream) {
	return new Promise((resolve) => {
		const start = performance.now();
		let ttfb = 0;
		let bytes = 0;
		let first = null;
		let previous = null;
		let last = null;
		const answer = target.answer ?? target.api ?? "chat";
		/** The body's last chunks, TAIL_BYTES at least (for a Responses stream only). */
		const tail = answer === "responses" && stream ? [] : null;
		let tailBytes = 0;
		const req = http.request(
			{
				agent: target.agent,
				host: target.host,
				port: target.port,
				path: target.path,
				method: "POST",
				headers: { ...target.headers, "content-length": body.length },
			},
			(res) => {
				res.on("data", (data) => {
					if (first === null) {
						ttfb = performance.now() - start;
						first = data;
					}
					bytes += data.length;
					previous = last;
					last = data;
					if (tail) {
						tail.push(data);
						tailBytes += data.length;
						while (tailBytes - tail[0].length >= TAIL_BYTES) tailBytes -= tail.shift().length;
					}
				});
				res.on("end", () => {
					const total = performance.now() - start;
					let ok = res.statusCode === 200 && last !== null;
					if (ok && tail) {
						ok = responsesStreamEnded(Buffer.concat(tail).toString("latin1"));
					} else if (ok && stream) {
						const end = Buffer.concat(previous ? [previous, last] : [last]).toString("latin1");
						ok = end.endsWith(STREAM_END[answer]);
					} else if (ok) {
						ok = first.toString("latin1", 0, 200).includes(JSON_MARK[answer]) || bytes > 200;
					}
					resolve({ ok, status: res.statusCode, ttfb, total, bytes });
				});
				res.on("error", () => resolve({ ok: false, status: res.statusCode, ttfb, total: 0, bytes }));
			},
		);
		req.on("error", () => resolve({ ok: false, status: 0, ttfb: 0, total: 0, bytes: 0 }));
		req.end(body);
	});
}

/**
 * Closed loop: `concurrency` workers, each sending one request after the other until `durationMs`
 * has passed or `maxRequests` were sent. Requests in flight at the deadline are waited for and
 * counted; elapsed runs until the last one ended.
 */
export async function closedLoop(target, { body, stream, concurrency, durationMs = Infinity, maxRequests }) {
	const results = [];
	const start = performance.now();
	const deadline = start + durationMs;
	let issued = 0;
	const limit = maxRequests ?? Number.POSITIVE_INFINITY;
	const worker = async () => {
		while (issued < limit && performance.now() < deadline) {
			issued++;
			results.push(await send(target, body, stream));
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return { results, elapsedMs: performance.now() - start };
}

/** Nearest-rank percentile of a sorted array. */
export function percentile(sorted, p) {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function closeTarget(target) {
	target.agent.destroy();
}
