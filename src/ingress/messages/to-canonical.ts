import { invalidRequest } from "../../errors";
import type { ChatMessage, ChatRequest, FunctionTool, ToolChoice } from "../../schemas/chat-request";
import { convertMessage, systemContent } from "./convert-content";
import type { CustomTool, MessagesRequest } from "./schema";

/**
 * A Messages request → the engine's canonical request (OpenAI's chat request), for every model that
 * is not Claude (Claude gets the body itself). What the canonical form cannot carry is a 400 naming
 * the field, never a silent loss; hints that change no answer (`cache_control`, `citations`,
 * `service_tier`) are left behind.
 */
export function toCanonical(body: MessagesRequest): ChatRequest {
	refuseUntranslatable(body);
	const system: ChatMessage[] = [];
	const rest: ChatMessage[] = [];
	if (body.system !== undefined && body.system.length > 0) {
		system.push({ role: "system", content: systemContent(body.system, "system") });
	}
	body.messages.forEach((message, i) => {
		// role "system" inside messages (LiteLLM #36917) joins the system prompt at the front, in order.
		(message.role === "system" ? system : rest).push(...convertMessage(message, i));
	});

	const messages = [...system, ...rest];
	if (messages.length === 0) {
		// Only thinking was sent (translations drop it): nothing is left for the model to answer.
		throw invalidRequest(
			"The messages hold nothing but thinking, which this model cannot take: nothing is left to send.",
			"messages",
			"unsupported_value",
		);
	}
	const request: ChatRequest = {
		model: body.model,
		messages,
		max_completion_tokens: body.max_tokens,
	};
	if (body.stream === true) {
		request.stream = true;
		// The ingress needs usage for message_start and message_delta, whatever the client asked.
		request.stream_options = { include_usage: true };
	}
	if (body.temperature !== undefined) request.temperature = body.temperature;
	if (body.top_p !== undefined) request.top_p = body.top_p;
	// Not an OpenAI field: a loose extra that adapters which know it read (Anthropic's, Gemini's topK).
	if (body.top_k !== undefined) request.top_k = body.top_k;
	if (body.stop_sequences !== undefined && body.stop_sequences.length > 0) {
		if (body.stop_sequences.length > 4) {
			throw invalidRequest(
				`At most 4 stop_sequences can be translated for this model (OpenAI's limit); ${body.stop_sequences.length} were given.`,
				"stop_sequences",
				"unsupported_value",
			);
		}
		request.stop = body.stop_sequences;
	}
	// OpenAI-protocol upstreams cap `user` (64 characters at some, 128 at OpenRouter); Claude Code's
	// user_id is ~150 (user_<hash>_account_<uuid>_session_<uuid>). Its first 64 characters still name
	// the user, which is what `user` is for.
	if (typeof body.metadata?.user_id === "string")
		request.user = body.metadata.user_id.slice(0, MAX_USER_LENGTH);
	if (body.tools !== undefined && body.tools.length > 0) request.tools = body.tools.map(functionTool);
	if (body.tool_choice !== undefined) {
		request.tool_choice = toolChoice(body.tool_choice);
		if (body.tool_choice.type !== "none" && body.tool_choice.disable_parallel_tool_use === true) {
			request.parallel_tool_calls = false;
		}
	}
	const effort = reasoningEffort(body);
	if (effort !== undefined) request.reasoning_effort = effort;
	const format = body.output_config?.format;
	if (format !== undefined) {
		if (format.type !== "json_schema") {
			throw invalidRequest(
				`output_config.format of type '${format.type}' cannot be translated for this model.`,
				"output_config.format",
				"unsupported_value",
			);
		}
		request.response_format = {
			type: "json_schema",
			json_schema: { name: "output", schema: format.schema as Record<string, unknown>, strict: true },
		};
	}
	return request;
}

const MAX_USER_LENGTH = 64;

/** Top-level fields this translation carries (or, for service_tier, knowingly leaves behind). */
const TRANSLATED = new Set([
	"model",
	"max_tokens",
	"messages",
	"system",
	"stream",
	"temperature",
	"top_p",
	"top_k",
	"stop_sequences",
	"tools",
	"tool_choice",
	"thinking",
	"metadata",
	"output_config",
	"service_tier",
]);
const OUTPUT_CONFIG = new Set(["format", "effort"]);

/**
 * Fields only Claude can honour (container, mcp_servers, context_management, and any the gateway
 * does not know) are refused, since answering without them would not be what the client asked. A
 * null carries no input, so it is not refused.
 */
function refuseUntranslatable(body: MessagesRequest): void {
	const refuse = (param: string) =>
		invalidRequest(
			`'${param}' cannot be translated for this model; only Claude models accept it.`,
			param,
			"unsupported_parameter",
		);
	for (const [key, value] of Object.entries(body)) {
		if (!TRANSLATED.has(key) && value !== null && value !== undefined) throw refuse(key);
	}
	for (const [key, value] of Object.entries(body.output_config ?? {})) {
		if (!OUTPUT_CONFIG.has(key) && value !== null && value !== undefined)
			throw refuse(`output_config.${key}`);
	}
}

type Tool = NonNullable<MessagesRequest["tools"]>[number];

/** A client tool as a function tool. Server tools run inside Anthropic's API: no other provider has them. */
function functionTool(tool: Tool, i: number): FunctionTool {
	const type = tool.type ?? "custom";
	if (type !== "custom") {
		throw invalidRequest(
			`tools[${i}] is an Anthropic server tool of type '${type}', which only Claude models run.`,
			`tools[${i}]`,
			"unsupported_value",
		);
	}
	const { name, description, input_schema, strict } = tool as CustomTool;
	const fn: FunctionTool["function"] = { name, parameters: input_schema };
	if (description !== undefined) fn.description = description;
	if (strict !== undefined) fn.strict = strict;
	return { type: "function", function: fn };
}

function toolChoice(choice: NonNullable<MessagesRequest["tool_choice"]>): ToolChoice {
	switch (choice.type) {
		case "auto":
			return "auto";
		case "any":
			return "required";
		case "none":
			return "none";
		case "tool":
			return { type: "function", function: { name: choice.name } };
	}
}

/** Anthropic's effort levels as OpenAI's reasoning_effort; "max" is the highest every reasoning model takes. */
const EFFORTS = new Map([
	["low", "low"],
	["medium", "medium"],
	["high", "high"],
	["max", "high"],
]);

/**
 * `output_config.effort` when given (it is the explicit effort); else extended thinking's budget as
 * a level: under 4,096 tokens "low", under 16,384 "medium", else "high"; adaptive thinking leaves the
 * depth to the model, which "medium" means for OpenAI. Disabled or absent thinking asks for nothing.
 */
function reasoningEffort(body: MessagesRequest): string | undefined {
	const effort = body.output_config?.effort;
	if (effort !== undefined) {
		const mapped = EFFORTS.get(effort);
		if (mapped === undefined) {
			throw invalidRequest(
				`output_config.effort '${effort}' cannot be translated for this model.`,
				"output_config.effort",
				"unsupported_value",
			);
		}
		return mapped;
	}
	const thinking = body.thinking;
	if (thinking?.type === "enabled") {
		if (thinking.budget_tokens < 4096) return "low";
		return thinking.budget_tokens < 16384 ? "medium" : "high";
	}
	return thinking?.type === "adaptive" ? "medium" : undefined;
}
