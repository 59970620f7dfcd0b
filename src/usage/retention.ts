import type { Env } from "../env";

/**
 * Usage retention. By default usage rows are kept forever. With USAGE_RETENTION_DAYS set (a positive
 * integer), every batch of rows written also deletes up to twice as many rows older than that,
 * oldest first. The clean-up so keeps pace with the traffic that fills the table, and drains a
 * backlog (say, after the setting is first turned on) at the rate rows arrive; a daily cron could
 * delete no more than its per-invocation query limit allows.
 */

/** Old rows deleted per row written. */
const DELETED_PER_WRITTEN = 2;
const DAY_MS = 24 * 60 * 60 * 1000;

export function usageRetentionDays(env: Env): number | null {
	const raw = env.USAGE_RETENTION_DAYS;
	if (typeof raw !== "string" && typeof raw !== "number") return null;
	const days = Number(raw);
	return Number.isFinite(days) && days > 0 ? days : null;
}

/** The statement that deletes the oldest expired rows, as many as `written` rows allow. */
export function deleteExpiredUsage(
	db: D1Database,
	days: number,
	written: number,
	now: number,
): D1PreparedStatement {
	// rowid through the time index: SQLite in D1 has no DELETE … LIMIT.
	return db
		.prepare(
			"DELETE FROM usage WHERE rowid IN (SELECT rowid FROM usage WHERE created_at < ? ORDER BY created_at LIMIT ?)",
		)
		.bind(now - days * DAY_MS, written * DELETED_PER_WRITTEN);
}
