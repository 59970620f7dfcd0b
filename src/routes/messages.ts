import type { Context } from "hono";
import { countTokens } from "../engine/count-tokens";
import type { AppEnv } from "../env";
import { dropUnsignedThinking } from "../ingress/messages/drop-unsigned-thinking";
import { estimateInputTokens } from "../ingress/messages/estimate-tokens";
import { hoistSystemMessages } from "../ingress/messages/hoist-system";
import { aliasesOf, messagesIngress, nativeRequest } from "../ingress/messages/ingress";
import { countTokensRequest } from "../ingress/messages/schema";
import type { JsonObject } from "../protocols/adapter";
import { readJson } from "../request-body";
import { jsonResponse } from "../respond";
import { validated } from "../schemas/zod-error";
import { eventStreamResponse, runIngress } from "./run-ingress";

/** How a count_tokens answer says where its number came from. */
export const TOKEN_COUNT_HEADER = "x-aigate-token-count";

/** POST /v1/messages: Anthropic's Messages API, for every model in the catalog. */
export async function messages(c: Context<AppEnv>): Promise<Response> {
	const gateId = c.get("gateId");
	const { ingress, message } = messagesIngress(gateId, c.req.raw.headers);
	const answer = await runIngress(c, "messages", ingress);
	if (answer.kind === "native") return jsonResponse(gateId, answer.body);
	if (answer.kind === "completion") return jsonResponse(gateId, message(answer.completion));
	return eventStreamResponse(gateId, answer.body);
}

/**
 * POST /v1/messages/count_tokens: Claude's own count, or the gateway's estimate for other models
 * (x-aigate-token-count says which). Not a billed request: no usage row, nothing booked.
 */
export async function messagesCountTokens(c: Context<AppEnv>): Promise<Response> {
	const gateId = c.get("gateId");
	const body = dropUnsignedThinking(
		hoistSystemMessages(validated(countTokensRequest, await readJson(c.req.raw))),
	);
	const count = await countTokens({
		env: c.env,
		key: c.get("apiKey"),
		model: body.model,
		aliases: aliasesOf(body.model),
		native: nativeRequest(body as JsonObject, c.req.raw.headers),
		clientSignal: c.req.raw.signal,
		estimate: () => estimateInputTokens(body),
	});
	return jsonResponse(gateId, { input_tokens: count.inputTokens }, 200, {
		[TOKEN_COUNT_HEADER]: count.exact ? "exact" : "estimate",
	});
}
