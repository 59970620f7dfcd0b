import { GatewayError } from "../errors";
import type { ProtocolAdapter, ResponseContext } from "../protocols/adapter";
import { createRewriteStage, type RewriteOptions } from "./rewrite";
import { createSseDecoder } from "./sse-decode";
import { createSseEncoder } from "./sse-encode";
import { readUpstream } from "./upstream-source";

/**
 * upstream bytes → SSE events → adapter (provider events → OpenAI chunks) → rewrite → SSE bytes.
 * Every stage forwards each event as soon as it is complete; nothing waits for the end.
 */
export function buildStreamPipeline(
	upstreamBody: ReadableStream<Uint8Array>,
	adapter: ProtocolAdapter,
	responseContext: ResponseContext,
	rewrite: RewriteOptions,
	idleTimeoutMs: number,
): ReadableStream<Uint8Array> {
	const encoded = readUpstream(upstreamBody, rewrite.tracked, idleTimeoutMs)
		.pipeThrough(createSseDecoder())
		.pipeThrough(adapter.createStreamStage(responseContext))
		.pipeThrough(createRewriteStage(rewrite))
		.pipeThrough(createSseEncoder());
	return guardStream(encoded, rewrite);
}

/**
 * Last line of defence: if any stage throws (a translator bug, garbage the adapter could not parse),
 * the client still gets one well-formed error event and a cleanly closed stream.
 */
function guardStream(
	source: ReadableStream<Uint8Array>,
	rewrite: RewriteOptions,
): ReadableStream<Uint8Array> {
	const reader = source.getReader();
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const { done, value } = await reader.read();
				if (done) controller.close();
				else controller.enqueue(value);
			} catch (cause) {
				const error =
					cause instanceof GatewayError
						? cause
						: new GatewayError(502, "The upstream sent a stream the gateway could not translate.", {
								code: "upstream_invalid_stream",
							});
				controller.enqueue(new TextEncoder().encode(`data: ${JSON.stringify(error.toBody())}\n\n`));
				controller.close();
				rewrite.tracked.settle("upstream_error", error);
			}
		},
		cancel(reason) {
			return reader.cancel(reason);
		},
	});
}
