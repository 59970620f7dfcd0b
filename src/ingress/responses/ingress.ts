import type { Config } from "../../config";
import { type EngineRequest, once } from "../../engine/request";
import type { Ingress } from "../../engine/serve";
import { invalidRequest } from "../../errors";
import { isObject } from "../../is-object";
import type { JsonObject } from "../../protocols/adapter";
import { readJson } from "../../request-body";
import type { Completion } from "../../schemas/chat-response";
import { validated } from "../../schemas/zod-error";
import { fallbacksFrom } from "../fallbacks-header";
import { checkResponsesLimits } from "./limits";
import { type ResponsesRequest, responsesRequest } from "./schema";
import { createResponsesStreamEncoder } from "./stream-encoder";
import { toCanonical } from "./to-canonical";
import { toResponse } from "./to-response";

/** A response's id: the request's gate id under OpenAI's `resp_` prefix, so either finds the other. */
export const responseIdOf = (gateId: string) => `resp_${gateId.replace(/^gate-/, "")}`;

/**
 * The OpenAI Responses ingress of one request. OpenAI-protocol models get the client's body as it
 * came (pass-through to their /responses); every other model gets the canonical translation, built
 * only then, and its answer is written back as a response object or the semantic event stream.
 * Stateless so far: nothing is stored, so `previous_response_id` is refused (send the conversation
 * as `input`, as Codex CLI and the Agents SDK do by default).
 */
export function responsesIngress(gateId: string, headers: Headers, startedAt: number) {
	const id = responseIdOf(gateId);
	const createdAt = Math.floor(startedAt / 1000);
	let decoded: ResponsesRequest | null = null;
	const ingress: Ingress = {
		answerId: id,
		async decode(request: Request, config: Config, named: (model: string) => void): Promise<EngineRequest> {
			const raw = await readJson(request);
			if (isObject(raw) && typeof raw.model === "string") named(raw.model);
			const body = validated(responsesRequest, raw);
			if (body.previous_response_id) {
				throw invalidRequest(
					"previous_response_id is not supported by this gateway yet: responses are not stored. Send the conversation as input instead.",
					"previous_response_id",
					"unsupported_parameter",
				);
			}
			checkResponsesLimits(body, config.input);
			decoded = body;
			return {
				model: body.model,
				stream: body.stream === true,
				fallbacks: fallbacksFrom(headers),
				// The lifecycle events carry usage, whatever the client asked.
				includeUsage: true,
				canonical: once(() => toCanonical(body)),
				native: { protocol: "openai", api: "responses", body: body as JsonObject, headers: {} },
			};
		},
		streamEncoder(model: string) {
			if (!decoded) throw new Error("a stream before its request was decoded");
			return createResponsesStreamEncoder({ id, model, createdAt, request: decoded });
		},
	};
	return {
		ingress,
		/** A translated answer as a response object. */
		response(completion: Completion) {
			if (!decoded) throw new Error("an answer before its request was decoded");
			return toResponse(completion, { id, model: completion.model, createdAt, request: decoded });
		},
	};
}
