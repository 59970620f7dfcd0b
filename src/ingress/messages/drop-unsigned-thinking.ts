import { isObject } from "../../is-object";
import type { MessagesRequest } from "./schema";

/**
 * Thinking blocks with an empty signature are the gateway's own: a translated model's reasoning,
 * written as a thinking block it could not sign. A client such as Claude Code keeps them in its
 * history, and Anthropic refuses a thinking block whose signature it did not make, so a conversation
 * that moves to Claude would fail on them. They are dropped from the history, the one change made
 * to a client's body besides hoisting system messages. A turn they would leave empty keeps them:
 * Anthropic refuses an empty turn as surely. Returns the body itself when it has none.
 */
export function dropUnsignedThinking<T extends Pick<MessagesRequest, "messages">>(body: T): T {
	const unsigned = (block: unknown) =>
		isObject(block) && block.type === "thinking" && (block.signature === "" || block.signature === undefined);
	const holds = (message: T["messages"][number]) =>
		message.role === "assistant" && Array.isArray(message.content) && message.content.some(unsigned);
	if (!body.messages.some(holds)) return body;
	const messages = body.messages.map((message) => {
		if (!holds(message) || typeof message.content === "string") return message;
		const kept = message.content.filter((block) => !unsigned(block));
		return kept.length > 0 ? { ...message, content: kept } : message;
	});
	return { ...body, messages };
}
