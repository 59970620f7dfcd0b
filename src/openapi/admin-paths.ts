import { usageQuery } from "../routes/admin-usage";
import { queryParameters } from "./json-schema";
import { adminErrors, adminSecurity, errors, jsonAnswer, jsonBody, pathParameter } from "./parts";

const keyId = pathParameter("id", "The key's id (`key_…`).");

/** The admin API under /admin. */
export function adminPaths() {
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
				summary: "List API keys",
				security: adminSecurity,
				responses: {
					200: jsonAnswer("Every key, revoked ones included; never the keys themselves.", "KeyList"),
					...errors(adminErrors),
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
				parameters: [
					pathParameter("provider", "A configured provider: openai, anthropic, gemini or one of PROVIDERS."),
					pathParameter("name", "The model's name on this gateway; the id is `provider/name`."),
				],
				requestBody: jsonBody("ModelSpec"),
				responses: {
					200: jsonAnswer("The saved catalog entry.", "CatalogModel"),
					...errors({ 400: "Invalid id, unknown provider or a field failed validation.", ...adminErrors }),
				},
			},
		},
		"/admin/usage": {
			get: {
				tags: ["Admin: usage"],
				operationId: "usageReport",
				summary: "Usage totals per day, model or key",
				description: "`from` and `to` are ISO 8601 dates or times; the window is [from, to).",
				security: adminSecurity,
				parameters: queryParameters(usageQuery),
				responses: {
					200: jsonAnswer("One row per group.", "UsageReport"),
					...errors({ 400: "A query parameter failed validation.", ...adminErrors }),
				},
			},
		},
	};
}
