import { invalidRequest } from "../../errors";
import type {
	ChatMessage,
	ChatRequest,
	FunctionTool,
	ResponseFormat,
	ToolChoice,
} from "../../schemas/chat-request";
import { convertItems, inHistory, inInput } from "./convert-items";
import type { FunctionToolParam, JsonSchemaFormat, ResponseItem, ResponsesRequest } from "./schema";

/**
 * A Responses request → the engine's canonical request (OpenAI's chat request), for every model
 * without a Responses pass-through. `history` is the stored conversation that `previous_response_id`
 * names (the earlier requests' input items and their responses' output items, oldest first); it
 * goes before this request's input. Earlier `instructions` are not part of it: OpenAI does not
 * carry them over a previous_response_id (openai-node 6.49.0 responses.d.ts, `instructions`).
 * What the canonical form cannot carry is a 400 naming the field, never a silent loss.
 */
export function toCanonical(body: ResponsesRequest, history: ResponseItem[] = []): ChatRequest {
	refuseUntranslatable(body);
	const messages: ChatMessage[] = [];
	if (body.instructions) messages.push({ role: "system", content: body.instructions });
	messages.push(...convertItems(history, inHistory));
	if (typeof body.input === "string") messages.push({ role: "user", content: body.input });
	else messages.push(...convertItems(body.input ?? [], inInput));
	if (!messages.some((message) => message.role !== "system" && message.role !== "developer")) {
		throw invalidRequest(
			"The request has no input for the model to answer: send `input`, or `previous_response_id` with it.",
			"input",
			"missing_required_parameter",
		);
	}

	const request: ChatRequest = { model: body.model, messages };
	if (body.stream === true) {
		request.stream = true;
		// The ingress needs usage for response.completed, whatever the client asked.
		request.stream_options = { include_usage: true };
	}
	if (body.max_output_tokens != null) request.max_completion_tokens = body.max_output_tokens;
	if (body.temperature != null) request.temperature = body.temperature;
	if (body.top_p != null) request.top_p = body.top_p;
	if (body.user !== undefined) request.user = body.user;
	if (body.safety_identifier != null) request.safety_identifier = body.safety_identifier;
	if (body.parallel_tool_calls != null) request.parallel_tool_calls = body.parallel_tool_calls;
	if (body.tools !== undefined && body.tools.length > 0) request.tools = body.tools.map(functionTool);
	if (body.tool_choice !== undefined) request.tool_choice = toolChoice(body.tool_choice);
	if (body.reasoning?.effort != null) request.reasoning_effort = body.reasoning.effort;
	// Chat's own `verbosity`; adapters of providers without it leave it behind (it only tunes length).
	if (body.text?.verbosity != null) request.verbosity = body.text.verbosity;
	const format = body.text?.format;
	if (format !== undefined) request.response_format = responseFormat(format);
	return request;
}

/**
 * Top-level fields this translation carries, or knowingly leaves behind because they change no
 * answer: `metadata`, `store`, `previous_response_id` and `include` are the ingress's own business
 * (storage, the history above, what the response shows); `service_tier`, `truncation` and
 * `prompt_cache_key` only tune how OpenAI serves a request, and `stream_options` only obfuscation.
 * `reasoning.summary` asks for summaries, which a translation gives whenever the model thinks.
 */
const TRANSLATED = new Set([
	"model",
	"input",
	"instructions",
	"tools",
	"tool_choice",
	"parallel_tool_calls",
	"text",
	"reasoning",
	"max_output_tokens",
	"temperature",
	"top_p",
	"metadata",
	"store",
	"previous_response_id",
	"include",
	"stream",
	"stream_options",
	"user",
	"safety_identifier",
	"truncation",
	"service_tier",
	"prompt_cache_key",
	"prompt_cache_retention",
]);
const TEXT = new Set(["format", "verbosity"]);
const REASONING = new Set(["effort", "summary"]);

/**
 * Fields only OpenAI can honour (background, conversation, prompt, top_logprobs, max_tool_calls and
 * any the gateway does not know) are refused, since answering without them would not be what the
 * client asked. A null or false carries no request, so it is not refused.
 */
function refuseUntranslatable(body: ResponsesRequest): void {
	const refuse = (param: string) =>
		invalidRequest(
			`'${param}' cannot be translated for this model; only OpenAI models accept it.`,
			param,
			"unsupported_parameter",
		);
	const check = (object: object, known: Set<string>, prefix: string) => {
		for (const [key, value] of Object.entries(object)) {
			if (!known.has(key) && value !== null && value !== undefined && value !== false)
				throw refuse(`${prefix}${key}`);
		}
	};
	check(body, TRANSLATED, "");
	if (body.text) check(body.text, TEXT, "text.");
	if (body.reasoning) check(body.reasoning, REASONING, "reasoning.");
}

type Tool = NonNullable<ResponsesRequest["tools"]>[number];

/** A flat function tool as Chat's nested one. Built-in tools run inside OpenAI: no other provider has them. */
function functionTool(tool: Tool, i: number): FunctionTool {
	if (tool.type !== "function") {
		throw invalidRequest(
			`tools[${i}] is a built-in tool of type '${tool.type}', which only OpenAI models run; use a function tool.`,
			`tools[${i}]`,
			"unsupported_value",
		);
	}
	const { name, description, parameters, strict } = tool as FunctionToolParam;
	const fn: FunctionTool["function"] = { name };
	if (parameters != null) fn.parameters = parameters;
	if (description != null) fn.description = description;
	if (strict != null) fn.strict = strict;
	return { type: "function", function: fn };
}

function toolChoice(choice: NonNullable<ResponsesRequest["tool_choice"]>): ToolChoice {
	if (typeof choice === "string") return choice;
	if (choice.type === "function") {
		return { type: "function", function: { name: String(choice.name) } };
	}
	throw invalidRequest(
		`tool_choice of type '${choice.type}' cannot be translated for this model; only OpenAI models accept it.`,
		"tool_choice",
		"unsupported_value",
	);
}

type Format = NonNullable<NonNullable<ResponsesRequest["text"]>["format"]>;

/** text.format as Chat's response_format: json_schema's fields move under `json_schema`. */
function responseFormat(format: Format): ResponseFormat {
	switch (format.type) {
		case "text":
			return { type: "text" };
		case "json_object":
			return { type: "json_object" };
		case "json_schema": {
			const { name, schema, description, strict } = format as JsonSchemaFormat;
			const json_schema: Extract<ResponseFormat, { type: "json_schema" }>["json_schema"] = { name, schema };
			if (description != null) json_schema.description = description;
			if (strict != null) json_schema.strict = strict;
			return { type: "json_schema", json_schema };
		}
		default:
			throw invalidRequest(
				`text.format of type '${format.type}' cannot be translated for this model.`,
				"text.format",
				"unsupported_value",
			);
	}
}
