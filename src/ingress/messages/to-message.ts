import { isObject } from "../../is-object";
import type { Completion } from "../../schemas/chat-response";
import { mapStopReason, mapUsage, matchedStop } from "./map-finish";
import type { AnthropicMessage, OutputBlock } from "./wire";

/**
 * A canonical completion → a Messages response (protocols.md 2.3). Blocks in the order a model
 * produces them: thinking, text (a refusal's text too: Claude's refusals are text with
 * stop_reason "refusal"), generated images, then tool calls. Only the first choice is read: a
 * Messages request never asks for more than one.
 */
export function toMessage(
	completion: Completion,
	ids: { id: string; model: string },
	stopSequences: string[],
): AnthropicMessage {
	const choice = completion.choices[0];
	const message = choice?.message;
	const content: OutputBlock[] = [];
	if (message?.reasoning_content) {
		// No signature: only Claude signs its thinking, and Claude answers through the pass-through.
		content.push({ type: "thinking", thinking: message.reasoning_content, signature: "" });
	}
	if (message?.content) content.push({ type: "text", text: message.content });
	if (message?.refusal) content.push({ type: "text", text: message.refusal });
	for (const image of message?.images ?? []) {
		// Generated images are stored by the gateway and linked by URL: a documented extension, since
		// Claude never returns an image.
		content.push({ type: "image", source: { type: "url", url: image.image_url.url } });
	}
	for (const call of message?.tool_calls ?? []) {
		content.push({
			type: "tool_use",
			id: call.id,
			name: call.function.name,
			input: toolInput(call.function.arguments),
		});
	}
	return {
		id: ids.id,
		type: "message",
		role: "assistant",
		model: ids.model,
		content,
		...mapStopReason(choice?.finish_reason, choice ? matchedStop(choice) : undefined, stopSequences),
		usage: mapUsage(completion.usage),
	};
}

/** Where unparsable arguments are kept (see toolInput). */
export const RAW_ARGUMENTS_KEY = "_raw_arguments";

/**
 * A tool call's arguments as the object `input` must be. "" (a call without arguments) is {}.
 * Arguments that are not a JSON object (a model can emit broken JSON through an OpenAI-protocol
 * upstream) are kept whole as `{"_raw_arguments": "<text>"}`, never dropped or guessed at: the
 * client's tool then fails on input it does not declare instead of running with invented
 * arguments, and the text is still there for whoever reads the turn.
 */
export function toolInput(args: string): Record<string, unknown> {
	if (args.trim() === "") return {};
	try {
		const parsed: unknown = JSON.parse(args);
		if (isObject(parsed)) return parsed;
	} catch {
		// Falls through to keeping the text.
	}
	return { [RAW_ARGUMENTS_KEY]: args };
}
