import { Hono } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../env";
import { validated } from "../schemas/zod-error";
import { modelStats } from "../usage/queries/model-stats";
import { reportGroupings, usageReport } from "../usage/queries/report";
import { timeBound } from "./admin-query";

export const usageQuery = z.strictObject({
	key_id: z.optional(z.string()),
	model: z.optional(z.string()),
	from: z.optional(timeBound),
	to: z.optional(timeBound),
	group_by: z._default(z.enum(reportGroupings), "day"),
});

export const modelStatsQuery = z.strictObject({
	key_id: z.optional(z.string()),
	from: z.optional(timeBound),
	to: z.optional(timeBound),
});

export const adminUsageRoute = new Hono<AppEnv>()
	/** Totals per day, hour, model or key, filtered by key, model and a [from, to) window. */
	.get("/", async (c) => {
		const q = validated(usageQuery, c.req.query());
		const filter = { keyId: q.key_id, model: q.model, from: q.from, to: q.to };
		return c.json({ data: await usageReport(c.env.DB, filter, q.group_by) });
	})
	/** Per model: requests, errors, latency percentiles and cost, the most expensive first. */
	.get("/models", async (c) => {
		const q = validated(modelStatsQuery, c.req.query());
		return c.json({ data: await modelStats(c.env.DB, { keyId: q.key_id, from: q.from, to: q.to }) });
	});
