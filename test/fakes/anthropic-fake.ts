import type { IncomingMessage, ServerResponse } from "node:http";
import { missingFixtureMessage, readFixture } from "./fixtures";
import type { FakeHandler } from "./http";
import { json, writeInPieces } from "./http";
import {
	ANTHROPIC_KEY,
	BAD_REQUEST_MESSAGE,
	CACHED_TEXT,
	CACHED_USAGE,
	canonicalJson,
	countTokensOf,
	JSON_TOOL_INPUT,
	PARTIAL_TEXT,
	PARTIAL_USAGE,
	RATE_LIMITED_RETRY_AFTER,
	signatureOf,
	TEXT,
	TEXT_USAGE,
	THINKING,
	THINKING_TOOL_LOOP,
	TOOL_LOOP,
	TOOL_NO_ARGS,
	TOOLS_PARALLEL,
} from "./scenarios/anthropic";

/**
 * A fake Anthropic Messages API speaking the real wire format: `POST /v1/messages` and
 * `POST /v1/messages/count_tokens` (also with the `?beta=true` the SDK's beta client adds),
 * `x-api-key` and `anthropic-version` checked, request bodies validated the way Anthropic does where
 * translators go wrong (and accepting what native clients such as Claude Code send: `cache_control`
 * breakpoints, server tools, `metadata.user_id`, string contents), and streams with `event:` lines,
 * `ping` events, trailing-space padding inside `data:` lines, written in odd-sized byte pieces so
 * multi-byte UTF-8 characters are split.
 *
 * The request's `model` (the catalog's upstream_model) picks the scenario; what they answer is in
 * scenarios/anthropic.ts:
 *   text            "Héllo, wörld! 👋 How can I help?" (usage 21 in / 9 out)
 *   cached          short text; usage 10 in, 300 cache writes, 2000 cache reads, 5 out
 *   tools-parallel  text "Let me check both." + get_weather {city:"Paris"} + get_time {zone:"Europe/Rome"}
 *   tool-no-args    text + refresh_inbox with no arguments (only `partial_json: ""`)
 *   tool-loop       1st turn: get_weather {city:"Paris"} as toolu_loop_1; 2nd turn (tool_result present):
 *                   checks the assistant and tool_result turns field by field, 400 on any difference,
 *                   else "In Paris it is 18°C and sunny." (Compared as Anthropic reads them: a string
 *                   content is one text block, key order and cache_control breakpoints do not matter;
 *                   the same holds for thinking-tool-loop.)
 *   thinking        a thinking block (with signature), a redacted_thinking block, then text "42"
 *   thinking-tool-loop  with thinking on: 1st turn signed thinking + redacted_thinking + get_weather;
 *                   2nd turn (tool_result present) must carry both blocks back unchanged, first in the
 *                   assistant turn, else 400; then thinking + the final text (THINKING_TOOL_LOOP)
 *   refusal         no content, stop_reason refusal with stop_details
 *   max-tokens      text cut off, stop_reason max_tokens
 *   stop-sequence   text, stop_reason stop_sequence
 *   json-tool       answers the forced tool (tool_choice.type "tool", else 400) with {"answer":42,"unit":"°C"}
 *   echo-request    a text block whose text is JSON {headers, body} of what the fake received (headers:
 *                   anthropic-version, content-type, anthropic-beta; never the key)
 *   error-midstream stream: text, then `event: error` overloaded_error; non-stream: 529
 *   truncated       stream: text, then the connection ends (no message_delta); non-stream: as text
 *   garbage         200 with a body that is not a message / a stream event that is not JSON
 *   overloaded      HTTP 529 overloaded_error        rate-limited  HTTP 429, retry-after: 17
 *   server-error    HTTP 500 api_error               bad-request   HTTP 400 invalid_request_error
 *   forbidden       HTTP 403 permission_error        too-large     HTTP 413 (plain text, as Cloudflare sends)
 *   replay-text, replay-tool-no-args, replay-quoted-tool, replay-thinking, replay-server-tools
 *                   stream the recorded responses in anthropic/ of the fixtures folder (fixtures.ts);
 *                   HTTP 500 api_error naming the file when it is not there
 *   anything else   HTTP 404 not_found_error "model: <name>", as Anthropic answers an unknown model
 *
 * count_tokens: validated like messages, minus max_tokens, stream and the sampling fields (which
 * Anthropic refuses there as extra inputs). The HTTP error scenarios answer their error; the other
 * scenarios above answer `{"input_tokens": countTokensOf(request)}` (scenarios/anthropic.ts),
 * `garbage` a body that is not a count; an unknown model the same 404 as messages.
 */

const PIECES = [7, 3, 11, 1, 5, 2, 13];

type Obj = Record<string, unknown>;
type Block = Obj & { type: string };
interface Answer {
	content: Block[];
	stop_reason: string;
	usage: {
		input_tokens: number;
		output_tokens: number;
		cache_creation_input_tokens?: number;
		cache_read_input_tokens?: number;
		cache_creation?: Obj;
	};
	stop_details?: Obj;
}

const isObj = (value: unknown): value is Obj =>
	typeof value === "object" && value !== null && !Array.isArray(value);
const errorBody = (type: string, message: string) => ({
	type: "error",
	error: { type, message },
	request_id: "req_fake",
});
const invalid = (res: ServerResponse, message: string) =>
	json(res, 400, errorBody("invalid_request_error", message));

const MESSAGES_PATH = "/v1/messages";
const COUNT_TOKENS_PATH = "/v1/messages/count_tokens";

export const handleAnthropic: FakeHandler = async (req, body, res) => {
	// The query (the SDK's beta client adds `?beta=true`) does not change what the API does.
	const url = new URL(req.url ?? "/", "http://fake");
	const counting = url.pathname === COUNT_TOKENS_PATH;
	if (req.method !== "POST" || (url.pathname !== MESSAGES_PATH && !counting)) {
		return json(res, 404, errorBody("not_found_error", "Not found"));
	}
	if (req.headers["x-api-key"] !== ANTHROPIC_KEY)
		return json(res, 401, errorBody("authentication_error", "invalid x-api-key"));
	if (!req.headers["anthropic-version"]) return invalid(res, "anthropic-version: header is required");
	let request: unknown;
	try {
		request = JSON.parse(body);
	} catch {
		return invalid(res, "There was an issue with your request body: not valid JSON");
	}
	if (!isObj(request)) return invalid(res, "request body must be an object");
	const problem = counting ? validateCount(request) : validate(request);
	if (problem) return invalid(res, problem);
	if (counting) return countTokens(String(request.model), request, res);
	const answer = await respond(String(request.model), request, req, res);
	if (!answer) return;
	if (request.stream === true) await stream(res, answerEvents(answer, String(request.model)));
	else
		json(res, 200, {
			id: "msg_fake",
			type: "message",
			role: "assistant",
			model: request.model,
			...answer,
			stop_sequence: null,
		});
};

/** The scenarios that answer an HTTP error, to messages and count_tokens alike. */
const HTTP_ERRORS = new Map<string, (res: ServerResponse) => void>([
	[
		"overloaded",
		(res) => json(res, 529, errorBody("overloaded_error", "Overloaded"), { "retry-after": "3" }),
	],
	[
		"rate-limited",
		(res) =>
			json(
				res,
				429,
				errorBody("rate_limit_error", "This request would exceed your organization's rate limit."),
				{
					"retry-after": RATE_LIMITED_RETRY_AFTER,
					"anthropic-ratelimit-requests-remaining": "0",
				},
			),
	],
	["server-error", (res) => json(res, 500, errorBody("api_error", "Internal server error"))],
	["bad-request", (res) => invalid(res, BAD_REQUEST_MESSAGE)],
	[
		"forbidden",
		(res) => json(res, 403, errorBody("permission_error", `key ${ANTHROPIC_KEY} may not use this model`)),
	],
	[
		"too-large",
		(res) => {
			res.writeHead(413, { "content-type": "text/html" });
			res.end("<html><body>413 Request Entity Too Large</body></html>");
		},
	],
]);

/** The scenarios that answer a message, hence a token count. */
const COUNTED = new Set([
	"text",
	"cached",
	"tools-parallel",
	"tool-no-args",
	"tool-loop",
	"thinking-tool-loop",
	"thinking",
	"refusal",
	"max-tokens",
	"stop-sequence",
	"json-tool",
	"echo-request",
	"error-midstream",
	"truncated",
]);

function countTokens(model: string, request: Obj, res: ServerResponse): void {
	const error = HTTP_ERRORS.get(model);
	if (error) error(res);
	else if (model === "garbage") json(res, 200, { hello: "not a count" });
	else if (!COUNTED.has(model) && !Object.hasOwn(REPLAYS, model))
		json(res, 404, errorBody("not_found_error", `model: ${model}`));
	else json(res, 200, { input_tokens: countTokensOf(request) });
}

/** Sends the HTTP-level scenarios itself and returns undefined; otherwise returns the answer to send. */
async function respond(
	model: string,
	request: Obj,
	req: IncomingMessage,
	res: ServerResponse,
): Promise<Answer | undefined> {
	const error = HTTP_ERRORS.get(model);
	if (error) {
		error(res);
		return undefined;
	}
	const text = (value: string, stop_reason = "end_turn", usage: Answer["usage"] = TEXT_USAGE) => ({
		content: [{ type: "text", text: value }],
		stop_reason,
		usage,
	});
	const messages = request.messages as Obj[];
	switch (model) {
		case "text":
			return text(TEXT);
		case "cached":
			return text(CACHED_TEXT, "end_turn", CACHED_USAGE);
		case "tools-parallel":
			return {
				content: [
					{ type: "text", text: TOOLS_PARALLEL.text },
					...TOOLS_PARALLEL.calls.map((call) => ({ type: "tool_use", ...call })),
				],
				stop_reason: "tool_use",
				usage: TOOLS_PARALLEL.usage,
			};
		case "tool-no-args":
			return {
				content: [
					{ type: "text", text: TOOL_NO_ARGS.text },
					{ type: "tool_use", ...TOOL_NO_ARGS.call, input: {} },
				],
				stop_reason: "tool_use",
				usage: TOOL_NO_ARGS.usage,
			};
		case "tool-loop":
			return toolLoop(messages, res);
		case "thinking-tool-loop":
			return thinkingToolLoop(request, res);
		case "thinking":
			return {
				content: [
					{ type: "thinking", thinking: THINKING.thinking, signature: THINKING.signature },
					{ type: "redacted_thinking", data: THINKING.redacted },
					{ type: "text", text: THINKING.text },
				],
				stop_reason: "end_turn",
				usage: THINKING.usage,
			};
		case "refusal":
			return {
				content: [],
				stop_reason: "refusal",
				stop_details: { type: "refusal", category: "cyber", explanation: "Declined." },
				usage: { input_tokens: 15, output_tokens: 1 },
			};
		case "max-tokens":
			return text("This answer is cut", "max_tokens", { input_tokens: 12, output_tokens: 5 });
		case "stop-sequence":
			return text("Counting: 1, 2,", "stop_sequence", { input_tokens: 12, output_tokens: 6 });
		case "json-tool": {
			const choice = request.tool_choice;
			if (!isObj(choice) || choice.type !== "tool" || typeof choice.name !== "string") {
				invalid(res, "fake json-tool: expected tool_choice {type:'tool', name}");
				return undefined;
			}
			return {
				content: [{ type: "tool_use", id: "toolu_fake_json", name: choice.name, input: JSON_TOOL_INPUT }],
				stop_reason: "tool_use",
				usage: { input_tokens: 50, output_tokens: 20 },
			};
		}
		case "echo-request": {
			const headers: Obj = {};
			for (const name of ["anthropic-version", "content-type", "anthropic-beta"])
				headers[name] = req.headers[name] ?? null;
			return text(JSON.stringify({ headers, body: request }), "end_turn", {
				input_tokens: 10,
				output_tokens: 10,
			});
		}
		case "error-midstream":
		case "truncated":
			if (model === "error-midstream" && request.stream !== true) {
				json(res, 529, errorBody("overloaded_error", "Overloaded"));
				return undefined;
			}
			return text(PARTIAL_TEXT, "end_turn", PARTIAL_USAGE);
		case "garbage":
			if (request.stream === true) {
				res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
				await writeInPieces(res, 'event: message_start\ndata: {"type":"message_start",\n\n', PIECES);
				res.end();
			} else json(res, 200, { hello: "not a message" });
			return undefined;
		default:
			if (model.startsWith("replay-")) {
				await replay(model, res);
				return undefined;
			}
			json(res, 404, errorBody("not_found_error", `model: ${model}`));
			return undefined;
	}
}

/** The expected second turn of the tool-loop scenario, as the gateway must translate it. */
const LOOP_CALL = { type: "tool_use", ...TOOL_LOOP.call };
const LOOP_RESULT = { type: "tool_result", tool_use_id: TOOL_LOOP.call.id, content: TOOL_LOOP.result };

/**
 * A message as Anthropic reads it: a string content is one text block, as is a tool_result's string
 * content; a cache_control breakpoint only marks where to cache. Compared with canonicalJson, so
 * key order does not matter either.
 */
function readAsAnthropic(message: unknown): unknown {
	if (!isObj(message)) return message;
	const content = typeof message.content === "string" ? [textBlock(message.content)] : message.content;
	return { ...message, content: Array.isArray(content) ? content.map(blockAsAnthropic) : content };
}
const textBlock = (text: string) => ({ type: "text", text });
function blockAsAnthropic(block: unknown): unknown {
	if (!isObj(block)) return block;
	const { cache_control: _breakpoint, ...rest } = block;
	if (rest.type === "tool_result") {
		const content = typeof rest.content === "string" ? [textBlock(rest.content)] : rest.content;
		rest.content = Array.isArray(content) ? content.map(blockAsAnthropic) : content;
	}
	return rest;
}
const sameHistory = (got: Obj[], expected: Obj[]) =>
	canonicalJson(got.map(readAsAnthropic)) === canonicalJson(expected.map(readAsAnthropic));

function toolLoop(messages: Obj[], res: ServerResponse): Answer | undefined {
	const last = messages.at(-1);
	const hasResult =
		Array.isArray(last?.content) &&
		last.content.some((block) => isObj(block) && block.type === "tool_result");
	if (!hasResult) {
		return { content: [LOOP_CALL], stop_reason: "tool_use", usage: TOOL_LOOP.callUsage };
	}
	const expected = [
		{ role: "user", content: [{ type: "text", text: TOOL_LOOP.question }] },
		{ role: "assistant", content: [LOOP_CALL] },
		{ role: "user", content: [LOOP_RESULT] },
	];
	if (!sameHistory(messages, expected)) {
		invalid(
			res,
			`fake tool-loop: second request differs. expected ${JSON.stringify(expected)} got ${JSON.stringify(messages)}`,
		);
		return undefined;
	}
	return {
		content: [{ type: "text", text: TOOL_LOOP.answer }],
		stop_reason: "end_turn",
		usage: TOOL_LOOP.answerUsage,
	};
}

function thinkingToolLoop(request: Obj, res: ServerResponse): Answer | undefined {
	const loop = THINKING_TOOL_LOOP;
	const messages = request.messages as Obj[];
	if (!isObj(request.thinking) || request.thinking.type !== "enabled") {
		invalid(res, "fake thinking-tool-loop: thinking must be enabled on every turn");
		return undefined;
	}
	const signed = { type: "thinking", thinking: loop.thinking, signature: signatureOf(loop.thinking) };
	const redacted = { type: "redacted_thinking", data: loop.redacted };
	const call = { type: "tool_use", ...loop.call };
	if (messages.length === 1) {
		return { content: [signed, redacted, call], stop_reason: "tool_use", usage: loop.callUsage };
	}
	const expected = [
		{ role: "user", content: [{ type: "text", text: loop.question }] },
		{ role: "assistant", content: [signed, redacted, call] },
		{ role: "user", content: [{ type: "tool_result", tool_use_id: loop.call.id, content: loop.result }] },
	];
	if (!sameHistory(messages, expected)) {
		invalid(
			res,
			`fake thinking-tool-loop: second request differs. expected ${JSON.stringify(expected)} got ${JSON.stringify(messages)}`,
		);
		return undefined;
	}
	return {
		content: [
			{ type: "thinking", thinking: loop.answerThinking, signature: signatureOf(loop.answerThinking) },
			{ type: "text", text: loop.answer },
		],
		stop_reason: "end_turn",
		usage: loop.answerUsage,
	};
}

// ---------------------------------------------------------------------------------------------------
// Validation: what Anthropic rejects with 400 (https://docs.anthropic.com/en/api/messages).

const TOP_LEVEL = new Set([
	"model",
	"max_tokens",
	"messages",
	"system",
	"temperature",
	"top_p",
	"top_k",
	"stop_sequences",
	"stream",
	"tools",
	"tool_choice",
	"thinking",
	"metadata",
	"service_tier",
	"container",
	"mcp_servers",
	"context_management",
	"output_config",
	"cache_control",
]);
/** count_tokens takes what shapes the prompt, not what shapes the generation. */
const COUNT_TOP_LEVEL = new Set([
	"model",
	"messages",
	"system",
	"tools",
	"tool_choice",
	"thinking",
	"mcp_servers",
	"context_management",
	"output_config",
	"cache_control",
]);
const MEDIA = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);
/** Anthropic's limit on cache_control breakpoints in one request (system, tools and message blocks). */
const MAX_BREAKPOINTS = 4;
/** Server and Anthropic-defined tools: their `type` (versioned by date) and the `name` each must have. */
const SERVER_TOOLS: Array<[RegExp, string]> = [
	[/^web_search_\d{8}$/, "web_search"],
	[/^web_fetch_\d{8}$/, "web_fetch"],
	[/^code_execution_\d{8}$/, "code_execution"],
	[/^bash_\d{8}$/, "bash"],
	[/^text_editor_20250124$/, "str_replace_editor"],
	[/^text_editor_\d{8}$/, "str_replace_based_edit_tool"],
	[/^memory_\d{8}$/, "memory"],
	[/^computer_\d{8}$/, "computer"],
	[/^tool_search_tool_bm25(_\d{8})?$/, "tool_search_tool_bm25"],
	[/^tool_search_tool_regex(_\d{8})?$/, "tool_search_tool_regex"],
];

function validate(r: Obj): string | undefined {
	for (const key of Object.keys(r)) if (!TOP_LEVEL.has(key)) return `${key}: Extra inputs are not permitted`;
	if (typeof r.model !== "string" || r.model === "") return "model: Field required";
	if (!Number.isInteger(r.max_tokens) || (r.max_tokens as number) < 1) return "max_tokens: Field required";
	if (
		r.temperature !== undefined &&
		!(typeof r.temperature === "number" && r.temperature >= 0 && r.temperature <= 1)
	) {
		return "temperature: Input should be less than or equal to 1";
	}
	if (r.top_p !== undefined && !(typeof r.top_p === "number" && r.top_p >= 0 && r.top_p <= 1))
		return "top_p: invalid";
	if (
		r.stop_sequences !== undefined &&
		!(
			Array.isArray(r.stop_sequences) &&
			r.stop_sequences.every((s) => typeof s === "string" && s.trim() !== "")
		)
	) {
		return "stop_sequences: each stop sequence must contain non-whitespace";
	}
	if (r.metadata !== undefined) {
		const problem = checkMetadata(r.metadata);
		if (problem) return problem;
	}
	if (isObj(r.thinking) && r.thinking.type === "enabled") {
		if (typeof r.thinking.budget_tokens === "number" && r.thinking.budget_tokens >= (r.max_tokens as number))
			return "`max_tokens` must be greater than `thinking.budget_tokens`";
		if (r.temperature !== undefined && r.temperature !== 1)
			return "`temperature` may only be set to 1 when thinking is enabled.";
	}
	return validatePrompt(r);
}

function validateCount(r: Obj): string | undefined {
	for (const key of Object.keys(r))
		if (!COUNT_TOP_LEVEL.has(key)) return `${key}: Extra inputs are not permitted`;
	if (typeof r.model !== "string" || r.model === "") return "model: Field required";
	return validatePrompt(r);
}

/** What messages and count_tokens check alike: system, tools, tool_choice, thinking, messages, breakpoints. */
function validatePrompt(r: Obj): string | undefined {
	const topCache = checkCacheControl(r.cache_control, "");
	if (topCache) return topCache;
	if (r.system !== undefined && typeof r.system !== "string") {
		if (!Array.isArray(r.system)) return "system: Input should be a valid list";
		for (const [i, block] of r.system.entries()) {
			if (!isObj(block) || block.type !== "text") return `system.${i}.type: Input should be 'text'`;
			const problem = checkBlock(block, "user", `system.${i}`);
			if (problem) return problem;
		}
	}
	const toolNames = new Set<string>();
	if (r.tools !== undefined) {
		if (!Array.isArray(r.tools)) return "tools: Input should be a valid list";
		for (const [i, tool] of r.tools.entries()) {
			const problem = checkTool(tool, `tools.${i}`);
			if (problem) return problem;
			toolNames.add(String((tool as Obj).name));
		}
	}
	if (r.tool_choice !== undefined) {
		const choice = r.tool_choice;
		if (!isObj(choice) || !["auto", "any", "tool", "none"].includes(String(choice.type)))
			return "tool_choice: invalid";
		if (choice.type === "tool" && !toolNames.has(String(choice.name)))
			return `tool_choice: tool '${choice.name}' not found in tools`;
	}
	if (r.thinking !== undefined) {
		const thinking = r.thinking;
		if (!isObj(thinking) || !["enabled", "disabled", "adaptive"].includes(String(thinking.type)))
			return "thinking: invalid";
		if (thinking.type === "enabled") {
			if (typeof thinking.budget_tokens !== "number") return "thinking.enabled.budget_tokens: Field required";
			if (thinking.budget_tokens < 1024)
				return "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024";
		}
		if (
			thinking.type !== "disabled" &&
			isObj(r.tool_choice) &&
			(r.tool_choice.type === "any" || r.tool_choice.type === "tool")
		) {
			return "Thinking may not be enabled when tool_choice forces tool use.";
		}
	}
	const problem = validateMessages(r.messages);
	if (problem) return problem;
	const breakpoints = countBreakpoints(r);
	if (breakpoints > MAX_BREAKPOINTS)
		return `A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`;
	return undefined;
}

/** A custom tool (`input_schema`, no type or type "custom"), or a server tool named as its type requires. */
function checkTool(tool: unknown, where: string): string | undefined {
	if (!isObj(tool)) return `${where}: Input should be an object`;
	const type = tool.type ?? "custom";
	if (type === "custom") {
		if (typeof tool.name !== "string" || !/^[a-zA-Z0-9_-]{1,128}$/.test(tool.name))
			return `${where}.name: invalid`;
		if (!isObj(tool.input_schema) || tool.input_schema.type !== "object")
			return `${where}.custom.input_schema.type: Field required`;
	} else {
		const name = SERVER_TOOLS.find(([pattern]) => pattern.test(String(type)))?.[1];
		if (name === undefined)
			return `${where}: Input tag '${String(type)}' found using 'type' does not match any of the expected tags`;
		if (tool.name !== name) return `${where}.${String(type)}.name: Input should be '${name}'`;
		if (tool.input_schema !== undefined)
			return `${where}.${String(type)}.input_schema: Extra inputs are not permitted`;
		if (tool.max_uses != null && !(Number.isInteger(tool.max_uses) && (tool.max_uses as number) > 0))
			return `${where}.${String(type)}.max_uses: Input should be greater than 0`;
	}
	return checkCacheControl(tool.cache_control, `${where}.`);
}

function checkCacheControl(value: unknown, prefix: string): string | undefined {
	if (value === undefined || value === null) return undefined;
	if (!isObj(value) || value.type !== "ephemeral")
		return `${prefix}cache_control.type: Input should be 'ephemeral'`;
	if (value.ttl !== undefined && value.ttl !== "5m" && value.ttl !== "1h")
		return `${prefix}cache_control.ttl: Input should be '5m' or '1h'`;
	return undefined;
}

/** The cache_control breakpoints of a request: on system blocks, tools and message content blocks. */
function countBreakpoints(r: Obj): number {
	const marked = (item: unknown) => isObj(item) && isObj(item.cache_control);
	const lists = [r.system, r.tools, ...(r.messages as Obj[]).map((message) => message.content)];
	return lists.reduce<number>((sum, list) => sum + (Array.isArray(list) ? list.filter(marked).length : 0), 0);
}

function checkMetadata(metadata: unknown): string | undefined {
	if (!isObj(metadata)) return "metadata: Input should be a valid dictionary";
	for (const key of Object.keys(metadata))
		if (key !== "user_id") return `metadata.${key}: Extra inputs are not permitted`;
	const id = metadata.user_id;
	if (id !== undefined && id !== null && !(typeof id === "string" && id.length <= 256))
		return "metadata.user_id: Input should be a string of at most 256 characters";
	return undefined;
}

function validateMessages(messages: unknown): string | undefined {
	if (!Array.isArray(messages) || messages.length === 0) return "messages: at least one message is required";
	let previousToolUses = new Set<string>();
	for (const [i, message] of messages.entries()) {
		if (!isObj(message)) return `messages.${i}: Input should be an object`;
		const role = message.role;
		if (role !== "user" && role !== "assistant") {
			return `messages.${i}.role: Unexpected role "${String(role)}". The Messages API accepts a top-level \`system\` parameter, not "system" as an input message role.`;
		}
		if (i === 0 && role !== "user") return 'messages: first message must use the "user" role';
		if (i > 0 && (messages[i - 1] as Obj).role === role)
			return 'messages: roles must alternate between "user" and "assistant"';
		const content =
			typeof message.content === "string" ? [{ type: "text", text: message.content }] : message.content;
		if (!Array.isArray(content) || content.length === 0) {
			return `messages.${i}: all messages must have non-empty content except for the optional final assistant message`;
		}
		const toolUses = new Set<string>();
		let seenOther = false;
		for (const [j, block] of content.entries()) {
			const where = `messages.${i}.content.${j}`;
			const problem = checkBlock(block, role, where);
			if (problem) return problem;
			const b = block as Block;
			if (b.type === "tool_use") toolUses.add(String(b.id));
			if (b.type === "tool_result") {
				if (seenOther)
					return `${where}: tool_result blocks must come before any other content in a user message`;
				if (!previousToolUses.has(String(b.tool_use_id))) {
					return `${where}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(b.tool_use_id)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
				}
				previousToolUses.delete(String(b.tool_use_id));
			} else seenOther = true;
		}
		if (role === "user" && previousToolUses.size > 0) {
			return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${[...previousToolUses].join(", ")}`;
		}
		previousToolUses = toolUses;
	}
	return undefined;
}

function checkBlock(block: unknown, role: string, where: string): string | undefined {
	if (!isObj(block) || typeof block.type !== "string")
		return `${where}: Input should be an object with a type`;
	const cache = checkCacheControl(block.cache_control, `${where}.`);
	if (cache) return cache;
	switch (block.type) {
		case "text":
			return typeof block.text === "string" && block.text !== ""
				? undefined
				: `${where}: text content blocks must be non-empty`;
		case "image": {
			if (role !== "user") return `${where}: images are only allowed in user messages`;
			const source = block.source;
			if (!isObj(source)) return `${where}.source: Field required`;
			if (source.type === "url")
				return typeof source.url === "string" && source.url.startsWith("https://")
					? undefined
					: `${where}.source.url: invalid`;
			if (source.type !== "base64" || !MEDIA.has(String(source.media_type)))
				return `${where}.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`;
			return typeof source.data === "string" && /^[A-Za-z0-9+/]+=*$/.test(source.data)
				? undefined
				: `${where}.source.data: invalid base64`;
		}
		case "document":
			return role === "user" && isObj(block.source) ? undefined : `${where}: invalid document`;
		case "tool_use":
			if (role !== "assistant") return `${where}: tool_use blocks are only allowed in assistant messages`;
			return typeof block.id === "string" && typeof block.name === "string" && isObj(block.input)
				? undefined
				: `${where}: invalid tool_use`;
		case "thinking":
			if (role !== "assistant") return `${where}: thinking blocks are only allowed in assistant messages`;
			return typeof block.thinking === "string" && typeof block.signature === "string"
				? undefined
				: `${where}.signature: Field required`;
		case "redacted_thinking":
			if (role !== "assistant") return `${where}: thinking blocks are only allowed in assistant messages`;
			return typeof block.data === "string" ? undefined : `${where}.data: Field required`;
		case "tool_result":
			if (role !== "user") return `${where}: tool_result blocks are only allowed in user messages`;
			if (block.content === undefined || typeof block.content === "string") return undefined;
			return Array.isArray(block.content) ? undefined : `${where}.content: invalid`;
		case "server_tool_use":
			// A server tool's call and its result (web_search_tool_result, …) stay in the assistant turn.
			if (role !== "assistant")
				return `${where}: server_tool_use blocks are only allowed in assistant messages`;
			return typeof block.id === "string" && typeof block.name === "string" && isObj(block.input)
				? undefined
				: `${where}: invalid server_tool_use`;
		default:
			if (block.type.endsWith("_tool_result") && role === "assistant")
				return typeof block.tool_use_id === "string" ? undefined : `${where}.tool_use_id: Field required`;
			return `${where}.type: Input tag '${block.type}' is not supported`;
	}
}

// ---------------------------------------------------------------------------------------------------
// Streaming.

/** The events Anthropic would stream for `answer`, text and JSON split into small deltas. */
function answerEvents(answer: Answer, model: string): Obj[] {
	const { usage } = answer;
	const events: Obj[] = [
		{
			type: "message_start",
			message: {
				id: "msg_fake",
				type: "message",
				role: "assistant",
				model,
				content: [],
				stop_reason: null,
				stop_sequence: null,
				usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...usage, output_tokens: 1 },
			},
		},
	];
	answer.content.forEach((block, index) => {
		const delta = (d: Obj) => events.push({ type: "content_block_delta", index, delta: d });
		if (block.type === "text") {
			events.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
			if (index === 0) events.push({ type: "ping" });
			for (const piece of splitText(String(block.text), 6)) delta({ type: "text_delta", text: piece });
		} else if (block.type === "tool_use" || block.type === "server_tool_use") {
			events.push({ type: "content_block_start", index, content_block: { ...block, input: {} } });
			delta({ type: "input_json_delta", partial_json: "" });
			const input = Object.keys(block.input as Obj).length > 0 ? JSON.stringify(block.input) : "";
			for (let at = 0; at < input.length; at += 5)
				delta({ type: "input_json_delta", partial_json: input.slice(at, at + 5) });
		} else if (block.type === "thinking") {
			events.push({
				type: "content_block_start",
				index,
				content_block: { type: "thinking", thinking: "", signature: "" },
			});
			for (const piece of splitText(String(block.thinking), 9))
				delta({ type: "thinking_delta", thinking: piece });
			delta({ type: "thinking_delta", thinking: "" });
			delta({ type: "signature_delta", signature: String(block.signature) });
		} else {
			events.push({ type: "content_block_start", index, content_block: block });
		}
		events.push({ type: "content_block_stop", index });
		events.push({ type: "ping" });
	});
	if (model === "error-midstream") {
		events.push({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
		return events;
	}
	if (model === "truncated") return events;
	events.push({
		type: "message_delta",
		delta: {
			stop_reason: answer.stop_reason,
			stop_sequence: null,
			...(answer.stop_details ? { stop_details: answer.stop_details } : {}),
		},
		// As recorded: message_delta repeats the counts, without message_start's cache_creation split.
		usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...withoutSplit(usage) },
	});
	events.push({ type: "message_stop" });
	return events;
}

function withoutSplit(usage: Answer["usage"]): Omit<Answer["usage"], "cache_creation"> {
	const { cache_creation: _split, ...counts } = usage;
	return counts;
}

/** Splits by code point, as Anthropic never splits inside a character. */
function splitText(text: string, size: number): string[] {
	const chars = Array.from(text);
	const pieces: string[] = [];
	for (let at = 0; at < chars.length; at += size) pieces.push(chars.slice(at, at + size).join(""));
	return pieces;
}

/** SSE framing as recorded: `event:` line, `data:` line padded with trailing spaces, blank line. */
function frame(events: Obj[]): string {
	return events
		.map((event, i) => {
			const data =
				event.type === "ping" ? '{"type": "ping"}' : JSON.stringify(event) + " ".repeat((i * 7) % 13);
			return `event: ${String(event.type)}\ndata: ${data}\n\n`;
		})
		.join("");
}

async function stream(res: ServerResponse, events: Obj[] | string): Promise<void> {
	res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "request-id": "req_fake" });
	await writeInPieces(res, typeof events === "string" ? events : frame(events), PIECES);
	res.end();
}

// ---------------------------------------------------------------------------------------------------
// Replays of recorded responses.

const REPLAYS: Record<string, string> = {
	"replay-text": "anthropic-text-raw.response.sse",
	"replay-tool-no-args": "anthropic-tool-no-args.chunks.txt",
	"replay-quoted-tool": "anthropic-issue-11719-quoted-tool-input.chunks.txt",
	"replay-thinking": "anthropic-clear-thinking.1.chunks.txt",
	"replay-server-tools": "anthropic-text-server-tool-and-tool-use-raw.response.sse",
};

async function replay(model: string, res: ServerResponse): Promise<void> {
	const file = REPLAYS[model];
	if (!file) return json(res, 404, errorBody("not_found_error", `model: ${model}`));
	const recorded = readFixture("anthropic", file);
	if (!recorded) return json(res, 500, errorBody("api_error", missingFixtureMessage("anthropic", file)));
	const text = recorded.toString("utf8");
	if (file.endsWith(".sse")) return stream(res, text);
	// vercel/ai recordings keep one event per line without SSE framing: frame them as the API does.
	const events = text
		.split("\n")
		.filter((line) => line.trim() !== "")
		.map((line) => JSON.parse(line) as Obj);
	return stream(res, events);
}
