import type { Context } from "hono";
import type { Config } from "../config";
import { type EngineRequest, once } from "../engine/request";
import type { Ingress } from "../engine/serve";
import { encodeEvent, type OutboundEvent } from "../engine/stream/sse-encode";
import type { AppEnv } from "../env";
import { readJson } from "../request-body";
import { jsonResponse } from "../respond";
import { chatRequest } from "../schemas/chat-request";
import { checkInputLimits } from "../schemas/input-limits";
import { validated } from "../schemas/zod-error";
import { eventStreamResponse, runIngress } from "./run-ingress";

const encodeEvents = (events: OutboundEvent[]) => events.map(encodeEvent).join("");

/** The OpenAI Chat Completions ingress: its request is the engine's canonical one, so it is only validated. */
const chatIngress: Ingress = {
	async decode(request: Request, config: Config, named: (model: string) => void): Promise<EngineRequest> {
		const raw = await readJson(request);
		if (raw && typeof raw === "object" && typeof (raw as { model?: unknown }).model === "string") {
			named((raw as { model: string }).model);
		}
		const body = validated(chatRequest, raw);
		checkInputLimits(body, config.input);
		// `models` is the gateway's own field: no upstream is told about it.
		const { models, ...canonical } = body;
		return {
			model: body.model,
			stream: body.stream === true,
			fallbacks: models,
			includeUsage: body.stream_options?.include_usage === true,
			canonical: once(() => canonical),
		};
	},
	streamEncoder: () => encodeEvents,
};

/** POST /v1/chat/completions. */
export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
	const gateId = c.get("gateId");
	const answer = await runIngress(c, "chat", chatIngress);
	if (answer.kind === "completion") return jsonResponse(gateId, answer.completion);
	// Chat has no pass-through (it is the canonical form), so no native answer reaches here.
	if (answer.kind === "native") return jsonResponse(gateId, answer.body);
	return eventStreamResponse(gateId, answer.body);
}
