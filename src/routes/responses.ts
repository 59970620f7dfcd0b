import type { Context } from "hono";
import type { AppEnv } from "../env";
import { responsesIngress } from "../ingress/responses/ingress";
import { jsonResponse } from "../respond";
import { eventStreamResponse, runIngress } from "./run-ingress";

/** POST /v1/responses: OpenAI's Responses API, for every model in the catalog. */
export async function responses(c: Context<AppEnv>): Promise<Response> {
	const gateId = c.get("gateId");
	const { ingress, response } = responsesIngress(gateId, c.req.raw.headers, c.get("startedAt"));
	const answer = await runIngress(c, "responses", ingress);
	if (answer.kind === "native") return jsonResponse(gateId, answer.body);
	if (answer.kind === "completion") return jsonResponse(gateId, response(answer.completion));
	return eventStreamResponse(gateId, answer.body);
}
