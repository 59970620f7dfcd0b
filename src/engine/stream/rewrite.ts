import { GatewayError } from "../../errors";
import type { StreamItem } from "../../protocols/adapter";
import type { Chunk, Usage } from "../../schemas/chat-response";
import type { OutboundEvent } from "./sse-encode";
import type { TrackedStream } from "./tally";

export interface RewriteOptions {
	gateId: string;
	/** The model id the client sent: every chunk echoes it. */
	model: string;
	created: number;
	/**
	 * Whether the client's stream shows usage: on the finish chunk, and as `usage` events whenever it
	 * changes (which only an ingress that needs them early writes, e.g. Messages' message_start).
	 */
	includeUsage: boolean;
	/** Adds the gateway's fields (cost) to the upstream's usage. */
	priceUsage(usage: Usage): Usage;
	tracked: TrackedStream;
	/** Removes the provider key and upstream address from an upstream's in-band error message. */
	scrubError(error: GatewayError): GatewayError;
	now?: () => number;
}

/**
 * Adapter chunks → the client's chunks: stamps the gate id, model and creation time on every chunk,
 * captures usage, and shapes it the way the contract promises — usage travels on the finish chunk,
 * only when the client asked, followed by `[DONE]`. A stream that ends without a finish reason was
 * cut short upstream: it ends with an error event, never as if complete. Pass-through events go on
 * untouched (their adapter rewrote the ids); only what they tell of usage and completion is kept.
 */
export function chunkRewriter(options: RewriteOptions): Transformer<StreamItem, OutboundEvent> {
	const { tracked } = options;
	const now = options.now ?? Date.now;
	const heldFinishChunks: Chunk[] = [];
	let finished = false;
	let failed = false;

	// The gateway's fields first, so the chunk reads like OpenAI's own; the upstream's extras follow.
	const head = {
		id: options.gateId,
		object: "chat.completion.chunk" as const,
		created: options.created,
		model: options.model,
	};
	const stamp = (chunk: Chunk): Chunk => Object.assign({ ...head }, chunk, head);

	return {
		transform(item, controller) {
			if (failed) return;
			if (item.type === "error") {
				failed = true;
				const error = options.scrubError(item.error);
				controller.enqueue({ type: "error", error });
				tracked.settle("upstream_error", error);
				return;
			}
			if (item.type === "native") {
				if (item.usage) tracked.tally.usage = item.usage;
				if (item.outputChars > 0) {
					tracked.tally.streamedChars += item.outputChars;
					tracked.tally.firstTokenAt ??= now();
				}
				if (item.completes) finished = true;
				controller.enqueue({ type: "native", event: item.event, data: item.data });
				if (item.failure) {
					failed = true;
					tracked.settle("upstream_error", options.scrubError(item.failure));
				}
				return;
			}
			const chunk = item.chunk;
			if (chunk.usage) {
				tracked.tally.usage = chunk.usage;
				if (options.includeUsage) controller.enqueue({ type: "usage", usage: chunk.usage });
			}
			if (chunk.choices.length === 0) return;
			// Usage goes on the finish chunk alone (below); OpenAI's `"usage": null` on the others is noise.
			delete chunk.usage;
			const chars = outputChars(chunk);
			if (chars > 0) {
				tracked.tally.streamedChars += chars;
				tracked.tally.firstTokenAt ??= now();
			}
			if (
				chunk.choices.some((choice) => choice.finish_reason !== null && choice.finish_reason !== undefined)
			) {
				finished = true;
				if (options.includeUsage) {
					// Held until the stream ends: OpenAI sends usage in a chunk of its own after the finish chunk.
					heldFinishChunks.push(stamp(chunk));
					return;
				}
			}
			controller.enqueue({ type: "chunk", chunk: stamp(chunk) });
		},
		flush(controller) {
			if (failed) return;
			if (!finished) {
				const error =
					tracked.tally.upstreamFailure ??
					new GatewayError(502, "The upstream ended the stream before the answer was complete.", {
						code: "upstream_stream_truncated",
					});
				controller.enqueue({ type: "error", error });
				tracked.settle("upstream_error", error);
				return;
			}
			const usage = tracked.tally.usage ? options.priceUsage(tracked.tally.usage) : null;
			tracked.tally.usage = usage;
			heldFinishChunks.forEach((chunk, i) => {
				if (i === heldFinishChunks.length - 1) chunk.usage = usage;
				controller.enqueue({ type: "chunk", chunk });
			});
			controller.enqueue({ type: "done" });
			tracked.tally.completed = true;
			tracked.settle("ok");
		},
	};
}

function outputChars(chunk: Chunk): number {
	let chars = 0;
	for (const { delta } of chunk.choices) {
		// OpenAI-protocol upstreams send choices without a delta (Azure's content-filter chunks).
		if (!delta) continue;
		chars += (delta.content?.length ?? 0) + (delta.reasoning_content?.length ?? 0);
		for (const call of delta.tool_calls ?? [])
			chars += (call.function?.name?.length ?? 0) + (call.function?.arguments?.length ?? 0);
		// An image is output too, though not text: count it so the first token time is set.
		chars += delta.images?.length ?? 0;
	}
	return chars;
}
