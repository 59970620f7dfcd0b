import { configOf, DAY_MS } from "../config";
import type { Env } from "../env";

/**
 * Usage retention. By default usage rows are kept forever. With USAGE_RETENTION_DAYS set (a positive
 * integer), every batch of rows written also deletes up to twice as many rows older than that,
 * oldest first. The clean-up so keeps pace with the traffic that fills the table, and drains a
 * backlog (say, after the setting is first turned on) at the rate rows arrive, which a cron alone,
 * bound by its per-invocation query limit, could not. The daily cron deletes what a quiet gateway's
 * few batches left.
 */

/** Old rows deleted per row written. */
const DELETED_PER_WRITTEN = 2;
/** The cron's share of the Free plan's 50 D1 queries per invocation, beside image retention's. */
const CRON_STATEMENTS = 20;
const CRON_ROWS_PER_STATEMENT = 5000;

export const usageRetentionDays = (env: Env): number | null => configOf(env).usageRetentionDays;

/** The statement that deletes the oldest expired rows, at most `limit` of them. */
function deleteExpiredUsage(db: D1Database, days: number, limit: number, now: number): D1PreparedStatement {
	// rowid through the time index: SQLite in D1 has no DELETE … LIMIT.
	return db
		.prepare(
			"DELETE FROM usage WHERE rowid IN (SELECT rowid FROM usage WHERE created_at < ? ORDER BY created_at LIMIT ?)",
		)
		.bind(now - days * DAY_MS, limit);
}

/** After a batch of `written` rows: deletes up to twice as many expired ones, when retention is set. */
export async function expireAfterBatch(env: Env, written: number): Promise<void> {
	const days = usageRetentionDays(env);
	if (days === null) return;
	try {
		await deleteExpiredUsage(env.DB, days, written * DELETED_PER_WRITTEN, Date.now()).run();
	} catch (error) {
		// Retried by the next batch; its error says what D1 refused (rows hold no content or secrets).
		console.error(JSON.stringify({ message: "expired usage rows not deleted", error: String(error) }));
	}
}

/** The daily cron's pass; returns how many rows it deleted. `now` is Unix milliseconds. */
export async function deleteExpiredUsageRows(env: Env, now: number): Promise<number> {
	const days = usageRetentionDays(env);
	if (days === null) return 0;
	let deleted = 0;
	for (let statement = 0; statement < CRON_STATEMENTS; statement++) {
		const { meta } = await deleteExpiredUsage(env.DB, days, CRON_ROWS_PER_STATEMENT, now).run();
		deleted += meta.changes;
		if (meta.changes < CRON_ROWS_PER_STATEMENT) break;
	}
	return deleted;
}
