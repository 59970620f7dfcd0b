import type { Config } from "../../config";
import type { EngineRequest } from "../../engine/request";
import type { Ingress } from "../../engine/serve";
import { GatewayError } from "../../errors";
import { isObject } from "../../is-object";
import type { JsonObject } from "../../protocols/adapter";
import { readJson } from "../../request-body";
import { validated } from "../../schemas/zod-error";
import { fallbacksFrom } from "../fallbacks-header";
import { embeddingsRequest } from "./schema";

/**
 * The OpenAI embeddings ingress of one request. OpenAI-protocol models get the body as it came
 * (pass-through to their /embeddings). Other providers are not served yet: their model answers a 400
 * naming it (Gemini's batchEmbedContents translation is the next step of issue 16).
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
						`Embeddings from the model '${body.model}' are not served by this gateway yet: only OpenAI-protocol providers' embeddings models are.`,
						{ param: "model", code: "model_not_supported" },
					);
				},
				native: { protocol: "openai", api: "embeddings", body: body as JsonObject, headers: {} },
			};
		},
		streamEncoder() {
			throw new Error("embeddings are never streamed");
		},
	};
}
