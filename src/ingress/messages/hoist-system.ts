import type { MessagesRequest } from "./schema";

type SystemBlocks = Exclude<MessagesRequest["system"], string | undefined>;

/**
 * Some clients put `role: "system"` messages inside `messages` (LiteLLM #36917), which the Messages
 * API refuses: their content joins the top-level `system`, after what is there, in order. A request
 * without such messages is returned as it is, so a pass-through sends exactly what the client sent.
 */
export function hoistSystemMessages<T extends Pick<MessagesRequest, "messages" | "system">>(body: T): T {
	if (!body.messages.some((message) => message.role === "system")) return body;
	const blocks: SystemBlocks = [];
	const add = (content: MessagesRequest["system"]) => {
		if (content === undefined) return;
		if (typeof content === "string") {
			if (content !== "") blocks.push({ type: "text", text: content });
		} else blocks.push(...content);
	};
	add(body.system);
	for (const message of body.messages) {
		if (message.role === "system") add(message.content as MessagesRequest["system"]);
	}
	return { ...body, system: blocks, messages: body.messages.filter((message) => message.role !== "system") };
}
