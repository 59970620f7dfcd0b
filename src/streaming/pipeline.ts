import { GatewayError } from "../errors";
import type { ProtocolAdapter, ResponseContext } from "../protocols/adapter";
import { createRewriteStage, type RewriteOptions } from "./rewrite";
import { createSseDecoder } from "./sse-decode";
import { createSseEncoder } from "./sse-encode";
import { readUpstream } from "./upstream-source";

export interface StreamPipeline {
	/** The client's response body. */
	stream: ReadableStream<Uint8Array>;
	/**
	 * Reads what the client no longer will, to the end, so the provider's own final usage is
	 * recorded (ON_CLIENT_DISCONNECT=drain). Run it under `waitUntil`.
	 */
	drain(): Promise<void>;
}

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
): StreamPipeline {
	const encoded = readUpstream(upstreamBody, rewrite.tracked, idleTimeoutMs)
		.pipeThrough(createSseDecoder())
		.pipeThrough(adapter.createStreamStage(responseContext))
		.pipeThrough(createRewriteStage(rewrite))
		.pipeThrough(createSseEncoder());
	const reader = encoded.getReader();
	const fail = (cause: unknown): GatewayError => {
		const error =
			cause instanceof GatewayError
				? cause
				: new GatewayError(502, "The upstream sent a stream the gateway could not translate.", {
						code: "upstream_invalid_stream",
					});
		rewrite.tracked.settle("upstream_error", error);
		return error;
	};
	return {
		stream: guardStream(reader, fail),
		async drain() {
			try {
				for (;;) if ((await reader.read()).done) return;
			} catch (cause) {
				fail(cause);
			}
		},
	};
}

/**
 * Last line of defence: if any stage throws (a translator bug, garbage the adapter could not parse),
 * the client still gets one well-formed error event and a cleanly closed stream.
 */
function guardStream(
	reader: ReadableStreamDefaultReader<Uint8Array>,
	fail: (cause: unknown) => GatewayError,
): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				const { done, value } = await reader.read();
				if (done) controller.close();
				else controller.enqueue(value);
			} catch (cause) {
				const error = fail(cause);
				controller.enqueue(new TextEncoder().encode(`data: ${JSON.stringify(error.toBody())}\n\n`));
				controller.close();
			}
		},
		cancel(reason) {
			return reader.cancel(reason);
		},
	});
}
