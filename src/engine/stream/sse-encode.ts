import type { GatewayError } from "../../errors";
import type { Chunk } from "../../schemas/chat-response";

/** What the client's stream carries: chunks, one error event, or the closing `[DONE]`. */
export type OutboundEvent =
	| { type: "chunk"; chunk: Chunk }
	| { type: "error"; error: GatewayError }
	| { type: "done" };

/**
 * An event as SSE text. Data-only, with no `event:` lines: the openai SDKs change what they yield
 * when they see one. An error is sent as `data: {"error":{…}}`, which the SDKs raise.
 */
export function encodeEvent(event: OutboundEvent): string {
	if (event.type === "chunk") return `data: ${JSON.stringify(event.chunk)}\n\n`;
	if (event.type === "error") return `data: ${JSON.stringify(event.error.toBody())}\n\n`;
	return "data: [DONE]\n\n";
}
