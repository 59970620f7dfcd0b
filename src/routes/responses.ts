import type { Context } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../env";
import { GatewayError } from "../errors";
import { responsesIngress } from "../ingress/responses/ingress";
import type { JsonObject } from "../protocols/adapter";
import { jsonResponse } from "../respond";
import { validated } from "../schemas/zod-error";
import { normalizeInput } from "../stored-responses/items";
import {
	conversationOf,
	deleteResponse,
	listInputItems,
	loadResponse,
	saveResponse,
} from "../stored-responses/store";
import { eventStreamResponse, runIngress } from "./run-ingress";

/**
 * POST /v1/responses: OpenAI's Responses API, for every model in the catalog. With `store` (true
 * unless the client says false, as OpenAI's) the response and its input are kept for this key, for
 * GET/DELETE and for a later `previous_response_id`: a JSON answer before it is returned, a stream's
 * once it has finished.
 */
export async function responses(c: Context<AppEnv>): Promise<Response> {
	const gateId = c.get("gateId");
	const key = c.get("apiKey");
	let final: JsonObject | null = null;
	const { ingress, request, response } = responsesIngress(
		gateId,
		c.req.raw.headers,
		c.get("startedAt"),
		async (id) => (await conversationOf(c.env, key.id, id))?.items ?? null,
		(answer) => {
			// A response object the encoder built or the upstream sent: JSON, as stored.
			final = answer as JsonObject;
		},
	);
	const answer = await runIngress(c, "responses", ingress);
	const store = async (body: JsonObject) => {
		const sent = request();
		if (!sent || sent.store === false || typeof body.id !== "string") return;
		try {
			await saveResponse(c.env, {
				id: body.id,
				keyId: key.id,
				model: typeof body.model === "string" ? body.model : sent.model,
				upstreamId: null,
				previousResponseId: sent.previous_response_id ?? null,
				input: normalizeInput((sent.input ?? []) as string | JsonObject[]),
				output: Array.isArray(body.output) ? (body.output as JsonObject[]) : [],
				response: body,
				createdAt: c.get("startedAt"),
			});
		} catch (cause) {
			// The answer stands; only its later retrieval is lost. Logged by id: bodies hold content.
			const name = cause instanceof Error ? cause.name : typeof cause;
			console.error(JSON.stringify({ message: "response not stored", gate_id: gateId, error: name }));
		}
	};
	if (answer.kind === "stream") {
		c.executionCtx.waitUntil(answer.result.then(() => (final ? store(final) : undefined)));
		return eventStreamResponse(gateId, answer.body);
	}
	const body =
		answer.kind === "native" ? answer.body : (response(answer.completion) as unknown as JsonObject);
	await store(body);
	return jsonResponse(gateId, body);
}

const notFound = (id: string) =>
	new GatewayError(404, `Response with id '${id}' not found.`, { type: "invalid_request_error" });

/** GET /v1/responses/{id}: a response this key stored. */
export async function getResponse(c: Context<AppEnv>): Promise<Response> {
	const id = c.req.param("id") ?? "";
	const stored = await loadResponse(c.env, c.get("apiKey").id, id);
	if (!stored) throw notFound(id);
	return jsonResponse(c.get("gateId"), stored.response);
}

/** DELETE /v1/responses/{id}. */
export async function deleteStoredResponse(c: Context<AppEnv>): Promise<Response> {
	const id = c.req.param("id") ?? "";
	if (!(await deleteResponse(c.env, c.get("apiKey").id, id))) throw notFound(id);
	return jsonResponse(c.get("gateId"), { id, object: "response", deleted: true });
}

export const inputItemsQuery = z.object({
	limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
	after: z.optional(z.string().check(z.minLength(1))),
	order: z.optional(z.enum(["asc", "desc"])),
});

/** GET /v1/responses/{id}/input_items: the input items of a stored response, paged as OpenAI lists them. */
export async function responseInputItems(c: Context<AppEnv>): Promise<Response> {
	const id = c.req.param("id") ?? "";
	const query = validated(inputItemsQuery, c.req.query());
	const list = await listInputItems(c.env, c.get("apiKey").id, id, query);
	if (!list) throw notFound(id);
	return jsonResponse(c.get("gateId"), list);
}
