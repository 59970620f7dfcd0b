import { isObject } from "../../is-object";
import type { Chunk } from "../../schemas/chat-response";
import { chunkItem, type SseEvent, type StreamItem } from "../adapter";
import { upstreamGarbage } from "../upstream-errors";
import { mapError } from "./map-error";
import { errorWire } from "./wire";

/**
 * OpenAI chunks pass through as they are; an in-band `{"error":…}` event ends the stream as an
 * error item, anything that is not a chunk as upstream garbage.
 */
export function createStreamStage(): Transformer<SseEvent, StreamItem> {
	return {
		transform(event, controller) {
			if (event.data === "[DONE]") return;
			let json: unknown;
			try {
				json = JSON.parse(event.data);
			} catch {
				controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
				return;
			}
			if (!isObject(json)) {
				controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
				return;
			}
			if ("error" in json) {
				const error = errorWire.safeParse(json);
				const upstream = error.success ? error.data.error : {};
				const message = upstream.message ?? "unknown error";
				controller.enqueue({
					type: "error",
					error: mapError(500, JSON.stringify({ error: { ...upstream, message } }), new Headers()),
				});
				return;
			}
			if (!isChunkShape(json)) {
				controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
				return;
			}
			const value = json as unknown as Chunk;
			value.choices ??= [];
			controller.enqueue(chunkItem(value));
		},
	};
}

/**
 * The shape the rewrite stage relies on: `choices` (if present) is a list of objects whose `delta`
 * (if present) is an object. Checked by hand rather than with a schema because it runs for every
 * chunk of every stream, where a schema parse was a measurable share of the gateway's CPU.
 */
function isChunkShape(json: Record<string, unknown>): boolean {
	const { choices } = json;
	if (choices === undefined || choices === null) return true;
	if (!Array.isArray(choices)) return false;
	for (const choice of choices) {
		if (!isObject(choice)) return false;
		if (choice.delta !== undefined && !isObject(choice.delta)) return false;
	}
	return true;
}
