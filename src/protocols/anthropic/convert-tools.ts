import { invalidRequest } from "../../errors";
import type { ChatRequest, FunctionTool } from "../../schemas/chat-request";
import { jsonTool } from "./json-mode";
import type { Tool, ToolChoice } from "./wire-request";

/**
 * tools, tool_choice and parallel_tool_calls as Anthropic's tools and tool_choice
 * (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use).
 * response_format is emulated with a tool too (see json-mode.ts), so it is decided here as well.
 */
export interface ConvertedTools {
	tools?: Tool[];
	tool_choice?: ToolChoice;
}

export function convertTools(request: ChatRequest): ConvertedTools {
	const clientTools = request.tools ?? [];
	const forced = jsonTool(request);
	if (forced) {
		if (clientTools.length > 0) {
			throw invalidRequest(
				"response_format together with tools is not supported for this model; send one or the other.",
				"response_format",
				"unsupported_parameter",
			);
		}
		return {
			tools: [forced],
			tool_choice: { type: "tool", name: forced.name, disable_parallel_tool_use: true },
		};
	}
	if (clientTools.length === 0) {
		const choice = request.tool_choice;
		if (choice !== undefined && choice !== "auto" && choice !== "none") {
			throw invalidRequest("tool_choice requires tools.", "tool_choice", "invalid_value");
		}
		return {};
	}
	const tools = clientTools.map(convertTool);
	const tool_choice = convertChoice(request, tools);
	return tool_choice ? { tools, tool_choice } : { tools };
}

function convertTool(tool: FunctionTool, i: number): Tool {
	const fn = tool.function;
	const parameters = fn.parameters ?? { type: "object", properties: {} };
	// Anthropic requires a root type (tools.N.custom.input_schema.type: Field required); OpenAI does not.
	if (parameters.type !== undefined && parameters.type !== "object") {
		throw invalidRequest(
			'Tool parameters must describe a JSON object (root type "object").',
			`tools[${i}].function.parameters`,
			"invalid_value",
		);
	}
	return {
		name: fn.name,
		...(fn.description ? { description: fn.description } : {}),
		input_schema: { ...parameters, type: "object" },
	};
}

function convertChoice(request: ChatRequest, tools: Tool[]): ToolChoice | undefined {
	const choice = request.tool_choice;
	// Anthropic's flag lives on tool_choice, so `parallel_tool_calls: false` alone needs an explicit auto.
	const serial = request.parallel_tool_calls === false ? { disable_parallel_tool_use: true } : {};
	if (choice === undefined)
		return request.parallel_tool_calls === false ? { type: "auto", ...serial } : undefined;
	if (choice === "none") return { type: "none" };
	if (choice === "auto") return { type: "auto", ...serial };
	if (choice === "required") return { type: "any", ...serial };
	const name = forcedName(choice);
	if (name !== undefined) {
		if (!tools.some((tool) => tool.name === name)) {
			throw invalidRequest(
				`tool_choice names the function "${name}", which is not among the tools.`,
				"tool_choice",
				"invalid_value",
			);
		}
		return { type: "tool", name, ...serial };
	}
	throw invalidRequest(
		`tool_choice of type "${choice.type}" is not supported for this model.`,
		"tool_choice",
		"unsupported_value",
	);
}

/** The function a `{type:"function", function:{name}}` choice names; the schema lets other shapes through. */
function forcedName(choice: { type: string; function?: unknown }): string | undefined {
	if (choice.type !== "function") return undefined;
	const fn = choice.function;
	return typeof fn === "object" && fn !== null && "name" in fn && typeof fn.name === "string"
		? fn.name
		: undefined;
}
