import type { Env } from "../env";
import { budgetSpent } from "../limits/enforce";
import type { KeyLimits } from "../limits/key-limits";
import { roundUsd } from "../usage/cost";
import type { Page } from "../usage/queries/page";
import type { KeyRow } from "./key-record";
import { type KeyListing, toListing } from "./keys";

/** A key with what its usage rows say it spent in its current budget period. */
export interface KeyWithUsageSpend extends KeyListing {
	/**
	 * USD, from the usage table: all time for a "total" budget, this UTC month for a "monthly" one.
	 * What the rows still held record; not what the budget is enforced against (rows deleted by
	 * retention are missing, and spend made while the key had no limits counts here only).
	 */
	spent_usd: number;
}

/** A key in the dashboard's list: its listing and what it has spent in its current budget period. */
export interface KeyWithSpend extends KeyWithUsageSpend {
	/**
	 * USD the key's limiter (src/limits/key-limiter.ts) has booked in the current budget period: what
	 * the budget is enforced against. Null for a key without a budget, a revoked key, or when the
	 * limiter could not be read.
	 */
	budget_spent_usd: number | null;
}

/**
 * The current monthly budget period as a [start, end) window in Unix ms: the UTC calendar month of
 * `now`. The limiter (src/limits/key-limits.ts, budgetPeriodOf) books a request's cost to the month
 * of its start, `new Date(startedAt).toISOString().slice(0, 7)`, and usage rows carry that start as
 * created_at: a row counts toward this month exactly when its created_at falls in this window.
 */
export function monthWindow(now: number): { start: number; end: number } {
	const date = new Date(now);
	return {
		start: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
		end: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
	};
}

/** `%`, `_` and the escape itself matched as themselves in a LIKE pattern with ESCAPE '\'. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

// The page is chosen first (MATERIALIZED keeps SQLite from folding it into the outer query), so the
// spend, one index range per key (usage_by_key_spend, migration 0012), is summed for its keys only.
// A total budget sums every row of the key: its range is unbounded. LIKE folds ASCII case, as the
// search asks. Every optional filter is a bound parameter that may be NULL: one fixed statement.
const SQL = `WITH page AS MATERIALIZED (
	SELECT id, name, prefix, models, budget_usd, budget_period, rpm, tpm, created_at, revoked_at
	FROM api_keys
	WHERE (?1 IS NULL OR name LIKE ?1 ESCAPE '\\' OR prefix LIKE ?1 ESCAPE '\\')
		AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3))
	ORDER BY created_at DESC, id DESC
	LIMIT ?4
)
SELECT page.*, (
	SELECT TOTAL(u.cost_usd) FROM usage u
	WHERE u.key_id = page.id
		AND u.created_at >= CASE WHEN page.budget_period = 'monthly' THEN ?5 ELSE -9007199254740991 END
		AND u.created_at < CASE WHEN page.budget_period = 'monthly' THEN ?6 ELSE 9007199254740991 END
) AS spent_usd
FROM page
ORDER BY created_at DESC, id DESC`;

/** One page of keys, newest first (created_at DESC, id DESC), revoked ones included. */
export async function listKeyPage(
	db: D1Database,
	options: { search: string | null; page: Page; now: number },
): Promise<KeyWithUsageSpend[]> {
	const { search, page, now } = options;
	const month = monthWindow(now);
	const { results } = await db
		.prepare(SQL)
		.bind(
			search === null ? null : `%${likeLiteral(search)}%`,
			page.after?.createdAt ?? null,
			page.after?.id ?? null,
			page.limit,
			month.start,
			month.end,
		)
		.all<KeyRow & { spent_usd: number }>();
	return results.map((row) => ({ ...toListing(row), spent_usd: roundUsd(row.spent_usd) }));
}

/** The limits a listed key is enforced with, as its limiter takes them. */
const limitsOf = (key: KeyListing): KeyLimits => ({
	budgetUsd: key.budget_usd,
	budgetPeriod: key.budget_period,
	rpm: key.rpm,
	tpm: key.tpm,
});

/**
 * Adds each key's budget_spent_usd: one limiter read per active key with a budget, all at once; keys
 * without a budget and revoked keys make no binding call.
 */
export function withBudgetSpent(env: Env, keys: KeyWithUsageSpend[], now: number): Promise<KeyWithSpend[]> {
	return Promise.all(
		keys.map(async (key) => {
			if (key.budget_usd === null || key.revoked_at !== null) return { ...key, budget_spent_usd: null };
			const spent = await budgetSpent(env, key.id, limitsOf(key), now);
			return { ...key, budget_spent_usd: spent === null ? null : roundUsd(spent) };
		}),
	);
}
