import type { Context } from "hono";
import type { Config } from "../config";
import { type Ingress, runEngine } from "../engine/serve";
import { encodeEvent, type OutboundEvent } from "../engine/stream/sse-encode";
import type { AppEnv } from "../env";
import { readJson } from "../request-body";
import { gatewayHeaders, jsonResponse } from "../respond";
import { type ChatRequest, chatRequest } from "../schemas/chat-request";
import { checkInputLimits } from "../schemas/input-limits";
import { validated } from "../schemas/zod-error";

/** The OpenAI Chat Completions ingress: its request is the engine's canonical one, so it is only validated. */
const chatIngress: Ingress = {
	async decode(request: Request, config: Config, named: (model: string) => void): Promise<ChatRequest> {
		const raw = await readJson(request);
		if (raw && typeof raw === "object" && typeof (raw as { model?: unknown }).model === "string") {
			named((raw as { model: string }).model);
		}
		const body = validated(chatRequest, raw);
		checkInputLimits(body, config.input);
		return body;
	},
	encodeEvents: (events: OutboundEvent[]) => events.map(encodeEvent).join(""),
};

/** POST /v1/chat/completions. */
export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
	const gateId = c.get("gateId");
	const answer = await runEngine(
		{
			env: c.env,
			ctx: c.executionCtx,
			gateId,
			startedAt: c.get("startedAt"),
			apiKey: c.get("apiKey"),
			request: c.req.raw,
		},
		chatIngress,
	);
	if (answer.kind === "completion") return jsonResponse(gateId, answer.completion);
	return new Response(answer.body, {
		headers: gatewayHeaders(gateId, {
			"content-type": "text/event-stream; charset=utf-8",
			"cache-control": "no-cache",
		}),
	});
}
