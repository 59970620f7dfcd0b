import { configOf, DAY_MS } from "../config";
import type { Env } from "../env";

/**
 * Image retention. By default generated images are kept forever: a URL handed to a client keeps
 * working. Setting the var IMAGE_RETENTION_DAYS (a positive integer, e.g. "30") makes
 * deleteExpiredImages remove every image older than that many days — its R2 object first, then its
 * D1 row — after which its URL answers 404. Run it from a cron trigger (`scheduled` handler).
 *
 * Objects go before rows: if the run dies between the two, the leftover rows are simply deleted
 * again next time (R2 deletes of missing keys succeed), whereas rows deleted first would leave
 * objects nothing points to.
 */

// R2 deletes up to 1000 keys per call.
const BATCH = 500;
/**
 * Two D1 queries a round: 24 at most, beside usage retention's 20 in the same cron invocation, under
 * the Workers Free plan's 50 (developers.cloudflare.com/d1/platform/limits). 6,000 images a day;
 * the next day's run goes on where this one stopped.
 */
const MAX_ROUNDS = 12;

export const imageRetentionDays = (env: Env): number | null => configOf(env).imageRetentionDays;

/** Deletes expired images; returns how many. `now` is Unix milliseconds. */
export async function deleteExpiredImages(env: Env, now: number): Promise<number> {
	const days = imageRetentionDays(env);
	if (days === null) return 0;
	const cutoff = now - days * DAY_MS;
	// Both statements pick the same rows: images are never inserted in the past.
	const oldest = "FROM images WHERE created_at < ?1 ORDER BY created_at, id LIMIT ?2";
	let deleted = 0;
	for (let round = 0; round < MAX_ROUNDS; round++) {
		const { results } = await env.DB.prepare(`SELECT r2_key ${oldest}`)
			.bind(cutoff, BATCH)
			.all<{ r2_key: string }>();
		if (results.length === 0) return deleted;
		await env.IMAGES.delete(results.map((row) => row.r2_key));
		await env.DB.prepare(`DELETE FROM images WHERE id IN (SELECT id ${oldest})`).bind(cutoff, BATCH).run();
		deleted += results.length;
		if (results.length < BATCH) return deleted;
	}
	return deleted;
}
