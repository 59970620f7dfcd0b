import { Hono } from "hono";
import { z } from "zod";
import { createKey, listKeys, revokeKey } from "../auth/keys";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors";
import { readJson, validationError } from "../schemas/zod-error";

export const createKeyBody = z.strictObject({
	name: z.string().min(1).max(200),
	models: z.array(z.string().min(1)).max(1000).nullish(),
});

export const adminKeysRoute = new Hono<AppEnv>()
	.post("/", async (c) => {
		const parsed = createKeyBody.safeParse(await readJson(c.req.raw));
		if (!parsed.success) throw validationError(parsed.error);
		const { key, listing } = await createKey(
			c.env,
			{ name: parsed.data.name, models: parsed.data.models ?? null },
			Date.now(),
		);
		// The only time the key is ever shown.
		return c.json({ ...listing, key }, 201);
	})
	.get("/", async (c) => c.json({ data: await listKeys(c.env) }))
	.delete("/:id", async (c) => {
		const id = c.req.param("id");
		if (!(await revokeKey(c.env, id, Date.now()))) {
			throw new GatewayError(404, `No key with id '${id}'.`, { code: "key_not_found" });
		}
		return c.json({ id, revoked: true });
	});
