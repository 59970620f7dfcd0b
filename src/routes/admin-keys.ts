import { Hono } from "hono";
import * as z from "zod/mini";
import { listKeyPage, withBudgetSpent } from "../auth/key-page";
import { createKey, findKey, type KeyListing, type KeySettings, revokeKey, updateKey } from "../auth/keys";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors";
import { keyLimitsSchema } from "../limits/key-limits";
import { readJson } from "../request-body";
import { validated } from "../schemas/zod-error";
import { DEFAULT_LIMIT, pageCursor, pageLimit, pageOf } from "./admin-query";

const keyFields = z.strictObject({
	name: z.string().check(z.minLength(1), z.maxLength(200)),
	models: z.nullish(z.array(z.string().check(z.minLength(1))).check(z.maxLength(1000))),
	...keyLimitsSchema.shape,
});

export const createKeyBody = keyFields;
/** PATCH: every field optional; a field set to null removes that limit or the allow-list. */
export const updateKeyBody = z.partial(keyFields);

/** GET: a page of keys, newest first; `q` finds a name or prefix containing it, ignoring ASCII case. */
export const keysQuery = z.strictObject({
	limit: z.optional(pageLimit),
	cursor: z.optional(pageCursor),
	q: z.optional(z.string().check(z.maxLength(200), z.describe("Part of a key's name or prefix."))),
});

type Fields = z.infer<typeof updateKeyBody>;

/** The patch applied over what the key has now (or over nothing, for a new key). */
function settingsFrom(fields: Fields, current: KeyListing | null): KeySettings {
	const pick = <T>(value: T | null | undefined, existing: T | null): T | null =>
		value === undefined ? existing : value;
	return {
		name: fields.name ?? current?.name ?? "",
		models: pick(fields.models, current?.models ?? null),
		limits: {
			budgetUsd: pick(fields.budget_usd, current?.budget_usd ?? null),
			budgetPeriod: fields.budget_period ?? current?.budget_period ?? "total",
			rpm: pick(fields.rpm, current?.rpm ?? null),
			tpm: pick(fields.tpm, current?.tpm ?? null),
		},
	};
}

const notFound = (id: string) => new GatewayError(404, `No key with id '${id}'.`, { code: "key_not_found" });

export const adminKeysRoute = new Hono<AppEnv>()
	.post("/", async (c) => {
		const body = validated(createKeyBody, await readJson(c.req.raw));
		const { key, listing } = await createKey(c.env, settingsFrom(body, null), Date.now());
		// The only time the key is ever shown.
		return c.json({ ...listing, key }, 201);
	})
	.get("/", async (c) => {
		const query = validated(keysQuery, c.req.query());
		const size = query.limit ?? DEFAULT_LIMIT;
		const now = Date.now();
		const rows = await listKeyPage(c.env.DB, {
			search: query.q ?? null,
			page: { after: query.cursor ?? null, limit: size + 1 },
			now,
		});
		const page = pageOf(rows, size);
		// Only the keys shown ask their limiter, not the extra row that tells another page follows.
		return c.json({ ...page, data: await withBudgetSpent(c.env, page.data, now) });
	})
	.patch("/:id", async (c) => {
		const id = c.req.param("id");
		const body = validated(updateKeyBody, await readJson(c.req.raw));
		const current = await findKey(c.env, id);
		if (!current) throw notFound(id);
		const updated = await updateKey(c.env, id, settingsFrom(body, current));
		if (!updated) throw notFound(id);
		return c.json(updated);
	})
	.delete("/:id", async (c) => {
		const id = c.req.param("id");
		if (!(await revokeKey(c.env, id, Date.now()))) throw notFound(id);
		return c.json({ id, revoked: true });
	});
