import { invalidRequest } from "../../errors";
import type { ChatRequest } from "../../schemas/chat-request";
import type { ResponseContext } from "../adapter";
import type { Tool } from "./wire-request";

/**
 * response_format on Claude: a forced tool call. The request offers a single tool whose input_schema
 * is the client's schema (`{type:"object"}` for json_object) and forces it with
 * `tool_choice: {type:"tool"}`; the tool's input — JSON the model produced to the schema — is handed
 * to the client as `message.content`, with finish_reason `stop`, streamed as content deltas.
 *
 * We do not use Anthropic's native structured outputs (`output_config.format`): only some Claude
 * models accept it, and the catalog cannot tell which, while a forced tool works on every Claude model
 * (https://docs.anthropic.com/en/docs/build-with-claude/tool-use#json-mode). The cost: schema
 * conformance is the model's best effort rather than constrained decoding, and extended thinking
 * cannot be on, since Anthropic rejects thinking with a forced tool choice.
 */

const FALLBACK_NAME = "json_response";
// Anthropic's tool-name pattern; OpenAI's schema-name pattern is the same set of characters.
const toolName = /^[a-zA-Z0-9_-]{1,64}$/;

export function wantsJson(request: ChatRequest | undefined): boolean {
	const type = request?.response_format?.type;
	return type === "json_object" || type === "json_schema";
}

/** The forced tool for a response_format request, or undefined when the client wants plain text. */
export function jsonTool(request: ChatRequest): Tool | undefined {
	const format = request.response_format;
	if (format?.type === "json_object") {
		return {
			name: FALLBACK_NAME,
			description:
				"Give your complete answer by calling this tool; its input is your answer as a JSON object.",
			input_schema: { type: "object" },
		};
	}
	if (format?.type !== "json_schema") return undefined;
	const spec = format.json_schema;
	const schema = spec.schema ?? { type: "object" };
	if (schema.type !== undefined && schema.type !== "object") {
		throw invalidRequest(
			'For this model the response_format schema must describe a JSON object (root type "object").',
			"response_format.json_schema.schema",
			"unsupported_value",
		);
	}
	return {
		name: toolName.test(spec.name) ? spec.name : FALLBACK_NAME,
		description:
			spec.description ??
			"Give your complete answer by calling this tool; its input is your answer as JSON following the schema.",
		input_schema: { ...schema, type: "object" },
	};
}

/**
 * The response side needs the request to know the forced tool was ours. The core hands it over on the
 * response context (an optional extension of the contract until the contract carries it).
 */
export type AnthropicResponseContext = ResponseContext & { request?: ChatRequest };
