import type { GatewayError } from "../../errors";
import type { Usage } from "../../schemas/chat-response";
import type { Outcome } from "../result";

/** A stream has started, so it was not refused. */
export type StreamOutcome = Exclude<Outcome, "rejected">;

/** What a stream learned by the time it ended: read by the usage recorder. */
export interface StreamTally {
	usage: Usage | null;
	firstTokenAt: number | null;
	/** Characters of output (content, reasoning, tool arguments) sent on, for an estimate when usage never came. */
	streamedChars: number;
	/** Set by the upstream reader when the connection failed or stalled. */
	upstreamFailure: GatewayError | null;
	/** The client left while the stream was being drained to its end (ON_CLIENT_DISCONNECT=drain). */
	clientGone: boolean;
	/** The upstream finished its answer: its usage is the provider's own, not to be estimated. */
	completed: boolean;
	outcome: StreamOutcome | null;
	error: GatewayError | null;
}

export interface TrackedStream {
	tally: StreamTally;
	/** Resolves once, when the stream ended for any reason (finished, failed, or the client left). */
	ended: Promise<StreamTally>;
	settle(outcome: StreamOutcome, error?: GatewayError | null): void;
}

export function trackStream(): TrackedStream {
	const tally: StreamTally = {
		usage: null,
		firstTokenAt: null,
		streamedChars: 0,
		upstreamFailure: null,
		clientGone: false,
		completed: false,
		outcome: null,
		error: null,
	};
	let resolve!: (value: StreamTally) => void;
	const ended = new Promise<StreamTally>((r) => {
		resolve = r;
	});
	return {
		tally,
		ended,
		settle(outcome, error = null) {
			if (tally.outcome !== null) return;
			// A drained stream finishes normally, but its client had already gone.
			tally.outcome = tally.clientGone && outcome === "ok" ? "client_disconnected" : outcome;
			tally.error = error;
			resolve(tally);
		},
	};
}
