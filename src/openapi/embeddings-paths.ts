import * as z from "zod/mini";
import { embeddingsRequest } from "../schemas/embeddings-request";
import { type JsonSchema, jsonSchema } from "./json-schema";
import { apiKeySecurity, errors, jsonAnswer, jsonBody } from "./parts";

/** The schemas the embeddings operation refers to: the request from the validating zod schema. */
export function embeddingsSchemas(): Record<string, JsonSchema> {
	const count = z.int().check(z.minimum(0));
	return {
		EmbeddingsRequest: jsonSchema(embeddingsRequest, "input"),
		EmbeddingList: jsonSchema(
			z.object({
				object: z.literal("list"),
				data: z.array(
					z.object({
						object: z.literal("embedding"),
						index: count,
						embedding: z
							.union([z.array(z.number()), z.string()])
							.check(z.describe("Floats, or base64 of little-endian float32 with encoding_format base64.")),
					}),
				),
				model: z.string().check(z.describe("The catalog id of the model that answered.")),
				usage: z.object({ prompt_tokens: count, total_tokens: count }),
			}),
			"output",
		),
	};
}

/** OpenAI's embeddings API under /v1/embeddings. */
export function embeddingsPaths() {
	return {
		"/v1/embeddings": {
			post: {
				tags: ["Embeddings"],
				operationId: "createEmbeddings",
				summary: "Create embeddings",
				description:
					"OpenAI's embeddings API for the catalog's embeddings models: passed through to OpenAI-protocol providers, sent to Gemini as batchEmbedContents calls of at most 100 inputs (text only; usage estimated).",
				security: apiKeySecurity,
				requestBody: jsonBody("EmbeddingsRequest"),
				responses: {
					200: jsonAnswer("The vectors, in input order.", "EmbeddingList"),
					...errors({
						400: "Invalid input (empty, mixed, too many; token ids for Gemini), or a model that does not serve embeddings (model_not_supported).",
						401: "Missing or invalid API key.",
						403: "This API key may not use the model.",
						404: "The model does not exist or is not enabled.",
						429: "The key's rate limit or budget, or the provider's, was reached.",
						502: "The provider failed or sent an answer the gateway could not read.",
						503: "The model's provider is not configured, or is overloaded.",
						504: "The provider did not answer in time.",
					}),
				},
			},
		},
	};
}
