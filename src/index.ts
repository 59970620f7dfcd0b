import { app } from "./app";
import type { Env } from "./env";
import { isHotPath, serveHotPath } from "./hot-path";
import { deleteExpiredImages } from "./images/retention";
import { deleteExpiredUsageRows } from "./usage/retention";

/** Durable Object classes must be exported by the Worker's main module. */
export { KeyLimiter } from "./limits/key-limiter";

export default {
	// A plain Request, as Hono's fetch takes: the hot path reads no `cf` properties.
	fetch(request: Request, env: Env, ctx: ExecutionContext) {
		const routed = () => app.fetch(request, env, ctx);
		return isHotPath(request, env) ? serveHotPath(request, env, ctx, routed) : routed();
	},
	/**
	 * The daily cron of wrangler.toml: image and usage retention (no-ops unless IMAGE_RETENTION_DAYS
	 * and USAGE_RETENTION_DAYS are set).
	 */
	scheduled(_controller: ScheduledController, env: Env, ctx: ExecutionContext) {
		const now = Date.now();
		ctx.waitUntil(deleteExpiredImages(env, now));
		ctx.waitUntil(deleteExpiredUsageRows(env, now));
	},
} satisfies ExportedHandler<Env>;
