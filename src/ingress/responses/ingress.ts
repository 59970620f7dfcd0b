import * as z from "zod/mini";
import type { Config } from "../../config";
import { type EngineRequest, once } from "../../engine/request";
import type { Ingress } from "../../engine/serve";
import { GatewayError, invalidRequest } from "../../errors";
import { isObject } from "../../is-object";
import type { JsonObject } from "../../protocols/adapter";
import { readJson } from "../../request-body";
import type { Completion } from "../../schemas/chat-response";
import { validated } from "../../schemas/zod-error";
import { normalizeInput } from "../../stored-responses/items";
import { fallbacksFrom } from "../fallbacks-header";
import { checkResponsesLimits } from "./limits";
import { inputItem, type ResponseItem, type ResponsesRequest, responsesRequest } from "./schema";
import { createResponsesStreamEncoder } from "./stream-encoder";
import { toCanonical } from "./to-canonical";
import { toResponse } from "./to-response";

/** A response's id: the request's gate id under OpenAI's `resp_` prefix, so either finds the other. */
export const responseIdOf = (gateId: string) => `resp_${gateId.replace(/^gate-/, "")}`;

/** Where the ingress finds a stored conversation: the items before and including a stored response, or null. */
export type ConversationLoader = (id: string) => Promise<JsonObject[] | null>;

const historyItems = z.array(inputItem);

/**
 * The OpenAI Responses ingress of one request. OpenAI-protocol models get the client's body as it
 * came (pass-through to their /responses); every other model gets the canonical translation, built
 * only then, and its answer is written back as a response object or the semantic event stream.
 * `previous_response_id` names a response this gateway stored for the same key: its conversation is
 * prepended, for a pass-through as `input` items (the upstream needs no state of its own, whichever
 * provider answered before), for a translation as the history of the canonical request.
 */
export function responsesIngress(
	gateId: string,
	headers: Headers,
	startedAt: number,
	loadConversation: ConversationLoader,
	onFinal?: (response: Record<string, unknown>) => void,
) {
	const id = responseIdOf(gateId);
	const createdAt = Math.floor(startedAt / 1000);
	let decoded: ResponsesRequest | null = null;
	const ingress: Ingress = {
		answerId: id,
		async decode(request: Request, config: Config, named: (model: string) => void): Promise<EngineRequest> {
			const raw = await readJson(request);
			if (isObject(raw) && typeof raw.model === "string") named(raw.model);
			const body = validated(responsesRequest, raw);
			checkResponsesLimits(body, config.input);
			const history = body.previous_response_id
				? await historyOf(body.previous_response_id, loadConversation)
				: [];
			// A pass-through upstream gets the conversation inlined, not the id: the answer says it again.
			if (body.previous_response_id)
				ingress.answerFields = { previous_response_id: body.previous_response_id };
			decoded = body;
			return {
				model: body.model,
				stream: body.stream === true,
				fallbacks: fallbacksFrom(headers),
				// The lifecycle events carry usage, whatever the client asked.
				includeUsage: true,
				canonical: once(() => toCanonical(body, history)),
				native: { api: "responses", body: nativeBody(body, history), headers: {} },
			};
		},
		streamEncoder(model: string) {
			if (!decoded) throw new Error("a stream before its request was decoded");
			return createResponsesStreamEncoder({ id, model, createdAt, request: decoded, onFinal });
		},
	};
	return {
		ingress,
		/** The request as decoded (once the engine has read it). */
		request: () => decoded,
		/** A translated answer as a response object. */
		response(completion: Completion) {
			if (!decoded) throw new Error("an answer before its request was decoded");
			return toResponse(completion, { id, model: completion.model, createdAt, request: decoded });
		},
	};
}

/** The stored conversation behind `previous_response_id`, as items; OpenAI's 400 for one it does not know. */
async function historyOf(previous: string, load: ConversationLoader): Promise<ResponseItem[]> {
	const items = await load(previous);
	if (!items) {
		throw new GatewayError(400, `Previous response with id '${previous}' not found.`, {
			param: "previous_response_id",
			code: "previous_response_not_found",
		});
	}
	const parsed = historyItems.safeParse(items);
	if (!parsed.success) {
		throw invalidRequest(
			`The stored conversation of '${previous}' holds an item this gateway cannot read.`,
			"previous_response_id",
			"invalid_value",
		);
	}
	return parsed.data;
}

/** The client's body for a pass-through: with a previous response, its conversation inlined before the input. */
function nativeBody(body: ResponsesRequest, history: ResponseItem[]): JsonObject {
	if (!body.previous_response_id) return body as JsonObject;
	const { previous_response_id: _stored, ...rest } = body;
	const input = normalizeInput((body.input ?? []) as string | JsonObject[]);
	return { ...rest, input: [...(history as JsonObject[]), ...input] } as JsonObject;
}
