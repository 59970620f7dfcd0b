import type { Config } from "../../config";
import type { EngineRequest } from "../../engine/request";
import type { Ingress } from "../../engine/serve";
import { GatewayError } from "../../errors";
import { isObject } from "../../is-object";
import type { JsonObject } from "../../protocols/adapter";
import { readJson } from "../../request-body";
import { embeddingsRequest } from "../../schemas/embeddings-request";
import { validated } from "../../schemas/zod-error";
import { fallbacksFrom } from "../fallbacks-header";

/**
 * The OpenAI embeddings ingress of one request. The body goes to the model's provider as it came:
 * OpenAI-protocol upstreams take it as it is (their /embeddings), Gemini's is re-shaped into
 * batchEmbedContents calls (protocols/gemini/embeddings.ts). A provider with no embeddings API
 * (Anthropic) has no canonical form to fall back on: its model answers a 400 naming it.
 */
export function embeddingsIngress(headers: Headers): Ingress {
	return {
		async decode(request: Request, config: Config, named: (model: string) => void): Promise<EngineRequest> {
			const raw = await readJson(request);
			if (isObject(raw) && typeof raw.model === "string") named(raw.model);
			const body = validated(embeddingsRequest, raw);
			const count =
				typeof body.input === "string" || typeof body.input[0] === "number" ? 1 : body.input.length;
			if (count > config.input.maxEmbeddingInputs) {
				throw new GatewayError(
					400,
					`Too many inputs: ${count}, the limit is ${config.input.maxEmbeddingInputs} per request.`,
					{ param: "input", code: "too_many_inputs" },
				);
			}
			return {
				model: body.model,
				stream: false,
				wants: "embeddings",
				fallbacks: fallbacksFrom(headers),
				includeUsage: false,
				canonical() {
					throw new GatewayError(
						400,
						`The model '${body.model}' cannot answer embeddings requests: its provider has no embeddings API this gateway speaks.`,
						{ param: "model", code: "model_not_supported" },
					);
				},
				native: { api: "embeddings", body: body as JsonObject, headers: {} },
			};
		},
		streamEncoder() {
			throw new Error("embeddings are never streamed");
		},
	};
}
