/**
 * What the fake OpenAI Responses API (../openai-responses-fake.ts) answers, for the tests to assert
 * against instead of restating it. No Node imports here: worker tests import this module inside
 * workerd.
 *
 * Shapes follow the `openai` package's types (node_modules/openai/resources/responses/responses.d.ts,
 * openai 6.49.0); the error bodies are the ones real clients and proxies recorded from
 * api.openai.com (sources next to each).
 */

export { GROQ_KEY, OPENAI_KEY, RATE_LIMITED_RETRY_AFTER, UPSTREAM_REQUEST_ID } from "./openai";

/** The fake answers `model` as this dated snapshot, as OpenAI names the snapshot that served a request. */
export const snapshotOf = (model: string) => `${model}-2025-01-01`;

/** `text`: the answer's deltas, one `response.output_text.delta` each (multi-byte characters included). */
export const TEXT_PIECES = ["Héllo", " from", " the Responses", " fake 🌍", "!"];
export const TEXT = TEXT_PIECES.join("");

/**
 * The usage of every completed answer (ResponseUsage in responses.d.ts): cached input tokens and
 * reasoning tokens are parts of `input_tokens` and `output_tokens`, not additions to them.
 */
export const USAGE = {
	input_tokens: 21,
	input_tokens_details: { cached_tokens: 5 },
	output_tokens: 12,
	output_tokens_details: { reasoning_tokens: 4 },
	total_tokens: 33,
};

/**
 * `reasoning`: a reasoning item, then text. The summary is given only when the request sets
 * `reasoning.summary` (Reasoning.summary in shared.d.ts), the encrypted content only when
 * `include` has "reasoning.encrypted_content" (ResponseIncludable in responses.d.ts).
 */
export const REASONING = {
	summaryPieces: ["**Thinking** about", " the çity", "'s weather"],
	summary: "**Thinking** about the çity's weather",
	encryptedContent: "gAAAAABfakeEncryptedReasoning_ÿ-not-real-but-opaque==",
	textPieces: ["It is", " sunny."],
	text: "It is sunny.",
};

/**
 * `tools`: two function calls; their arguments streamed in these pieces, split mid-escape
 * (`response.function_call_arguments.delta`). `arguments` is always a string.
 */
export const TOOL_CALLS = [
	{ call_id: "call_R1weather", name: "get_weather", pieces: ['{"city":"Par', 'is \\"Fr', 'ance\\""}'] },
	{ call_id: "call_R2time", name: "get_time", pieces: ['{"tz":"C', 'ET"}'] },
].map((call) => ({ ...call, arguments: call.pieces.join("") }));

/**
 * `tool-loop`: turn 1 calls this function; a turn whose conversation (its input, or the stored
 * conversation behind `previous_response_id`) has a `function_call_output` for it answers
 * `toolLoopAnswer(output)`.
 */
export const TOOL_LOOP_CALL = {
	call_id: "call_LOOPweather",
	name: "get_weather",
	arguments: '{"city":"Paris"}',
};
export const toolLoopAnswer = (output: string) => `The tool said: ${output}`;

/** `incomplete`: the text cut short, status `incomplete`, `incomplete_details.reason`. */
export const INCOMPLETE = { pieces: ["Partial", " answ"], text: "Partial answ", reason: "max_output_tokens" };
/** The usage of `incomplete` (no cached or reasoning tokens). */
export const INCOMPLETE_USAGE = {
	input_tokens: 9,
	input_tokens_details: { cached_tokens: 0 },
	output_tokens: 2,
	output_tokens_details: { reasoning_tokens: 0 },
	total_tokens: 11,
};

/** `error-midstream` and `error-event`: the deltas sent before the failure. */
export const PARTIAL_PIECES = ["Part", "ial ✓"];
export const PARTIAL = PARTIAL_PIECES.join("");

/**
 * `error-midstream` (streamed): the `response.failed` event's `response.error` (ResponseError in
 * responses.d.ts: `{code, message}`, code `server_error` among its enumerated codes). Not streamed,
 * the same failure is a 500 with this message.
 */
export const FAILED_ERROR = {
	code: "server_error",
	message:
		"An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists.",
};

/**
 * `error-event`: the `error` event (ResponseErrorEvent in responses.d.ts, and OpenAI's OpenAPI spec
 * as generated into openai-client-base's ResponseErrorEvent: flat `code`, `message`, `param`).
 */
export const ERROR_EVENT = { code: "server_error", message: "The model crashed.", param: null };

/** `rate-limited`: the 429's body (the chat fake's, as OpenAI's rate-limit errors are one shape for both APIs). */
export const RATE_LIMITED_ERROR = {
	message: "Rate limit reached for requests",
	type: "requests",
	param: null,
	code: "rate_limit_exceeded",
};

/** `bad-request`: what a reasoning model answers to `temperature` on /v1/responses. */
export const BAD_REQUEST_ERROR = {
	message: "Unsupported parameter: 'temperature' is not supported with this model.",
	type: "invalid_request_error",
	param: "temperature",
	code: "unsupported_parameter",
};

/**
 * A model the fake does not know: /v1/responses answers **400** (not chat's 404) with
 * `param: "model"`, as recorded from the real API (Codex CLI: `unexpected status 400 Bad Request:
 * {"error":{"message":"The requested model 'gpt-5.3-codex-spark' does not exist.",
 * "code":"model_not_found"}}`; `client.responses.parse` for an unknown model: `'type':
 * 'invalid_request_error', 'param': 'model', 'code': 'model_not_found'`).
 */
export const modelNotFound = (model: string) => ({
	message: `The requested model '${model}' does not exist.`,
	type: "invalid_request_error",
	param: "model",
	code: "model_not_found",
});

/**
 * An unknown, deleted, unstored or other key's `previous_response_id`: 400 (the body proxies test
 * against, e.g. `{"type":"invalid_request_error","code":"previous_response_not_found","message":
 * "Previous response with id 'resp_abc' not found.","param":"previous_response_id"}`).
 */
export const previousResponseNotFound = (id: string) => ({
	message: `Previous response with id '${id}' not found.`,
	type: "invalid_request_error",
	param: "previous_response_id",
	code: "previous_response_not_found",
});

/** GET, DELETE or input_items of an id the fake does not hold: 404 (as LiteLLM's tests record it). */
export const responseNotFound = (id: string) => ({
	message: `Response with id '${id}' not found.`,
	type: "invalid_request_error",
	param: null,
	code: null,
});

/** A `function_call_output` whose `call_id` no `function_call` in the conversation has: 400. */
export const noToolCallFound = (callId: string) => ({
	message: `No tool call found for function call output with call_id ${callId}.`,
	type: "invalid_request_error",
	param: "input",
	code: null,
});

/** A `function_call` in the conversation with no `function_call_output` after it: 400. */
export const noToolOutputFound = (callId: string) => ({
	message: `No tool output found for function call ${callId}.`,
	type: "invalid_request_error",
	param: "input",
	code: null,
});
