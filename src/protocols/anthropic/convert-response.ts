import type { Completion, CompletionMessage, ToolCallOut } from "../../schemas/chat-response";
import { upstreamGarbage } from "../upstream-errors";
import { mapFinishReason } from "./map-finish-reason";
import { mergeTokens, noTokens, toOpenAIUsage } from "./map-usage";
import type { ThinkingRecorder } from "./turn-state";
import { wireMessage } from "./wire";

/** Separates thinking blocks (interleaved thinking yields several); the stream stage uses it too. */
export const THINKING_SEPARATOR = "\n\n";

/**
 * A Messages API response as an OpenAI completion. Text blocks join into `content` (citations split one
 * answer into several text blocks, so they join without a separator); tool_use blocks become
 * `tool_calls`, ids kept; thinking goes to `reasoning_content`, never into content; redacted thinking
 * and server-tool blocks have no OpenAI form and are dropped. In JSON mode the forced tool's input is
 * the content and any text is dropped, so the content stays parseable. The signed thinking blocks
 * and tool call ids go to `recorder`, to be kept for the next turn.
 */
export function convertResponse(body: unknown, jsonMode: boolean, recorder?: ThinkingRecorder): Completion {
	const parsed = wireMessage.safeParse(body);
	if (!parsed.success) throw upstreamGarbage("a message");
	const texts: string[] = [];
	const thoughts: string[] = [];
	const toolCalls: ToolCallOut[] = [];
	let json: string | undefined;

	for (const block of parsed.data.content) {
		switch (block.type) {
			case "text":
				texts.push(block.text);
				break;
			case "tool_use":
				if (jsonMode) json ??= JSON.stringify(block.input);
				else {
					recorder?.toolCall(block.id);
					toolCalls.push({
						id: block.id,
						type: "function",
						function: { name: block.name, arguments: JSON.stringify(block.input) },
					});
				}
				break;
			case "thinking":
				if (block.thinking !== "") thoughts.push(block.thinking);
				recorder?.thinking(block.thinking, block.signature);
				break;
			case "redacted_thinking":
				recorder?.redacted(block.data);
				break;
			case "unknown":
				break;
		}
	}

	const text = texts.join("");
	const message: CompletionMessage = {
		role: "assistant",
		content: jsonMode ? (json ?? null) : text === "" ? null : text,
		refusal: null,
	};
	if (toolCalls.length > 0) message.tool_calls = toolCalls;
	if (thoughts.length > 0) message.reasoning_content = thoughts.join(THINKING_SEPARATOR);
	return {
		id: "",
		object: "chat.completion",
		created: 0,
		model: "",
		choices: [
			{
				index: 0,
				message,
				logprobs: null,
				finish_reason: mapFinishReason(parsed.data.stop_reason, jsonMode),
			},
		],
		usage: toOpenAIUsage(mergeTokens(noTokens(), parsed.data.usage)),
	};
}
