import { GatewayError } from "../errors";
import type { TrackedStream } from "./tally";

/**
 * Wraps the upstream body so that a dropped connection or a stall ends the stream in an orderly way
 * (the rewrite stage then emits one error event) instead of tearing the client's response down, and
 * so that a client hanging up cancels the upstream read — which aborts the upstream fetch, so nobody
 * keeps paying for tokens nobody reads.
 */
export function readUpstream(
	body: ReadableStream<Uint8Array>,
	tracked: TrackedStream,
	idleTimeoutMs: number,
): ReadableStream<Uint8Array> {
	const reader = body.getReader();
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			let timer: ReturnType<typeof setTimeout> | undefined;
			const stalled = new Promise<"stalled">((resolve) => {
				timer = setTimeout(() => resolve("stalled"), idleTimeoutMs);
			});
			try {
				const result = await Promise.race([reader.read(), stalled]);
				if (result === "stalled") {
					tracked.tally.upstreamFailure = new GatewayError(
						504,
						`The upstream sent nothing for ${idleTimeoutMs} ms; the stream was closed.`,
						{ code: "upstream_idle_timeout" },
					);
					reader.cancel().catch(() => {});
					controller.close();
				} else if (result.done) {
					controller.close();
				} else {
					controller.enqueue(result.value);
				}
			} catch {
				tracked.tally.upstreamFailure = new GatewayError(502, "The upstream connection failed mid-stream.", {
					code: "upstream_connection_lost",
				});
				controller.close();
			} finally {
				clearTimeout(timer ?? null);
			}
		},
		cancel(reason) {
			tracked.settle("client_disconnected");
			return reader.cancel(reason).catch(() => {});
		},
	});
}
