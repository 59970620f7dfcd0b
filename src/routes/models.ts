import { Hono } from "hono";
import { listModels } from "../catalog/models";
import type { AppEnv } from "../env";

/** `GET /v1/models`: the enabled models this key may use, in OpenAI's list format. */
export const modelsRoute = new Hono<AppEnv>().get("/", async (c) => {
	const key = c.get("apiKey");
	const models = await listModels(c.env, { enabledOnly: true });
	const visible = key.models ? models.filter((m) => key.models?.includes(m.id)) : models;
	return c.json({
		object: "list",
		data: visible.map((m) => ({
			id: m.id,
			object: "model",
			created: Math.floor(m.createdAt / 1000),
			owned_by: m.provider,
			// Gateway extension: what the model answers (chat, image, embeddings).
			kind: m.kind,
		})),
	});
});
