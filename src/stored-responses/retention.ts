import { configOf, DAY_MS } from "../config";
import type { Env } from "../env";

/**
 * Retention of stored responses. By default they are kept forever, as OpenAI keeps them until
 * deleted. With RESPONSE_RETENTION_DAYS set (a positive number), a response older than that is gone
 * at once for every read (the store reads only rows since the cutoff), and its row and R2 object are
 * deleted later: a few inline rows with every response saved (the usage table's way of keeping pace
 * with traffic, src/usage/retention.ts), the rest by the daily cron.
 *
 * The cron takes rows whose bodies are in R2 apart from the rest: their objects go first, then the
 * rows (as images do: a run that dies between the two leaves rows that are deleted again next time,
 * never objects nothing points to). Inline rows, the great majority, go 5,000 to a statement.
 */

/** R2 deletes up to 1000 keys a call; two D1 queries a round. */
const R2_BATCH = 500;
const R2_ROUNDS = 2;
const INLINE_BATCH = 5000;
const INLINE_STATEMENTS = 2;
/**
 * So at most 2 × 2 + 2 = 6 D1 queries a cron run: with image retention's 24 and usage retention's 20
 * in the same invocation, the Workers Free plan's 50 (developers.cloudflare.com/d1/platform/limits).
 * 1,000 R2-backed and 10,000 inline rows a day, beside the deletes that come with every save.
 */
export const CRON_QUERIES = R2_ROUNDS * 2 + INLINE_STATEMENTS;

/** Expired inline rows deleted with every response saved. */
export const EXPIRED_DELETED_PER_SAVE = 2;

export const responseRetentionDays = (env: Env): number | null => configOf(env).responseRetentionDays;

/** The oldest `created_at` a read may see at `now`: everything when retention is unset. */
export function visibleSince(env: Env, now: number): number {
	const days = responseRetentionDays(env);
	return days === null ? Number.MIN_SAFE_INTEGER : now - days * DAY_MS;
}

/** Deletes up to `limit` expired rows whose bodies are in the row (rowid through the time index). */
export function deleteExpiredInline(db: D1Database, cutoff: number, limit: number): D1PreparedStatement {
	return db
		.prepare(
			"DELETE FROM stored_responses WHERE rowid IN (SELECT rowid FROM stored_responses WHERE created_at < ?1 AND r2_key IS NULL ORDER BY created_at LIMIT ?2)",
		)
		.bind(cutoff, limit);
}

/** The daily cron's pass: deletes expired responses and their R2 objects; returns how many. */
export async function expireStoredResponses(env: Env, now: number): Promise<number> {
	const days = responseRetentionDays(env);
	if (days === null) return 0;
	const cutoff = now - days * DAY_MS;
	let deleted = 0;

	// Both statements pick the same rows (partial index stored_responses_in_r2_by_time): no response
	// is ever inserted in the past.
	const oldestInR2 =
		"FROM stored_responses WHERE created_at < ?1 AND r2_key IS NOT NULL ORDER BY created_at, id LIMIT ?2";
	for (let round = 0; round < R2_ROUNDS; round++) {
		const { results } = await env.DB.prepare(`SELECT r2_key ${oldestInR2}`)
			.bind(cutoff, R2_BATCH)
			.all<{ r2_key: string }>();
		if (results.length === 0) break;
		await env.IMAGES.delete(results.map((row) => row.r2_key));
		const { meta } = await env.DB.prepare(
			`DELETE FROM stored_responses WHERE id IN (SELECT id ${oldestInR2})`,
		)
			.bind(cutoff, R2_BATCH)
			.run();
		deleted += meta.changes;
		if (results.length < R2_BATCH) break;
	}

	for (let statement = 0; statement < INLINE_STATEMENTS; statement++) {
		const { meta } = await deleteExpiredInline(env.DB, cutoff, INLINE_BATCH).run();
		deleted += meta.changes;
		if (meta.changes < INLINE_BATCH) break;
	}
	return deleted;
}
