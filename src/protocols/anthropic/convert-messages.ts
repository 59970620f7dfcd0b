import { invalidRequest } from "../../errors";
import type { ChatMessage } from "../../schemas/chat-request";
import { convertUserPart, textBlocks } from "./convert-content";
import type {
	AssistantBlock,
	TextBlock,
	ThinkingBlock,
	ToolResultBlock,
	ToolUseBlock,
	Turn,
	UserBlock,
} from "./wire-request";

/**
 * OpenAI messages as Anthropic's top-level system plus alternating user/assistant turns.
 *
 * - system and developer messages, wherever they stand, become the top-level system blocks in order
 *   (the Messages API has no system role inside `messages`).
 * - Consecutive messages of one role merge into one turn: the API requires alternation.
 * - Tool messages become tool_result blocks of one user turn, placed before any other block of that
 *   turn, since Anthropic requires the results first
 *   (https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks).
 * - A message with no content left (empty text) is dropped: Anthropic rejects empty blocks.
 * - An assistant turn whose signed thinking was kept starts with it, as Anthropic requires in a tool
 *   loop with thinking on (turn-state.ts); `keptThinking` is given only when thinking is on.
 */
export interface ConvertedMessages {
	system: TextBlock[];
	turns: Turn[];
}

export function convertMessages(
	messages: ChatMessage[],
	keptThinking?: ReadonlyMap<number, ThinkingBlock[]>,
): ConvertedMessages {
	const system: TextBlock[] = [];
	const turns: Turn[] = [];

	const pushUser = (blocks: UserBlock[]) => {
		if (blocks.length === 0) return;
		const last = turns.at(-1);
		if (last?.role === "user") last.content.push(...blocks);
		else turns.push({ role: "user", content: blocks });
	};
	const pushAssistant = (blocks: AssistantBlock[]) => {
		if (blocks.length === 0) return;
		const last = turns.at(-1);
		if (last?.role === "assistant") last.content.push(...blocks);
		else turns.push({ role: "assistant", content: blocks });
	};
	const pushToolResult = (block: ToolResultBlock) => {
		const last = turns.at(-1);
		if (last?.role !== "user") {
			turns.push({ role: "user", content: [block] });
			return;
		}
		const firstOther = last.content.findIndex((existing) => existing.type !== "tool_result");
		last.content.splice(firstOther === -1 ? last.content.length : firstOther, 0, block);
	};
	/** The tool calls a tool message may answer: those of the assistant turn right before it. */
	const answerableIds = (): Set<string> => {
		const last = turns.at(-1);
		const assistant = last?.role === "assistant" ? last : turns.at(-2);
		const ids = new Set<string>();
		if (assistant?.role === "assistant") {
			for (const block of assistant.content) if (block.type === "tool_use") ids.add(block.id);
		}
		return ids;
	};

	messages.forEach((message, i) => {
		switch (message.role) {
			case "system":
			case "developer":
				system.push(...textBlocks(message.content));
				return;
			case "user":
				pushUser(
					typeof message.content === "string"
						? textBlocks(message.content)
						: message.content.flatMap(
								(part, j) => convertUserPart(part, `messages[${i}].content[${j}]`) ?? [],
							),
				);
				return;
			case "assistant":
				pushAssistant([...(keptThinking?.get(i) ?? []), ...convertAssistant(message, i)]);
				return;
			case "tool":
				if (!answerableIds().has(message.tool_call_id)) {
					throw invalidRequest(
						`messages[${i}].tool_call_id "${message.tool_call_id}" does not match any tool call of the preceding assistant message.`,
						`messages[${i}].tool_call_id`,
					);
				}
				pushToolResult(toolResult(message.tool_call_id, message.content));
				return;
			case "function":
				throw invalidRequest(
					"The legacy function role is not supported for this model; use tools and tool messages.",
					`messages[${i}].role`,
					"unsupported_value",
				);
		}
	});
	return { system, turns };
}

function convertAssistant(message: Extract<ChatMessage, { role: "assistant" }>, i: number): AssistantBlock[] {
	const blocks: AssistantBlock[] = [];
	const content = message.content;
	if (typeof content === "string") blocks.push(...textBlocks(content));
	else if (content) {
		for (const part of content) {
			// A refusal in history is what the assistant said; Anthropic has no refusal block.
			blocks.push(...textBlocks(part.type === "text" ? part.text : part.refusal));
		}
	}
	(message.tool_calls ?? []).forEach((call, j) => {
		blocks.push(
			toolUse(
				call.id,
				call.function.name,
				call.function.arguments,
				`messages[${i}].tool_calls[${j}].function.arguments`,
			),
		);
	});
	return blocks;
}

function toolUse(id: string, name: string, args: string, param: string): ToolUseBlock {
	// Clients echo "" for a call without arguments; Anthropic needs an object.
	if (args.trim() === "") return { type: "tool_use", id, name, input: {} };
	let input: unknown;
	try {
		input = JSON.parse(args);
	} catch {
		throw invalidRequest(`${param} is not valid JSON.`, param, "invalid_value");
	}
	if (typeof input !== "object" || input === null || Array.isArray(input)) {
		throw invalidRequest(`${param} must be a JSON object.`, param, "invalid_value");
	}
	return { type: "tool_use", id, name, input: input as Record<string, unknown> };
}

function toolResult(
	toolUseId: string,
	content: string | Array<{ text: string } & Record<string, unknown>>,
): ToolResultBlock {
	const block: ToolResultBlock = { type: "tool_result", tool_use_id: toolUseId };
	if (typeof content === "string") {
		if (content !== "") block.content = content;
		return block;
	}
	const blocks = textBlocks(content);
	if (blocks.length > 0) block.content = blocks;
	return block;
}
