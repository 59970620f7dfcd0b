import type * as z from "zod/mini";
import { modelPatch } from "../catalog/models";
import { keysQuery } from "../routes/admin-keys";
import { requestsQuery } from "../routes/admin-requests";
import { modelStatsQuery, usageQuery } from "../routes/admin-usage";
import { adminSchemas } from "./admin-schemas";
import { jsonSchema, queryParameters } from "./json-schema";
import { adminErrors, adminSecurity, errors, jsonAnswer, jsonBody, pathParameter } from "./parts";

const keyId = pathParameter("id", "The key's id (`key_…`).");

/** An answer whose schema is written out in place rather than named among the components. */
const inlineAnswer = (description: string, schema: z.core.$ZodType) => ({
	description,
	content: { "application/json": { schema: jsonSchema(schema, "output") } },
});

/** The admin API under /admin. */
export function adminPaths() {
	const answers = adminSchemas();
	const modelPath = [
		pathParameter("provider", "A configured provider: openai, anthropic, gemini or one of PROVIDERS."),
		pathParameter("name", "The model's name on this gateway; the id is `provider/name`."),
	];
	return {
		"/admin/keys": {
			post: {
				tags: ["Admin: keys"],
				operationId: "createKey",
				summary: "Create an API key",
				security: adminSecurity,
				requestBody: jsonBody("CreateKeyRequest"),
				responses: {
					201: jsonAnswer("The new key; `key` is shown this once only.", "CreatedKey"),
					...errors({ 400: "A field failed validation.", ...adminErrors }),
				},
			},
			get: {
				tags: ["Admin: keys"],
				operationId: "listKeys",
				summary: "List API keys, a page at a time",
				description:
					"Newest first (created_at, then id, descending), revoked ones included; never the keys " +
					"themselves; 50 a page unless `limit` says otherwise, so a client reading every key follows " +
					"`next_cursor`. Each key with its spend in its current budget period twice: `spent_usd` sums " +
					"its usage rows, `budget_spent_usd` is what its limiter booked and enforces the budget against; " +
					"they differ when usage rows were deleted, or when the key spent before it had a budget.",
				security: adminSecurity,
				parameters: queryParameters(keysQuery),
				responses: {
					200: inlineAnswer("One page of keys.", answers.KeyPage),
					...errors({ 400: "A query parameter failed validation.", ...adminErrors }),
				},
			},
		},
		"/admin/keys/{id}": {
			patch: {
				tags: ["Admin: keys"],
				operationId: "updateKey",
				summary: "Change a key's name, models or limits",
				description: "Fields left out keep their value; `null` removes a limit or the model allow-list.",
				security: adminSecurity,
				parameters: [keyId],
				requestBody: jsonBody("UpdateKeyRequest"),
				responses: {
					200: jsonAnswer("The key as it is now.", "KeyListing"),
					...errors({ 400: "A field failed validation.", 404: "No key with this id.", ...adminErrors }),
				},
			},
			delete: {
				tags: ["Admin: keys"],
				operationId: "revokeKey",
				summary: "Revoke a key",
				security: adminSecurity,
				parameters: [keyId],
				responses: {
					200: jsonAnswer("The key is revoked.", "RevokedKey"),
					...errors({ 404: "No key with this id.", ...adminErrors }),
				},
			},
		},
		"/admin/models": {
			get: {
				tags: ["Admin: models"],
				operationId: "listCatalogModels",
				summary: "List the model catalog",
				security: adminSecurity,
				responses: {
					200: jsonAnswer("Every catalog entry, disabled ones included.", "CatalogModelList"),
					...errors(adminErrors),
				},
			},
		},
		"/admin/models/{provider}/{name}": {
			put: {
				tags: ["Admin: models"],
				operationId: "putCatalogModel",
				summary: "Create or replace a catalog model",
				security: adminSecurity,
				parameters: modelPath,
				requestBody: jsonBody("ModelSpec"),
				responses: {
					200: jsonAnswer("The saved catalog entry.", "CatalogModel"),
					...errors({ 400: "Invalid id, unknown provider or a field failed validation.", ...adminErrors }),
				},
			},
			patch: {
				tags: ["Admin: models"],
				operationId: "patchCatalogModel",
				summary: "Change some fields of a catalog model",
				description:
					"Fields left out keep their value; `null` clears a nullable price; `capabilities` changes only " +
					"the flags it names. Requests and `/v1/models` see the change at once in this isolate.",
				security: adminSecurity,
				parameters: modelPath,
				requestBody: {
					required: true,
					content: { "application/json": { schema: jsonSchema(modelPatch, "input") } },
				},
				responses: {
					200: jsonAnswer("The catalog entry as it is now.", "CatalogModel"),
					...errors({
						400: "A field failed validation, or the model is built in.",
						404: "No catalog model with this id.",
						...adminErrors,
					}),
				},
			},
		},
		"/admin/providers": {
			get: {
				tags: ["Admin: models"],
				operationId: "listProviders",
				summary: "List the configured providers",
				description: "Name, protocol and whether an API key is set; never the key or the base URL.",
				security: adminSecurity,
				responses: {
					200: inlineAnswer("Every configured provider.", answers.ProviderList),
					...errors(adminErrors),
				},
			},
		},
		"/admin/usage": {
			get: {
				tags: ["Admin: usage"],
				operationId: "usageReport",
				summary: "Usage totals per day, hour, model or key",
				description:
					"`from` and `to` are ISO 8601 dates or times; the window is [from, to). Days and hours are UTC.",
				security: adminSecurity,
				parameters: queryParameters(usageQuery),
				responses: {
					200: inlineAnswer("One row per group, in the order of the groups.", answers.UsageReport),
					...errors({ 400: "A query parameter failed validation.", ...adminErrors }),
				},
			},
		},
		"/admin/usage/models": {
			get: {
				tags: ["Admin: usage"],
				operationId: "usageByModel",
				summary: "Requests, errors, latency percentiles and cost per model",
				description:
					"Over the [from, to) window, optionally for one key; the most expensive model first. Only " +
					"requests that reached a model count: rows of outcome `rejected` (the gateway's own 400, 403, " +
					"404 and 429 refusals, made before any upstream call) are left out of requests, errors and " +
					"latencies, so a model name a client mistyped has no row. Percentiles by nearest rank: the " +
					"latency at rank ceil(p/100 × requests).",
				security: adminSecurity,
				parameters: queryParameters(modelStatsQuery),
				responses: {
					200: inlineAnswer("One row per model.", answers.ModelStatsList),
					...errors({ 400: "A query parameter failed validation.", ...adminErrors }),
				},
			},
		},
		"/admin/requests": {
			get: {
				tags: ["Admin: usage"],
				operationId: "listRequests",
				summary: "The latest requests, a page at a time",
				description:
					"Usage rows newest first (created_at, then id, descending), filtered by key, model, outcome " +
					"and a [from, to) window; never request or answer content.",
				security: adminSecurity,
				parameters: queryParameters(requestsQuery),
				responses: {
					200: inlineAnswer("One page of requests.", answers.RequestPage),
					...errors({ 400: "A query parameter failed validation.", ...adminErrors }),
				},
			},
		},
	};
}
