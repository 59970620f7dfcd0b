import { GatewayError } from "../../errors";
import { isObject } from "../../is-object";
import type { Usage } from "../../schemas/chat-response";
import type { JsonObject, PassThroughAdapter } from "../adapter";
import { upstreamGarbage } from "../upstream-errors";
import { openaiRequest } from "./upstream-request";

/**
 * An embeddings request to an OpenAI-protocol upstream, passed through: the body to `{base}/embeddings`
 * with only `model` mapped, the answer back with `model` the catalog id (an embeddings list has no
 * id). Usage is `{prompt_tokens, total_tokens}` (openai-node 6.49.0 resources/embeddings.d.ts,
 * CreateEmbeddingResponse.Usage); there are no output tokens.
 */
export const embeddingsPassThrough = {
	buildRequest: (request, target) =>
		openaiRequest(target, "embeddings", { ...request.body, model: target.upstreamModel }),
	parseResponse(body, ids) {
		if (!isObject(body) || body.object !== "list" || !Array.isArray(body.data)) {
			throw upstreamGarbage("an answer");
		}
		return { body: { ...(body as JsonObject), model: ids.model }, usage: embeddingsUsage(body.usage) };
	},
	createStreamStage() {
		// The embeddings ingress never streams; a stage is part of the contract only.
		throw new GatewayError(500, "Embeddings are not streamed.");
	},
} satisfies PassThroughAdapter;

function embeddingsUsage(value: unknown): Usage | null {
	if (!isObject(value)) return null;
	const prompt = typeof value.prompt_tokens === "number" && value.prompt_tokens > 0 ? value.prompt_tokens : 0;
	return { prompt_tokens: prompt, completion_tokens: 0, total_tokens: prompt };
}
