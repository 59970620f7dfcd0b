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
	/** Their sum, kept as they come and go. */
	tokensInWindow: number;
	/** USD spent per budget period ("total" or "YYYY-MM"). */
	spent: Record<string, number>;
}

/** How an earlier version stored the counters: the whole state as one value. */
type LegacyState = Omit<State, "tokensInWindow">;

const WINDOW_MS = 60_000;
const LEGACY_KEY = "state";

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
 *
 * Memory holds the exact times; storage holds a count per second (one row updated per request and
 * counter, whatever the key's traffic). An object that restarts dates each stored entry to the end
 * of its second, so after a restart an entry may count up to a second longer, never shorter.
 * Storing the whole state as one value made every request rewrite the last minute's entries, so an
 * admission's cost grew with the key's traffic; per-second rows keep it flat at any rate (figures
 * in bench/RESULTS.md), and three rows are written (admitted, settled, spent) where billing counts
 * rows.
 */
export class KeyLimiter extends DurableObject<Env> {
	private state: State | null = null;
	/** The oldest second storage may still hold rows for: deletes run once per second, not per request. */
	private storedFrom = 0;

	private load(): State {
		this.state ??= this.read();
		return this.state;
	}

	private read(): State {
		const { storage } = this.ctx;
		const sql = storage.sql;
		sql.exec(`CREATE TABLE IF NOT EXISTS admitted (second INTEGER PRIMARY KEY, requests INTEGER NOT NULL);
			CREATE TABLE IF NOT EXISTS settled (second INTEGER PRIMARY KEY, tokens INTEGER NOT NULL);
			CREATE TABLE IF NOT EXISTS spent (period TEXT PRIMARY KEY, usd REAL NOT NULL);`);
		// Counters of an earlier version, stored as one value: moved into the tables once, in one
		// transaction, so that a failure half-way cannot count them twice on the next try.
		storage.transactionSync(() => {
			const legacy = storage.kv.get<LegacyState>(LEGACY_KEY);
			if (!legacy) return;
			for (const at of legacy.requests) this.storeAdmitted(at);
			for (const [at, tokens] of legacy.tokens) this.storeSettled(at, tokens);
			// Added, not replaced: what this version booked already stays booked.
			for (const [period, usd] of Object.entries(legacy.spent)) {
				sql.exec(
					`INSERT INTO spent (period, usd) VALUES (?, ?)
						ON CONFLICT (period) DO UPDATE SET usd = usd + excluded.usd`,
					period,
					usd,
				);
			}
			storage.kv.delete(LEGACY_KEY);
		});
		const requests: number[] = [];
		for (const row of sql.exec<{ second: number; requests: number }>(
			"SELECT second, requests FROM admitted ORDER BY second",
		)) {
			for (let i = 0; i < row.requests; i++) requests.push(endOf(row.second));
		}
		const tokens = sql
			.exec<{ second: number; tokens: number }>("SELECT second, tokens FROM settled ORDER BY second")
			.toArray()
			.map((row): [number, number] => [endOf(row.second), row.tokens]);
		const spent = sql.exec<{ period: string; usd: number }>("SELECT period, usd FROM spent").toArray();
		return {
			requests,
			tokens,
			tokensInWindow: tokens.reduce((sum, [, n]) => sum + n, 0),
			spent: Object.fromEntries(spent.map((row) => [row.period, row.usd])),
		};
	}

	private storeAdmitted(at: number): void {
		this.ctx.storage.sql.exec(
			`INSERT INTO admitted (second, requests) VALUES (?, 1)
				ON CONFLICT (second) DO UPDATE SET requests = requests + 1`,
			secondOf(at),
		);
	}

	private storeSettled(at: number, tokens: number): void {
		this.ctx.storage.sql.exec(
			`INSERT INTO settled (second, tokens) VALUES (?, ?)
				ON CONFLICT (second) DO UPDATE SET tokens = tokens + excluded.tokens`,
			secondOf(at),
			tokens,
		);
	}

	private storeSpent(period: string, usd: number): void {
		this.ctx.storage.sql.exec("INSERT OR REPLACE INTO spent (period, usd) VALUES (?, ?)", period, usd);
	}

	/** Drops what left the window: from memory, and once per second from storage. */
	private prune(state: State, now: number): void {
		const cutoff = now - WINDOW_MS;
		const { requests, tokens } = state;
		while ((requests[0] ?? now) <= cutoff) requests.shift();
		while ((tokens[0]?.[0] ?? now) <= cutoff) state.tokensInWindow -= tokens.shift()?.[1] ?? 0;
		// Seconds that ended at or before the cutoff hold nothing the window still counts.
		const keepFrom = secondOf(cutoff + 1);
		if (keepFrom > this.storedFrom) {
			this.ctx.storage.sql.exec("DELETE FROM admitted WHERE second < ?", keepFrom);
			this.ctx.storage.sql.exec("DELETE FROM settled WHERE second < ?", keepFrom);
			this.storedFrom = keepFrom;
		}
	}

	/** Decides whether a request may start now; an admitted request counts against rpm at once. */
	async admit(limits: KeyLimits, now: number): Promise<Admission> {
		const state = this.load();
		this.prune(state, now);
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
			let used = state.tokensInWindow;
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
			// Storage first: a failed write leaves memory as it was.
			this.storeAdmitted(now);
			state.requests.push(now);
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
		const state = this.load();
		this.prune(state, now);
		if (tokens > 0) {
			this.storeSettled(now, tokens);
			state.tokens.push([now, tokens]);
			state.tokensInWindow += tokens;
		}
		if (costUsd > 0) {
			// Billed to the period the request started in, so a request crossing midnight of the month is counted once.
			const period = budgetPeriodOf(limits, startedAt);
			const usd = (state.spent[period] ?? 0) + costUsd;
			this.storeSpent(period, usd);
			state.spent[period] = usd;
		}
	}

	/** For the admin API and tests: what the counters hold now. */
	async snapshot(
		limits: KeyLimits,
		now: number,
	): Promise<{ requests: number; tokens: number; spent: number }> {
		const state = this.load();
		this.prune(state, now);
		return {
			requests: state.requests.length,
			tokens: state.tokensInWindow,
			spent: state.spent[budgetPeriodOf(limits, now)] ?? 0,
		};
	}
}

/** A refusal that frees up when the entry made at `oldest` leaves the one-minute window. */
function rateLimited(allowance: string, oldest: number, now: number): Admission {
	return {
		ok: false,
		code: "rate_limit_exceeded",
		message: `Rate limit reached: this API key may ${allowance} per minute.`,
		retryAfter: Math.max(1, Math.ceil((oldest + WINDOW_MS - now) / 1000)),
	};
}

const secondOf = (time: number) => Math.floor(time / 1000);
/** The last millisecond of a second: a restored entry counts for as long as it can have. */
const endOf = (second: number) => second * 1000 + 999;
