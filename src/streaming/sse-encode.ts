import type { GatewayError } from "../errors";
import type { Chunk } from "../schemas/chat-response";

/** What the client's stream carries: chunks, one error event, or the closing `[DONE]`. */
export type OutboundEvent =
	| { type: "chunk"; chunk: Chunk }
	| { type: "error"; error: GatewayError }
	| { type: "done" };

/**
 * Objects → `data: …\n\n` bytes. Data-only, with no `event:` lines: the openai SDKs change what they
 * yield when they see one. An error is sent as `data: {"error":{…}}`, which the SDKs raise.
 */
export function createSseEncoder(): TransformStream<OutboundEvent, Uint8Array> {
	const encoder = new TextEncoder();
	return new TransformStream<OutboundEvent, Uint8Array>({
		transform(event, controller) {
			let payload: string;
			if (event.type === "chunk") payload = JSON.stringify(event.chunk);
			else if (event.type === "error") payload = JSON.stringify(event.error.toBody());
			else payload = "[DONE]";
			controller.enqueue(encoder.encode(`data: ${payload}\n\n`));
		},
	});
}
