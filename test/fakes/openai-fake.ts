import type { ServerResponse } from "node:http";
import { missingFixtureMessage, readFixture } from "./fixtures";
import type { FakeHandler } from "./http";
import { json, writeInPieces } from "./http";
import { handleEmbeddings, receivedEmbeddings } from "./openai-embeddings-fake";
import { handleResponses, matchResponsesPath } from "./openai-responses-fake";
import {
	BAD_REQUEST_ERROR,
	DRIP_USAGE,
	ERROR_MESSAGES,
	GROQ_KEY,
	OPENAI_KEY,
	PARTIAL,
	RATE_LIMITED_RETRY_AFTER,
	RELEASED,
	STREAMED_TOOL_CALLS,
	SYSTEM_FINGERPRINT,
	TEXT,
	TEXT_PIECES,
	TOOL_CALL,
	UPSTREAM_REQUEST_ID,
	USAGE,
} from "./scenarios/openai";

/**
 * A fake OpenAI Chat Completions API, as strict as the real one where it matters to the gateway:
 * Bearer auth, `data:`-only SSE with `[DONE]`, a role-first chunk, a usage chunk with `choices: []`
 * only when `stream_options.include_usage` is set, errors in OpenAI's body shape.
 *
 * The scenario is the upstream model name (the request's `model`); what they answer is in
 * scenarios/openai.ts:
 *   text            a short answer with multi-byte characters; streams in odd byte pieces
 *   text-crlf       the same stream with CRLF line endings, comments and keep-alives
 *   echo-request    answers with the JSON of what it received (body and relevant headers)
 *   tools           two parallel tool calls, arguments split mid-escape
 *   die-midstream   a few chunks, then the socket is destroyed
 *   truncated       a few chunks, then a clean end with no finish chunk and no [DONE]
 *   finish-then-die the content and the finish chunk, then the socket is destroyed before the usage
 *                   chunk and [DONE]
 *   error-event     a chunk, then `data: {"error":…}`
 *   garbage         200 with an HTML body (and text/html on streams)
 *   garbage-sse     a stream whose second event is not JSON
 *   rate-limited    429 with retry-after: 7
 *   server-error    500; unavailable: 503
 *   bad-request     400 unsupported_parameter (the recorded reasoning-model error shape)
 *   slow            waits 3 s before answering (first-byte timeout)
 *   stall           streams one chunk, then sends nothing for 3 s (idle timeout)
 *   gated-<token>   streams one content chunk, then waits for POST /__release/<token>
 *   drip-<token>    a content chunk every 50 ms for 10 s (drip-<n>-<token>: n chunks, n up to four digits
 *                   so that a UUID token is never read as a count, then usage when asked); GET
 *                   /__status/<token> tells how many were sent, whether it finished and whether the
 *                   gateway closed the connection early (client disconnect propagation)
 *   flaky-<n>-<token>  fails the first n requests with 500, then answers like `text`
 *   brief-429-<token>  429 with retry-after: 0 once, then answers like `text`
 *   html-404        404 with an HTML body, as a proxy in front of a wrong base URL answers
 *   fixture-<name>  streams the recorded openai/<name>.response.sse (test/fakes/fixtures.ts) byte for
 *                   byte; 500 naming the file when it is not there
 *
 * `{base}/responses…` is the Responses API, answered by openai-responses-fake.ts (its own scenarios);
 * `{base}/embeddings` is answered by openai-embeddings-fake.ts (its own scenarios), which keeps what it
 * received: GET /__fake/embeddings-received/<model>.
 */

const KEYS: Record<string, string> = { "/v1": OPENAI_KEY, "/groq/v1": GROQ_KEY };
const PIECES = [7, 1, 13, 3, 64, 2, 5];

const gates = new Map<string, () => void>();
const failuresSoFar = new Map<string, number>();

/** True while the scenario keyed by `key` still has failures left to give. */
function failNow(key: string, times: number): boolean {
	const done = failuresSoFar.get(key) ?? 0;
	if (done >= times) return false;
	failuresSoFar.set(key, done + 1);
	return true;
}
const gateWaiters = new Map<string, Promise<void>>();
const dripStatus = new Map<string, { closedEarly: boolean; sent: number; finished: boolean }>();

function gate(token: string): Promise<void> {
	let waiter = gateWaiters.get(token);
	if (!waiter) {
		waiter = new Promise<void>((resolve) => gates.set(token, resolve));
		gateWaiters.set(token, waiter);
	}
	return waiter;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ChatBody {
	model?: string;
	stream?: boolean;
	stream_options?: { include_usage?: boolean };
	messages?: unknown[];
}

function base(model: string) {
	return {
		id: "chatcmpl-fake123",
		created: 1_750_000_000,
		model: `${model}-2025-01-01`,
		system_fingerprint: SYSTEM_FINGERPRINT,
	};
}

function chunk(model: string, delta: object, finish: string | null = null, includeUsage = false): string {
	return JSON.stringify({
		...base(model),
		object: "chat.completion.chunk",
		choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
		...(includeUsage ? { usage: null } : {}),
	});
}

function sseFrame(data: string, eol = "\n"): string {
	return `data: ${data}${eol}${eol}`;
}

function textStream(model: string, includeUsage: boolean, eol = "\n", extras = false): string {
	const frames: string[] = [];
	if (extras) frames.push(`: keep-alive${eol}${eol}`);
	frames.push(
		sseFrame(chunk(model, { role: "assistant", content: "", refusal: null }, null, includeUsage), eol),
	);
	for (const piece of TEXT_PIECES) {
		frames.push(sseFrame(chunk(model, { content: piece }, null, includeUsage), eol));
		if (extras) frames.push(`:${eol}${eol}`);
	}
	frames.push(sseFrame(chunk(model, {}, "stop", includeUsage), eol));
	if (includeUsage) {
		frames.push(
			sseFrame(
				JSON.stringify({ ...base(model), object: "chat.completion.chunk", choices: [], usage: USAGE }),
				eol,
			),
		);
	}
	frames.push(sseFrame("[DONE]", eol));
	return frames.join("");
}

function toolStream(model: string, includeUsage: boolean): string {
	const call = (index: number, id: string, name: string) => ({
		tool_calls: [{ index, id, type: "function", function: { name, arguments: "" } }],
	});
	const args = (index: number, piece: string) => ({
		tool_calls: [{ index, function: { arguments: piece } }],
	});
	const deltas: Array<[object, string | null]> = [
		[{ role: "assistant", content: null }, null],
		...STREAMED_TOOL_CALLS.flatMap(
			({ id, name, pieces }, index): Array<[object, null]> => [
				[call(index, id, name), null],
				...pieces.map((piece): [object, null] => [args(index, piece), null]),
			],
		),
		[{}, "tool_calls"],
	];
	const frames = deltas.map(([delta, finish]) => sseFrame(chunk(model, delta, finish, includeUsage)));
	if (includeUsage) {
		frames.push(
			sseFrame(
				JSON.stringify({ ...base(model), object: "chat.completion.chunk", choices: [], usage: USAGE }),
			),
		);
	}
	frames.push(sseFrame("[DONE]"));
	return frames.join("");
}

function completion(model: string, content: string) {
	return {
		...base(model),
		object: "chat.completion",
		choices: [
			{
				index: 0,
				message: { role: "assistant", content, refusal: null, annotations: [] },
				logprobs: null,
				finish_reason: "stop",
			},
		],
		usage: USAGE,
		service_tier: "default",
	};
}

async function sendInPieces(res: ServerResponse, text: string): Promise<void> {
	await writeInPieces(res, text, PIECES);
	res.end();
}

function openSse(res: ServerResponse): void {
	res.writeHead(200, {
		"content-type": "text/event-stream; charset=utf-8",
		"x-request-id": UPSTREAM_REQUEST_ID,
	});
}

export const handleOpenAI: FakeHandler = async (req, rawBody, res) => {
	const url = new URL(req.url ?? "/", "http://fake");
	if (req.method === "POST" && url.pathname.startsWith("/__release/")) {
		const token = url.pathname.slice("/__release/".length);
		void gate(token);
		gates.get(token)?.();
		return json(res, 200, { released: token });
	}
	if (req.method === "GET" && url.pathname.startsWith("/__status/")) {
		return json(res, 200, dripStatus.get(url.pathname.slice("/__status/".length)) ?? null);
	}

	if (req.method === "GET" && url.pathname.startsWith("/__fake/embeddings-received/")) {
		const model = decodeURIComponent(url.pathname.slice("/__fake/embeddings-received/".length));
		return json(res, 200, receivedEmbeddings(model));
	}
	const embeddingsKey =
		url.pathname.endsWith("/embeddings") && KEYS[url.pathname.slice(0, -"/embeddings".length)];
	if (embeddingsKey) return handleEmbeddings(req, rawBody, res, embeddingsKey);

	const responsesPath = matchResponsesPath(url.pathname);
	const responsesKey = responsesPath && KEYS[responsesPath.base];
	if (responsesPath && responsesKey) return handleResponses(req, rawBody, res, responsesPath, responsesKey);

	const prefix = url.pathname.replace(/\/chat\/completions$/, "");
	const expectedKey = KEYS[prefix];
	if (req.method !== "POST" || !url.pathname.endsWith("/chat/completions") || !expectedKey) {
		return json(res, 404, {
			error: {
				message: "Unknown request URL",
				type: "invalid_request_error",
				param: null,
				code: "unknown_url",
			},
		});
	}
	if (req.headers.authorization !== `Bearer ${expectedKey}`) {
		const given = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
		return json(res, 401, {
			error: {
				message: `Incorrect API key provided: ${given.slice(0, 8)}***${given.slice(-4)}.`,
				type: "invalid_request_error",
				param: null,
				code: "invalid_api_key",
			},
		});
	}
	let body: ChatBody;
	try {
		body = JSON.parse(rawBody) as ChatBody;
	} catch {
		return json(res, 400, {
			error: {
				message: "We could not parse the JSON body of your request.",
				type: "invalid_request_error",
				param: null,
				code: null,
			},
		});
	}
	const model = String(body.model ?? "");
	const stream = body.stream === true;
	const includeUsage = stream && body.stream_options?.include_usage === true;

	if (model === "auth-fail") {
		return json(res, 401, {
			error: {
				message: "Incorrect API key provided: sk-upstr***CRET.",
				type: "invalid_request_error",
				param: null,
				code: "invalid_api_key",
			},
		});
	}
	const flaky = /^flaky-(\d+)-/.exec(model);
	if (flaky && failNow(model, Number(flaky[1]))) {
		return json(res, 500, {
			error: {
				message: ERROR_MESSAGES.serverError,
				type: "server_error",
				param: null,
				code: null,
			},
		});
	}
	if (model.startsWith("brief-429-") && failNow(model, 1)) {
		return json(
			res,
			429,
			{
				error: {
					message: ERROR_MESSAGES.rateLimited,
					type: "requests",
					param: null,
					code: "rate_limit_exceeded",
				},
			},
			{ "retry-after": "0" },
		);
	}
	if (model === "rate-limited") {
		return json(
			res,
			429,
			{
				error: {
					message: ERROR_MESSAGES.rateLimited,
					type: "requests",
					param: null,
					code: "rate_limit_exceeded",
				},
			},
			{ "retry-after": RATE_LIMITED_RETRY_AFTER },
		);
	}
	if (model === "server-error") {
		return json(res, 500, {
			error: {
				message: ERROR_MESSAGES.serverError,
				type: "server_error",
				param: null,
				code: null,
			},
		});
	}
	if (model === "unavailable") {
		return json(res, 503, {
			error: {
				message: ERROR_MESSAGES.unavailable,
				type: "server_error",
				param: null,
				code: null,
			},
		});
	}
	if (model === "bad-request") {
		return json(res, 400, { error: BAD_REQUEST_ERROR });
	}
	if (model === "html-404") {
		res.writeHead(404, { "content-type": "text/html" });
		return void res.end("<html><body>404 Not Found</body></html>");
	}
	if (model === "garbage") {
		res.writeHead(200, { "content-type": "text/html" });
		return void res.end("<html><body>502 Bad Gateway</body></html>");
	}
	if (model === "slow") {
		await sleep(3000);
		return json(res, 200, completion(model, "too late"));
	}
	if (model === "echo-request") {
		const echoed = JSON.stringify({
			body,
			headers: { authorization: req.headers.authorization, "content-type": req.headers["content-type"] },
		});
		if (!stream) return json(res, 200, completion(model, echoed));
		openSse(res);
		res.write(sseFrame(chunk(model, { role: "assistant", content: echoed }, null, includeUsage)));
		res.write(sseFrame(chunk(model, {}, "stop", includeUsage)));
		if (includeUsage)
			res.write(
				sseFrame(
					JSON.stringify({ ...base(model), object: "chat.completion.chunk", choices: [], usage: USAGE }),
				),
			);
		return void res.end(sseFrame("[DONE]"));
	}
	if (model.startsWith("fixture-")) {
		const file = `${model.slice("fixture-".length)}.response.sse`;
		const recorded = readFixture("openai", file);
		if (!recorded) {
			return json(res, 500, {
				error: {
					message: missingFixtureMessage("openai", file),
					type: "server_error",
					param: null,
					code: null,
				},
			});
		}
		if (!stream) return json(res, 400, { error: { message: "fixture scenarios only stream" } });
		openSse(res);
		return sendInPieces(res, recorded.toString("utf8"));
	}
	if (!stream) {
		if (model === "tools") {
			const payload = completion(model, "");
			const choice = payload.choices[0];
			if (choice) {
				Object.assign(choice.message, {
					content: null,
					tool_calls: [
						{
							id: TOOL_CALL.id,
							type: "function",
							function: { name: TOOL_CALL.name, arguments: TOOL_CALL.arguments },
						},
					],
				});
				choice.finish_reason = "tool_calls";
			}
			return json(res, 200, payload);
		}
		return json(res, 200, completion(model, TEXT));
	}

	// Streams from here on.
	openSse(res);
	if (model === "text" || flaky || model.startsWith("brief-429-")) {
		return sendInPieces(res, textStream(model, includeUsage));
	}
	if (model === "text-crlf") {
		return sendInPieces(res, textStream(model, includeUsage, "\r\n", true));
	}
	if (model === "tools") return sendInPieces(res, toolStream(model, includeUsage));
	const head =
		sseFrame(chunk(model, { role: "assistant", content: "" })) + sseFrame(chunk(model, { content: PARTIAL }));
	if (model === "die-midstream") {
		await writeInPieces(res, head, PIECES);
		await sleep(5);
		return void res.socket?.destroy();
	}
	if (model === "truncated") return sendInPieces(res, head);
	if (model === "finish-then-die") {
		await writeInPieces(res, head + sseFrame(chunk(model, {}, "stop")), PIECES);
		await sleep(5);
		return void res.socket?.destroy();
	}
	if (model === "error-event") {
		res.write(head);
		return void res.end(
			sseFrame(
				JSON.stringify({
					error: { message: "The model crashed.", type: "server_error", param: null, code: null },
				}),
			),
		);
	}
	if (model === "garbage-sse") {
		res.write(sseFrame(chunk(model, { role: "assistant", content: "" })));
		return void res.end(sseFrame("{not json"));
	}
	if (model === "stall") {
		res.write(head);
		await sleep(3000);
		return void res.end(textStream(model, includeUsage));
	}
	if (model.startsWith("gated-")) {
		res.write(head);
		await gate(model.slice("gated-".length));
		res.write(sseFrame(chunk(model, { content: RELEASED })));
		res.write(sseFrame(chunk(model, {}, "stop")));
		return void res.end(sseFrame("[DONE]"));
	}
	if (model.startsWith("drip-")) {
		const counted = /^drip-(\d{1,4})-(.+)$/.exec(model);
		const total = counted ? Number(counted[1]) : 200;
		const status = { closedEarly: false, sent: 0, finished: false };
		dripStatus.set(counted ? (counted[2] ?? "") : model.slice("drip-".length), status);
		res.on("close", () => {
			if (!res.writableFinished) status.closedEarly = true;
		});
		res.write(sseFrame(chunk(model, { role: "assistant", content: "" })));
		for (let i = 0; i < total && !status.closedEarly; i++) {
			res.write(sseFrame(chunk(model, { content: `${i} ` })));
			status.sent += 1;
			await sleep(50);
		}
		res.write(sseFrame(chunk(model, {}, "stop")));
		if (includeUsage) {
			// Fewer tokens than the text's length suggests (~4 characters a token): an estimate would differ.
			res.write(
				sseFrame(
					JSON.stringify({ ...base(model), object: "chat.completion.chunk", choices: [], usage: DRIP_USAGE }),
				),
			);
		}
		status.finished = !status.closedEarly;
		return void res.end(sseFrame("[DONE]"));
	}
	return void res.end(
		sseFrame(JSON.stringify({ error: { message: `unknown scenario ${model}`, type: "server_error" } })),
	);
};
