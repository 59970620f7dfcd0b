import { app } from "./app";
import { configIsValid } from "./config";
import type { Env } from "./env";
import { deleteExpiredImages } from "./images/retention";
import { expireStoredResponses } from "./stored-responses/retention";
import { deleteExpiredUsageRows } from "./usage/retention";

/** Durable Object classes must be exported by the Worker's main module. */
export { KeyLimiter } from "./limits/key-limiter";

export default {
	fetch: app.fetch,
	/**
	 * The daily cron of wrangler.toml: image, usage and stored-response retention (no-ops unless
	 * IMAGE_RETENTION_DAYS, USAGE_RETENTION_DAYS and RESPONSE_RETENTION_DAYS are set). A malformed
	 * setting has been logged by src/config.ts.
	 */
	scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
		if (!configIsValid(env)) return;
		const now = Date.now();
		ctx.waitUntil(deleteExpiredImages(env, now));
		ctx.waitUntil(deleteExpiredUsageRows(env, now));
		ctx.waitUntil(expireStoredResponses(env, now));
	},
} satisfies ExportedHandler<Env>;
