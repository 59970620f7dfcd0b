import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { json, writeInPieces } from "./http";
import {
	BAD_REQUEST_ERROR,
	ERROR_EVENT,
	FAILED_ERROR,
	INCOMPLETE,
	INCOMPLETE_USAGE,
	modelNotFound,
	noToolCallFound,
	noToolOutputFound,
	PARTIAL_PIECES,
	previousResponseNotFound,
	RATE_LIMITED_ERROR,
	RATE_LIMITED_RETRY_AFTER,
	REASONING,
	responseNotFound,
	snapshotOf,
	TEXT_PIECES,
	TOOL_CALLS,
	TOOL_LOOP_CALL,
	toolLoopAnswer,
	UPSTREAM_REQUEST_ID,
	USAGE,
} from "./scenarios/openai-responses";

/**
 * A fake OpenAI Responses API, served by the fake OpenAI API (openai-fake.ts) under each of its bases
 * (`/v1`, `/groq/v1`): `POST {base}/responses` (streamed and not), `GET {base}/responses/{id}`,
 * `DELETE {base}/responses/{id}`, `GET {base}/responses/{id}/input_items`.
 *
 * Wire facts, from the `openai` package (6.49.0) unless noted:
 * - Objects and events: resources/responses/responses.d.ts (Response, ResponseOutputMessage,
 *   ResponseFunctionToolCall, ResponseReasoningItem, ResponseUsage and every ResponseStreamEvent).
 * - Streams are SSE with `event: <type>` and `data: <json>`; the SDK parses any event not named
 *   `thread.*` as JSON and throws an APIError when the data has an `error` key
 *   (core/streaming.js), so lifecycle events must not carry a top-level `error`.
 * - `client.responses.stream()` (lib/responses/ResponseStream.js, ResponseAccumulator.js) needs
 *   `response.created` first, then builds its snapshot from `response.output_item.added`,
 *   `response.content_part.added`, the deltas (by `output_index` and `content_index`) and
 *   `response.output_item.done`; every lifecycle event replaces the snapshot with its `response`.
 * - Every event has `type` and a rising `sequence_number` (required on every event type).
 * - `input_items` is a cursor page (`object: "list"`, `data`, `first_id`, `last_id`, `has_more`),
 *   newest first unless `order=asc` (resources/responses/input-items.d.ts); `limit` defaults to 20.
 * - `store` defaults to true; a stored response is retrievable and usable as
 *   `previous_response_id` (responses.d.ts, ResponseCreateParamsBase.store / previous_response_id).
 * - Error bodies: scenarios/openai-responses.ts, each with where it was recorded.
 *
 * The scenario is the request's `model`; what they answer is in scenarios/openai-responses.ts:
 *   text            a short answer with multi-byte characters, usage with cached and reasoning tokens
 *   reasoning       a reasoning item (summary if `reasoning.summary` is set, encrypted_content if
 *                   `include` has "reasoning.encrypted_content"), then text
 *   tools           two function_call items, arguments streamed in pieces split mid-escape
 *   tool-loop       a function_call; once the conversation has its function_call_output, text
 *                   quoting that output
 *   echo-request    text: the JSON of the body and relevant headers it received (never the key)
 *   incomplete      status incomplete, incomplete_details.reason max_output_tokens
 *   error-midstream streamed: two deltas, then `response.failed` (response.error server_error);
 *                   not streamed: 500 server_error
 *   error-event     streamed: two deltas, then an `error` event and the end of the stream;
 *                   not streamed: 500 server_error
 *   rate-limited    429 with retry-after
 *   bad-request     400 unsupported_parameter
 *   anything else   400 model_not_found
 * Before any scenario: Bearer auth (401 as the chat fake), a parseable body, a known
 * `previous_response_id` of the same key (else 400 previous_response_not_found), and a conversation
 * whose function calls and outputs pair up by `call_id` (else 400, as OpenAI checks every request).
 */

// Odd sizes, so events and multi-byte characters straddle writes; the large one keeps whole-response events quick.
const PIECES = [5, 1, 11, 3, 61, 2, 7, 509];
const SCENARIOS = new Set([
	"text",
	"reasoning",
	"tools",
	"tool-loop",
	"echo-request",
	"incomplete",
	"error-midstream",
	"error-event",
]);

type Item = Record<string, unknown> & { type: string; id?: string };
type ResponseObject = Record<string, unknown> & { id: string; output: Item[] };

interface ResponsesBody {
	model?: unknown;
	input?: unknown;
	instructions?: unknown;
	stream?: unknown;
	store?: unknown;
	previous_response_id?: unknown;
	include?: unknown;
	reasoning?: { effort?: unknown; summary?: unknown } | null;
	tools?: unknown;
	tool_choice?: unknown;
	parallel_tool_calls?: unknown;
	temperature?: unknown;
	top_p?: unknown;
	max_output_tokens?: unknown;
	metadata?: unknown;
	text?: unknown;
	user?: unknown;
}

interface Stored {
	/** The base whose key made it: another key's id is unknown to it. */
	base: string;
	response: ResponseObject;
	/** This request's own input, as items with ids (what input_items lists). */
	input: Item[];
	/** The whole conversation up to this response: earlier turns, this input, this output. */
	conversation: Item[];
}

/** The fake's own store of responses made with `store` not false, by id. */
const stored = new Map<string, Stored>();

/** OpenAI-style ids: a prefix and 48 hex digits (`resp_…`, `msg_…`, `fc_…`, `rs_…`). */
const newId = (prefix: string) => `${prefix}_${randomBytes(24).toString("hex")}`;

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === "object" && value !== null && !Array.isArray(value);

function invalid(res: ServerResponse, status: number, error: object, headers: Record<string, string> = {}) {
	json(res, status, { error }, { "x-request-id": UPSTREAM_REQUEST_ID, ...headers });
}

/** The request's `input` as items with ids, as input_items lists them (string content → input_text). */
function inputItems(input: unknown): Item[] {
	if (typeof input === "string") {
		return [
			{
				id: newId("msg"),
				type: "message",
				role: "user",
				status: "completed",
				content: [{ type: "input_text", text: input }],
			},
		];
	}
	if (!Array.isArray(input)) return [];
	return input.filter(isObject).map((raw): Item => {
		const type = typeof raw.type === "string" ? raw.type : "message";
		if (type === "message") {
			const role = String(raw.role ?? "user");
			const content =
				typeof raw.content === "string"
					? [
							role === "assistant"
								? { type: "output_text", text: raw.content, annotations: [] }
								: { type: "input_text", text: raw.content },
						]
					: raw.content;
			return { id: newId("msg"), status: "completed", ...raw, type, role, content };
		}
		// The fake's own prefix for output items it is given without an id.
		const prefix = type === "function_call" ? "fc" : type === "reasoning" ? "rs" : "fco";
		return { id: newId(prefix), ...raw, type, ...(type === "reasoning" ? {} : { status: "completed" }) };
	});
}

/**
 * OpenAI rejects a conversation whose calls and outputs do not pair: an output with no call before
 * it, or a call with no output (scenarios/openai-responses.ts cites the messages).
 */
function unpaired(conversation: Item[]): object | undefined {
	const calls = new Set<string>();
	const answered = new Set<string>();
	for (const item of conversation) {
		const callId = String(item.call_id ?? "");
		if (item.type === "function_call") calls.add(callId);
		if (item.type === "function_call_output") {
			if (!calls.has(callId)) return noToolCallFound(callId);
			answered.add(callId);
		}
	}
	for (const callId of calls) if (!answered.has(callId)) return noToolOutputFound(callId);
	return undefined;
}

function responseObject(body: ResponsesBody, model: string, id: string, createdAt: number): ResponseObject {
	const reasoning = isObject(body.reasoning) ? body.reasoning : {};
	return {
		id,
		object: "response",
		created_at: createdAt,
		status: "in_progress",
		background: false,
		completed_at: null,
		error: null,
		incomplete_details: null,
		instructions: body.instructions ?? null,
		max_output_tokens: body.max_output_tokens ?? null,
		max_tool_calls: null,
		model: snapshotOf(model),
		output: [],
		parallel_tool_calls: body.parallel_tool_calls ?? true,
		previous_response_id: body.previous_response_id ?? null,
		prompt_cache_key: null,
		reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
		safety_identifier: null,
		service_tier: "auto",
		store: body.store !== false,
		temperature: body.temperature ?? 1,
		text: isObject(body.text) ? body.text : { format: { type: "text" }, verbosity: "medium" },
		tool_choice: body.tool_choice ?? "auto",
		tools: Array.isArray(body.tools) ? body.tools : [],
		top_logprobs: 0,
		top_p: body.top_p ?? 1,
		truncation: "disabled",
		usage: null,
		user: body.user ?? null,
		metadata: isObject(body.metadata) ? body.metadata : {},
	};
}

/** One output item and how it streams: its events between `output_item.added` and `.done`. */
interface Planned {
	/** The item as `response.output_item.added` carries it (in progress, empty). */
	added: Item;
	/** The finished item (`response.output_item.done`, and the final `output`). */
	done: Item;
	/** The events in between, without `sequence_number`. */
	events: Array<Record<string, unknown>>;
}

function messageItem(pieces: string[], outputIndex: number, status = "completed"): Planned {
	const id = newId("msg");
	const text = pieces.join("");
	const at = { item_id: id, output_index: outputIndex, content_index: 0 };
	const part = { type: "output_text", annotations: [], logprobs: [], text };
	return {
		added: { id, type: "message", status: "in_progress", content: [], role: "assistant" },
		done: { id, type: "message", status, content: [part], role: "assistant" },
		events: [
			{ type: "response.content_part.added", ...at, part: { ...part, text: "" } },
			...pieces.map((delta) => ({ type: "response.output_text.delta", ...at, delta, logprobs: [] })),
			{ type: "response.output_text.done", ...at, text, logprobs: [] },
			{ type: "response.content_part.done", ...at, part },
		],
	};
}

function functionCallItem(
	call: { call_id: string; name: string; pieces: string[] },
	outputIndex: number,
): Planned {
	const id = newId("fc");
	const args = call.pieces.join("");
	const item = { id, type: "function_call", call_id: call.call_id, name: call.name };
	return {
		added: { ...item, status: "in_progress", arguments: "" },
		done: { ...item, status: "completed", arguments: args },
		events: [
			...call.pieces.map((delta) => ({
				type: "response.function_call_arguments.delta",
				item_id: id,
				output_index: outputIndex,
				delta,
			})),
			{
				type: "response.function_call_arguments.done",
				item_id: id,
				output_index: outputIndex,
				name: call.name,
				arguments: args,
			},
		],
	};
}

function reasoningItem(body: ResponsesBody, outputIndex: number): Planned {
	const id = newId("rs");
	const summarised = isObject(body.reasoning) && body.reasoning.summary != null;
	const encrypted =
		Array.isArray(body.include) && body.include.includes("reasoning.encrypted_content")
			? { encrypted_content: REASONING.encryptedContent }
			: {};
	const summary = summarised ? [{ type: "summary_text", text: REASONING.summary }] : [];
	const at = { item_id: id, output_index: outputIndex, summary_index: 0 };
	return {
		added: { id, type: "reasoning", summary: [], ...encrypted },
		done: { id, type: "reasoning", summary, ...encrypted },
		events: summarised
			? [
					{ type: "response.reasoning_summary_part.added", ...at, part: { type: "summary_text", text: "" } },
					...REASONING.summaryPieces.map((delta) => ({
						type: "response.reasoning_summary_text.delta",
						...at,
						delta,
					})),
					{ type: "response.reasoning_summary_text.done", ...at, text: REASONING.summary },
					{ type: "response.reasoning_summary_part.done", ...at, part: summary[0] },
				]
			: [],
	};
}

function echoed(req: IncomingMessage, body: ResponsesBody): string {
	const headers: Record<string, string> = {};
	for (const name of ["content-type", "accept", "openai-beta", "openai-organization", "openai-project"]) {
		const value = req.headers[name];
		if (typeof value === "string") headers[name] = value;
	}
	headers.authorization = req.headers.authorization?.startsWith("Bearer ") ? "Bearer (checked)" : "missing";
	return JSON.stringify({ body, headers });
}

/** The output of a scenario that answers: its items, and how the response ends. */
interface Plan {
	items: Planned[];
	status: "completed" | "incomplete";
	usage: object;
}

function plan(req: IncomingMessage, model: string, body: ResponsesBody, conversation: Item[]): Plan {
	const completed = (items: Planned[]): Plan => ({ items, status: "completed", usage: USAGE });
	switch (model) {
		case "reasoning":
			return completed([reasoningItem(body, 0), messageItem(REASONING.textPieces, 1)]);
		case "tools":
			return completed(TOOL_CALLS.map((call, index) => functionCallItem(call, index)));
		case "tool-loop": {
			const output = conversation.find(
				(item) => item.type === "function_call_output" && item.call_id === TOOL_LOOP_CALL.call_id,
			)?.output;
			if (output === undefined) {
				return completed([functionCallItem({ ...TOOL_LOOP_CALL, pieces: [TOOL_LOOP_CALL.arguments] }, 0)]);
			}
			return completed([
				messageItem([toolLoopAnswer(typeof output === "string" ? output : JSON.stringify(output))], 0),
			]);
		}
		case "echo-request":
			return completed([messageItem([echoed(req, body)], 0)]);
		case "incomplete":
			return {
				items: [messageItem(INCOMPLETE.pieces, 0, "incomplete")],
				status: "incomplete",
				usage: INCOMPLETE_USAGE,
			};
		default:
			return completed([messageItem(TEXT_PIECES, 0)]);
	}
}

/** The response at its end: status, output, usage, and for `incomplete` the reason. */
function finish(response: ResponseObject, result: Plan): ResponseObject {
	return {
		...response,
		status: result.status,
		completed_at: result.status === "completed" ? Math.floor(Date.now() / 1000) : null,
		incomplete_details: result.status === "incomplete" ? { reason: INCOMPLETE.reason } : null,
		output: result.items.map((item) => item.done),
		usage: result.usage,
	};
}

/** SSE frames for events, numbered from `sequence`: `event: <type>` then `data: <json>`. */
class EventWriter {
	private sequence = 0;
	private readonly frames: string[] = [];
	add(event: Record<string, unknown>): void {
		const data = { ...event, sequence_number: this.sequence++ };
		this.frames.push(`event: ${String(event.type)}\ndata: ${JSON.stringify(data)}\n\n`);
	}
	item(planned: Planned, outputIndex: number): void {
		this.add({ type: "response.output_item.added", output_index: outputIndex, item: planned.added });
		for (const event of planned.events) this.add(event);
		this.add({ type: "response.output_item.done", output_index: outputIndex, item: planned.done });
	}
	text(): string {
		return this.frames.join("");
	}
}

function openStream(res: ServerResponse): void {
	res.writeHead(200, {
		"content-type": "text/event-stream; charset=utf-8",
		"x-request-id": UPSTREAM_REQUEST_ID,
	});
}

/** `/v1/responses…` (or another base's): the base, the response id and the rest, or undefined. */
export function matchResponsesPath(
	pathname: string,
): { base: string; id?: string; rest?: string } | undefined {
	const match = /^(.*)\/responses(?:\/([^/]+)(\/input_items)?)?\/?$/.exec(pathname);
	if (!match) return undefined;
	return { base: match[1] ?? "", id: match[2], rest: match[3] };
}

/**
 * Answers a request to a Responses path. `base` is the path before `/responses` and `key` the key
 * it accepts (openai-fake.ts has already matched both).
 */
export async function handleResponses(
	req: IncomingMessage,
	rawBody: string,
	res: ServerResponse,
	path: { base: string; id?: string; rest?: string },
	key: string,
): Promise<void> {
	if (req.headers.authorization !== `Bearer ${key}`) {
		const given = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
		return invalid(res, 401, {
			message: `Incorrect API key provided: ${given.slice(0, 8)}***${given.slice(-4)}.`,
			type: "invalid_request_error",
			param: null,
			code: "invalid_api_key",
		});
	}
	const url = new URL(req.url ?? "/", "http://fake");
	if (path.id !== undefined) return storedRoute(req, res, url, path, path.id);
	if (req.method !== "POST") {
		return invalid(res, 404, {
			message: "Unknown request URL",
			type: "invalid_request_error",
			param: null,
			code: "unknown_url",
		});
	}

	let body: ResponsesBody;
	try {
		const parsed: unknown = JSON.parse(rawBody);
		if (!isObject(parsed)) throw new Error("not an object");
		body = parsed;
	} catch {
		return invalid(res, 400, {
			message: "We could not parse the JSON body of your request.",
			type: "invalid_request_error",
			param: null,
			code: null,
		});
	}
	const model = typeof body.model === "string" ? body.model : "";
	if (!model) {
		return invalid(res, 400, {
			message: "Missing required parameter: 'model'.",
			type: "invalid_request_error",
			param: "model",
			code: "missing_required_parameter",
		});
	}
	if (model === "rate-limited") {
		return invalid(res, 429, RATE_LIMITED_ERROR, { "retry-after": RATE_LIMITED_RETRY_AFTER });
	}
	if (model === "bad-request") return invalid(res, 400, BAD_REQUEST_ERROR);
	if (!SCENARIOS.has(model)) return invalid(res, 400, modelNotFound(model));

	let earlier: Item[] = [];
	if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
		const previous = stored.get(String(body.previous_response_id));
		if (!previous || previous.base !== path.base) {
			return invalid(res, 400, previousResponseNotFound(String(body.previous_response_id)));
		}
		earlier = previous.conversation;
	}
	const input = inputItems(body.input);
	const conversation = [...earlier, ...input];
	const mispaired = unpaired(conversation);
	if (mispaired) return invalid(res, 400, mispaired);

	const stream = body.stream === true;
	const failing = model === "error-midstream" || model === "error-event";
	if (failing && !stream) {
		return invalid(res, 500, {
			message: FAILED_ERROR.message,
			type: "server_error",
			param: null,
			code: "server_error",
		});
	}

	const start = responseObject(body, model, newId("resp"), Math.floor(Date.now() / 1000));
	if (failing) {
		// A partial answer, then the failure: `response.failed` wraps the whole response with
		// status "failed" and `error` (ResponseFailedEvent, ResponseError); `error` is the flat
		// ResponseErrorEvent, after which the stream ends with no lifecycle event.
		const events = new EventWriter();
		events.add({ type: "response.created", response: start });
		events.add({ type: "response.in_progress", response: start });
		const partial = messageItem(PARTIAL_PIECES, 0, "incomplete");
		const at = { item_id: partial.added.id, output_index: 0, content_index: 0 };
		events.add({ type: "response.output_item.added", output_index: 0, item: partial.added });
		events.add(partial.events[0] ?? {});
		for (const delta of PARTIAL_PIECES)
			events.add({ type: "response.output_text.delta", ...at, delta, logprobs: [] });
		if (model === "error-midstream") {
			events.add({
				type: "response.failed",
				response: {
					...start,
					status: "failed",
					error: FAILED_ERROR,
					output: [{ ...partial.added, status: "incomplete", content: partial.done.content }],
				},
			});
		} else {
			events.add({ type: "error", ...ERROR_EVENT });
		}
		openStream(res);
		await writeInPieces(res, events.text(), PIECES);
		return void res.end();
	}

	const result = plan(req, model, body, conversation);
	const final = finish(start, result);
	if (body.store !== false) {
		stored.set(final.id, {
			base: path.base,
			response: final,
			input,
			conversation: [...conversation, ...final.output],
		});
	}
	if (!stream) return json(res, 200, final, { "x-request-id": UPSTREAM_REQUEST_ID });

	const events = new EventWriter();
	events.add({ type: "response.created", response: start });
	events.add({ type: "response.in_progress", response: start });
	for (const [index, item] of result.items.entries()) events.item(item, index);
	events.add({
		type: final.status === "incomplete" ? "response.incomplete" : "response.completed",
		response: final,
	});
	openStream(res);
	await writeInPieces(res, events.text(), PIECES);
	res.end();
}

async function storedRoute(
	req: IncomingMessage,
	res: ServerResponse,
	url: URL,
	path: { base: string; rest?: string },
	id: string,
): Promise<void> {
	const found = stored.get(id);
	if (!found || found.base !== path.base) return invalid(res, 404, responseNotFound(id));
	if (req.method === "GET" && path.rest === undefined) {
		return json(res, 200, found.response, { "x-request-id": UPSTREAM_REQUEST_ID });
	}
	if (req.method === "DELETE" && path.rest === undefined) {
		stored.delete(id);
		// The deletion body of OpenAI's reference ("Delete a model response"): id, object, deleted.
		return json(res, 200, { id, object: "response", deleted: true });
	}
	if (req.method === "GET" && path.rest === "/input_items") {
		const ordered = url.searchParams.get("order") === "asc" ? [...found.input] : [...found.input].reverse();
		const after = url.searchParams.get("after");
		const from = after ? ordered.findIndex((item) => item.id === after) + 1 : 0;
		const limit = Math.min(100, Math.max(1, Number(url.searchParams.get("limit") ?? 20) || 20));
		const data = ordered.slice(from, from + limit);
		return json(res, 200, {
			object: "list",
			data,
			first_id: data[0]?.id ?? null,
			last_id: data.at(-1)?.id ?? null,
			has_more: from + limit < ordered.length,
		});
	}
	return invalid(res, 404, {
		message: "Unknown request URL",
		type: "invalid_request_error",
		param: null,
		code: "unknown_url",
	});
}
