import { GatewayError } from "../../errors";
import type { SseEvent, StreamItem } from "../../protocols/adapter";
import { chunkRewriter, type RewriteOptions } from "./rewrite";
import { sseDecoder } from "./sse-decode";
import type { OutboundEvent } from "./sse-encode";
import { step } from "./step";

export interface StreamPipeline {
	/** The client's response body. */
	stream: ReadableStream<Uint8Array>;
	/**
	 * The client hung up. By default the upstream read is cancelled, which aborts the upstream fetch;
	 * with `drainOnDisconnect` the upstream is read to its end in the background instead, so the
	 * provider's own final usage is recorded.
	 */
	clientGone(): void;
}

/** How long a drain may read after the client left; Workers cancel waitUntil work at about 30 s. */
const DRAIN_LIMIT_MS = 25_000;

export interface PipelineOptions {
	idleTimeoutMs: number;
	drainOnDisconnect: boolean;
	/** `ctx.waitUntil`: keeps a background drain alive after the response. */
	keepAlive(work: Promise<unknown>): void;
	/** The ingress's encoder: canonical events → the text of the client's stream. */
	encode(events: OutboundEvent[]): string;
}

/**
 * upstream bytes → SSE events → adapter stage (provider events → canonical chunks, or a
 * pass-through's native events) → rewrite → the ingress's encoding,
 * as one stream whose pull runs each upstream piece through every stage: every complete event goes
 * to the client as soon as its bytes arrived; nothing waits for the end. A failure anywhere — a
 * dropped connection, a stall, a stage that throws — ends the stream with one error event.
 */
export function buildStreamPipeline(
	upstreamBody: ReadableStream<Uint8Array>,
	adapterStage: Transformer<SseEvent, StreamItem>,
	rewrite: RewriteOptions,
	options: PipelineOptions,
): StreamPipeline {
	const { tracked } = rewrite;
	const reader = upstreamBody.getReader();
	const decode = step(sseDecoder());
	const translate = step(adapterStage);
	const shape = step(chunkRewriter(rewrite));
	const encoder = new TextEncoder();
	const idle = watchIdle(options.idleTimeoutMs, () => {
		tracked.tally.upstreamFailure = new GatewayError(
			504,
			`The upstream sent nothing for ${options.idleTimeoutMs} ms; the stream was closed.`,
			{ code: "upstream_idle_timeout" },
		);
		reader.cancel().catch(() => {});
	});
	let ended = false;

	/** One upstream piece (or its end) through every stage: the client's next bytes. */
	const advance = async (): Promise<string> => {
		let piece: ReadableStreamReadResult<Uint8Array>;
		try {
			piece = await reader.read();
		} catch {
			tracked.tally.upstreamFailure ??= new GatewayError(502, "The upstream connection failed mid-stream.", {
				code: "upstream_connection_lost",
			});
			piece = { done: true, value: undefined };
		}
		idle.touch();
		return translatePiece(piece);
	};

	/** Synchronous unless a stage really awaits (an image store): no promise per chunk per stage. */
	const translatePiece = (piece: ReadableStreamReadResult<Uint8Array>): string | Promise<string> =>
		after(piece.done ? decode.end() : decode.push([piece.value]), (events) =>
			after(translate.push(events), (items) =>
				after(piece.done ? after(translate.end(), (rest) => items.concat(rest)) : items, (allItems) =>
					after(shape.push(allItems), (outbound) =>
						after(piece.done ? after(shape.end(), (rest) => outbound.concat(rest)) : outbound, (all) => {
							// An error event ends the stream, whatever the upstream would still send.
							if (piece.done || tracked.tally.outcome !== null) finish();
							return options.encode(all);
						}),
					),
				),
			),
		);

	const finish = () => {
		if (ended) return;
		ended = true;
		idle.stop();
		reader.cancel().catch(() => {});
	};

	const fail = (cause: unknown): string => {
		const error =
			cause instanceof GatewayError
				? cause
				: new GatewayError(502, "The upstream sent a stream the gateway could not translate.", {
						code: "upstream_invalid_stream",
					});
		tracked.settle("upstream_error", error);
		finish();
		return options.encode([{ type: "error", error }]);
	};

	// The client's body is a native byte stream fed by one loop: a JS ReadableStream's pull and
	// enqueue machinery cost more CPU per chunk than all the stages' own work (measured, bench/).
	// The loop keeps reading after a client left only in drain mode, without writing.
	const { readable, writable } = new IdentityTransformStream();
	const writer = writable.getWriter();
	let gone = false;
	const pump = async () => {
		while (!ended) {
			const text = await advance().catch(fail);
			if (!text || gone) continue;
			try {
				await writer.write(encoder.encode(text));
				// Time spent waiting for a slow client to read is not upstream silence.
				idle.touch();
			} catch {
				clientGone();
			}
		}
		if (!gone) await writer.close().catch(() => {});
	};
	options.keepAlive(pump());

	const clientGone = () => {
		if (gone || ended) return;
		gone = true;
		if (options.drainOnDisconnect) {
			tracked.tally.clientGone = true;
			// Background work ends about 30 s after the client left: settle before that, with an
			// estimate, rather than lose the usage row to a cancelled drain.
			setTimeout(() => {
				if (ended) return;
				tracked.settle("client_disconnected");
				finish();
			}, DRAIN_LIMIT_MS);
			return;
		}
		tracked.settle("client_disconnected");
		finish();
	};

	return { stream: readable, clientGone };
}

/**
 * One timer per stream instead of one per read: each piece only records the time, and the timer,
 * when it fires, re-arms itself for whatever is left of the idle allowance.
 */
function watchIdle(limitMs: number, onStall: () => void) {
	let last = Date.now();
	let timer: ReturnType<typeof setTimeout> | null = null;
	const check = () => {
		const quiet = Date.now() - last;
		if (quiet >= limitMs) {
			timer = null;
			onStall();
		} else {
			timer = setTimeout(check, limitMs - quiet);
		}
	};
	timer = setTimeout(check, limitMs);
	return {
		touch() {
			last = Date.now();
		},
		stop() {
			if (timer !== null) clearTimeout(timer);
			timer = null;
		},
	};
}

const after = <T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> =>
	value instanceof Promise ? value.then(next) : next(value);
