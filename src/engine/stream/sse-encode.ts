import type { GatewayError } from "../../errors";
import type { Chunk, Usage } from "../../schemas/chat-response";

/**
 * What the client's stream carries, before an ingress writes it in its API's format: canonical
 * chunks, the usage reported so far, upstream events passed through untranslated, one error event,
 * or the end of a complete answer.
 */
export type OutboundEvent =
	| { type: "chunk"; chunk: Chunk }
	/** Usage as the upstream reported it so far, sent whenever it changes (canonical streams only). */
	| { type: "usage"; usage: Usage }
	/** An upstream event in the client's own protocol (pass-through), ids already rewritten. */
	| { type: "native"; event: string | undefined; data: string }
	| { type: "error"; error: GatewayError }
	| { type: "done" };

/**
 * An event as Chat Completions SSE text. Data-only, with no `event:` lines: the openai SDKs change
 * what they yield when they see one. An error is sent as `data: {"error":{…}}`, which the SDKs
 * raise. Usage events are not written: chat clients get usage on the finish chunk, when they asked.
 */
export function encodeEvent(event: OutboundEvent): string {
	switch (event.type) {
		case "chunk":
			return `data: ${JSON.stringify(event.chunk)}\n\n`;
		case "error":
			return `data: ${JSON.stringify(event.error.toBody())}\n\n`;
		case "done":
			return "data: [DONE]\n\n";
		case "usage":
		case "native":
			return "";
	}
}
