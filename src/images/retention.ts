import { type Env, retentionDays } from "../env";

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

const BATCH = 500; // R2 deletes up to 1000 keys per call; D1 binds up to 100 parameters per statement.

export const imageRetentionDays = (env: Env): number | null => retentionDays(env.IMAGE_RETENTION_DAYS);

/** Deletes expired images; returns how many. `now` is Unix milliseconds. */
export async function deleteExpiredImages(env: Env, now: number): Promise<number> {
	const days = imageRetentionDays(env);
	if (days === null) return 0;
	const cutoff = now - days * 24 * 60 * 60 * 1000;
	let deleted = 0;
	for (;;) {
		const { results } = await env.DB.prepare(
			"SELECT id, r2_key FROM images WHERE created_at < ? ORDER BY created_at LIMIT ?",
		)
			.bind(cutoff, BATCH)
			.all<{ id: string; r2_key: string }>();
		if (results.length === 0) return deleted;
		await env.IMAGES.delete(results.map((row) => row.r2_key));
		const ids = results.map((row) => row.id);
		for (let i = 0; i < ids.length; i += 90) {
			const slice = ids.slice(i, i + 90);
			await env.DB.prepare(`DELETE FROM images WHERE id IN (${slice.map(() => "?").join(", ")})`)
				.bind(...slice)
				.run();
		}
		deleted += results.length;
		if (results.length < BATCH) return deleted;
	}
}
