import { Hono } from "hono";
import { forgetCachedModel } from "../catalog/model-cache";
import {
	describeModel,
	isBuiltInModel,
	listModels,
	modelPatch,
	modelSpec,
	patchModel,
	upsertModel,
} from "../catalog/models";
import { findProvider } from "../catalog/providers";
import type { AppEnv } from "../env";
import { GatewayError, invalidRequest } from "../errors";
import { readJson } from "../request-body";
import { validated } from "../schemas/zod-error";

const modelIdPattern = /^[a-z0-9][a-z0-9_-]*\/[A-Za-z0-9][A-Za-z0-9._:@-]*$/;

export const adminModelsRoute = new Hono<AppEnv>()
	.get("/", async (c) => {
		const models = await listModels(c.env, { enabledOnly: false });
		return c.json({ data: models.map(describeModel) });
	})
	.put("/:provider/:name", async (c) => {
		const id = `${c.req.param("provider")}/${c.req.param("name")}`;
		if (!modelIdPattern.test(id))
			throw invalidRequest(`'${id}' is not a valid model id (provider/name).`, "id");
		const spec = validated(modelSpec, await readJson(c.req.raw));
		if (spec.provider !== c.req.param("provider")) {
			throw invalidRequest(`The model id must start with its provider: '${spec.provider}/…'.`, "provider");
		}
		if (!findProvider(c.env, spec.provider)) {
			throw new GatewayError(400, `Unknown provider '${spec.provider}'. Configure it in PROVIDERS first.`, {
				param: "provider",
				code: "unknown_provider",
			});
		}
		const saved = await upsertModel(c.env, id, spec, Date.now());
		forgetCachedModel(id);
		return c.json(describeModel(saved));
	})
	/** Changes only the fields the body names, e.g. `{"enabled": false}`. */
	.patch("/:provider/:name", async (c) => {
		const id = `${c.req.param("provider")}/${c.req.param("name")}`;
		const patch = validated(modelPatch, await readJson(c.req.raw));
		if (isBuiltInModel(id))
			throw invalidRequest(`'${id}' is built in and cannot be changed.`, null, "model_built_in");
		const saved = await patchModel(c.env, id, patch, Date.now());
		if (!saved) {
			throw new GatewayError(404, `No catalog model '${id}'.`, { code: "model_not_found" });
		}
		// As after a PUT: this isolate serves the change from its next request.
		forgetCachedModel(id);
		return c.json(describeModel(saved));
	});
