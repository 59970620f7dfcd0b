import { Hono } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../env";
import { validated } from "../schemas/zod-error";

const timeBound = z.pipe(
	z.string().check(z.refine((v) => !Number.isNaN(Date.parse(v)), "expected an ISO 8601 date or time")),
	z.transform((v: string) => Date.parse(v)),
);

export const usageQuery = z.strictObject({
	key_id: z.optional(z.string()),
	model: z.optional(z.string()),
	from: z.optional(timeBound),
	to: z.optional(timeBound),
	group_by: z._default(z.enum(["day", "model", "key"]), "day"),
});

// Fixed SQL per grouping: no client text is ever spliced into a query.
const groupExpressions = {
	day: "strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')",
	model: "model",
	key: "key_id",
} as const;

/** `GET /admin/usage`: totals per day, model or key, filtered by key, model and a [from, to) window. */
export const adminUsageRoute = new Hono<AppEnv>().get("/", async (c) => {
	const q = validated(usageQuery, c.req.query());
	const where: string[] = [];
	const params: Array<string | number> = [];
	if (q.key_id) {
		where.push("key_id = ?");
		params.push(q.key_id);
	}
	if (q.model) {
		where.push("model = ?");
		params.push(q.model);
	}
	if (q.from !== undefined) {
		where.push("created_at >= ?");
		params.push(q.from);
	}
	if (q.to !== undefined) {
		where.push("created_at < ?");
		params.push(q.to);
	}
	const group = groupExpressions[q.group_by];
	const sql = `SELECT ${group} AS "group", COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens,
		SUM(completion_tokens) AS completion_tokens, SUM(total_tokens) AS total_tokens, SUM(cost_usd) AS cost
		FROM usage ${where.length ? `WHERE ${where.join(" AND ")}` : ""} GROUP BY 1 ORDER BY 1`;
	const { results } = await c.env.DB.prepare(sql)
		.bind(...params)
		.all<{
			group: string;
			requests: number;
			prompt_tokens: number;
			completion_tokens: number;
			total_tokens: number;
			cost: number;
		}>();
	return c.json({
		data: results.map((r) => ({ ...r, cost: Math.round(r.cost * 1e9) / 1e9 })),
	});
});
