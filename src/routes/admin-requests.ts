import { Hono } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../env";
import { validated } from "../schemas/zod-error";
import { outcomes } from "../usage/queries/filter";
import { listRequests } from "../usage/queries/requests";
import { DEFAULT_LIMIT, pageCursor, pageLimit, pageOf, timeBound } from "./admin-query";

export const requestsQuery = z.strictObject({
	limit: z.optional(pageLimit),
	cursor: z.optional(pageCursor),
	key_id: z.optional(z.string()),
	model: z.optional(z.string()),
	outcome: z.optional(z.enum(outcomes)),
	from: z.optional(timeBound),
	to: z.optional(timeBound),
});

/** `GET /admin/requests`: the newest usage rows, one page at a time, filtered; never content. */
export const adminRequestsRoute = new Hono<AppEnv>().get("/", async (c) => {
	const q = validated(requestsQuery, c.req.query());
	const size = q.limit ?? DEFAULT_LIMIT;
	const rows = await listRequests(
		c.env.DB,
		{ keyId: q.key_id, model: q.model, outcome: q.outcome, from: q.from, to: q.to },
		{ after: q.cursor ?? null, limit: size + 1 },
	);
	return c.json(pageOf(rows, size));
});
