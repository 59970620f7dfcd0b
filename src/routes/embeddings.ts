import type { Context } from "hono";
import type { AppEnv } from "../env";
import { embeddingsIngress } from "../ingress/embeddings/ingress";
import { jsonResponse } from "../respond";
import { runIngress } from "./run-ingress";

/** POST /v1/embeddings: OpenAI's embeddings API, for the catalog's embeddings models. */
export async function embeddings(c: Context<AppEnv>): Promise<Response> {
	const gateId = c.get("gateId");
	const answer = await runIngress(c, "embeddings", embeddingsIngress(c.req.raw.headers));
	// Embeddings are never streamed and have no canonical answer: only a pass-through's body comes back.
	if (answer.kind !== "native") throw new Error("an embeddings request answered with something else");
	return jsonResponse(gateId, answer.body);
}
