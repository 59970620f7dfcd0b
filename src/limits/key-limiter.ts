import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { budgetPeriodOf, type KeyLimits, secondsToNextMonth } from "./key-limits";

export type Admission =
	| { ok: true }
	| {
			ok: false;
			code: "rate_limit_exceeded" | "insufficient_quota";
			message: string;
			retryAfter: number | null;
	  };

interface State {
	/** Start times of the requests admitted in the last minute. */
	requests: number[];
	/** Tokens settled in the last minute, with when. */
	tokens: Array<[time: number, tokens: number]>;
	/** USD spent per budget period ("total" or "YYYY-MM"). */
	spent: Record<string, number>;
}

const WINDOW_MS = 60_000;

/**
 * One Durable Object per API key: the single place where that key's counters live. A Durable Object
 * handles one event at a time and keeps its state in memory between them, so admission decisions are
 * exact under any concurrency — 50 simultaneous requests on a key allowed 10 a minute let exactly 10
 * through. KV (eventually consistent) cannot count, and Workers' rate-limiting binding is
 * per-location and approximate.
 *
 * Windows slide: a request counts against rpm for 60 s after it was admitted, tokens for 60 s after
 * they were settled. Tokens are only known when a request ends, so tpm refuses new requests once the
 * last minute's tokens reached the limit; a request in flight can carry a key past it. Likewise a
 * budget can be overshot by the requests already in flight when it ran out.
 */
export class KeyLimiter extends DurableObject<Env> {
	private state: State | null = null;

	private async load(): Promise<State> {
		if (!this.state) {
			this.state = (await this.ctx.storage.get<State>("state")) ?? { requests: [], tokens: [], spent: {} };
		}
		return this.state;
	}

	/** Decides whether a request may start now; an admitted request counts against rpm at once. */
	async admit(limits: KeyLimits, now: number): Promise<Admission> {
		const state = await this.load();
		prune(state, now);
		if (limits.budgetUsd !== null) {
			const spent = state.spent[budgetPeriodOf(limits, now)] ?? 0;
			if (spent >= limits.budgetUsd) {
				const monthly = limits.budgetPeriod === "monthly";
				return {
					ok: false,
					code: "insufficient_quota",
					message: `This API key has spent its ${monthly ? "monthly " : ""}budget of $${limits.budgetUsd}.`,
					retryAfter: monthly ? secondsToNextMonth(now) : null,
				};
			}
		}
		if (limits.rpm !== null && state.requests.length >= limits.rpm) {
			// The request whose expiry brings the count under the limit (more than one may have to
			// expire when the limit was lowered).
			const oldest = state.requests[state.requests.length - limits.rpm] ?? now;
			return rateLimited(`make ${limits.rpm} requests`, oldest, now);
		}
		if (limits.tpm !== null) {
			let used = tokensInWindow(state);
			if (used >= limits.tpm) {
				// Walk forward until enough tokens have left the window.
				let oldest = now;
				for (const [time, tokens] of state.tokens) {
					used -= tokens;
					oldest = time;
					if (used < limits.tpm) break;
				}
				return rateLimited(`use ${limits.tpm} tokens`, oldest, now);
			}
		}
		// Only rpm needs request times; a key limited by budget or tpm alone writes nothing here.
		if (limits.rpm !== null) {
			state.requests.push(now);
			await this.ctx.storage.put("state", state);
		}
		return { ok: true };
	}

	/** Books what a finished request used. */
	async settle(
		limits: KeyLimits,
		startedAt: number,
		tokens: number,
		costUsd: number,
		now: number,
	): Promise<void> {
		const state = await this.load();
		prune(state, now);
		if (tokens > 0) state.tokens.push([now, tokens]);
		if (costUsd > 0) {
			// Billed to the period the request started in, so a request crossing midnight of the month is counted once.
			const period = budgetPeriodOf(limits, startedAt);
			state.spent[period] = (state.spent[period] ?? 0) + costUsd;
		}
		await this.ctx.storage.put("state", state);
	}

	/** For the admin API and tests: what the counters hold now. */
	async snapshot(
		limits: KeyLimits,
		now: number,
	): Promise<{ requests: number; tokens: number; spent: number }> {
		const state = await this.load();
		prune(state, now);
		return {
			requests: state.requests.length,
			tokens: tokensInWindow(state),
			spent: state.spent[budgetPeriodOf(limits, now)] ?? 0,
		};
	}
}

const tokensInWindow = (state: State) => state.tokens.reduce((sum, [, tokens]) => sum + tokens, 0);

/** A refusal that frees up when the entry made at `oldest` leaves the one-minute window. */
function rateLimited(allowance: string, oldest: number, now: number): Admission {
	return {
		ok: false,
		code: "rate_limit_exceeded",
		message: `Rate limit reached: this API key may ${allowance} per minute.`,
		retryAfter: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)),
	};
}

function prune(state: State, now: number): void {
	const cutoff = now - WINDOW_MS;
	while (state.requests.length > 0 && (state.requests[0] ?? now) <= cutoff) state.requests.shift();
	while (state.tokens.length > 0 && (state.tokens[0]?.[0] ?? now) <= cutoff) state.tokens.shift();
}
