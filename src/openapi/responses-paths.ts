import * as z from "zod/mini";
import { responsesRequest } from "../ingress/responses/schema";
import { inputItemsQuery } from "../routes/responses";
import { type JsonSchema, jsonSchema, queryParameters } from "./json-schema";
import { apiKeySecurity, errors, jsonAnswer, jsonBody, pathParameter, schemaRef } from "./parts";

const STREAM_DESCRIPTION =
	"With `stream: true`: the Responses API's semantic events, each an `event: <type>` line and a `data: <JSON>` " +
	"line with the same `type` and a rising `sequence_number`: response.created, response.in_progress, per output " +
	"item response.output_item.added, its parts and deltas (response.output_text.delta, " +
	"response.function_call_arguments.delta, response.reasoning_summary_text.delta …), response.output_item.done, " +
	"then response.completed or response.incomplete; a failure after the first event ends with `error` and " +
	"response.failed. OpenAI-protocol models' events are the upstream's own but for the response's id and model.";

/** The schemas the Responses operations refer to: the request from the validating zod schema. */
export function responsesSchemas(): Record<string, JsonSchema> {
	const count = z.int().check(z.minimum(0));
	const response = z.looseObject({
		id: z.string().check(z.describe("`resp_` and the request's gate id without `gate-`.")),
		object: z.literal("response"),
		created_at: count,
		status: z.enum(["completed", "incomplete", "failed", "in_progress"]),
		model: z.string().check(z.describe("The catalog id of the model that answered.")),
		output: z.array(z.looseObject({ type: z.string() })),
		usage: z.nullable(z.looseObject({ input_tokens: count, output_tokens: count, total_tokens: count })),
	});
	return {
		ResponsesRequest: jsonSchema(responsesRequest, "input"),
		Response: jsonSchema(response, "output"),
		DeletedResponse: jsonSchema(
			z.object({ id: z.string(), object: z.literal("response"), deleted: z.literal(true) }),
			"output",
		),
		InputItemList: jsonSchema(
			z.object({
				object: z.literal("list"),
				data: z.array(z.looseObject({ id: z.string(), type: z.string() })),
				first_id: z.nullable(z.string()),
				last_id: z.nullable(z.string()),
				has_more: z.boolean(),
			}),
			"output",
		),
	};
}

const idParameter = pathParameter("id", "A response id (`resp_…`) this key stored.");
const notStored = {
	401: "Missing or invalid API key.",
	404: "No response with this id is stored for this key.",
};

/** OpenAI's Responses API under /v1/responses. */
export function responsesPaths() {
	return {
		"/v1/responses": {
			post: {
				tags: ["Responses"],
				operationId: "createResponse",
				summary: "Create a response (OpenAI's Responses API)",
				description:
					"OpenAI's Responses API for every model in the catalog. OpenAI-protocol models get the body as sent " +
					"(only `model` mapped); other models are translated. `store` (default true) keeps the response for " +
					"this key; `previous_response_id` continues a stored conversation with any model.",
				security: apiKeySecurity,
				parameters: [
					{
						name: "x-aigate-fallbacks",
						in: "header",
						required: false,
						description: "Gateway extension: catalog ids to fall over to, in order.",
						schema: { type: "string" },
					},
				],
				requestBody: jsonBody("ResponsesRequest"),
				responses: {
					200: {
						description: "The response; an event stream when the request asked for `stream: true`.",
						content: {
							"application/json": { schema: schemaRef("Response") },
							"text/event-stream": { schema: { type: "string", description: STREAM_DESCRIPTION } },
						},
					},
					...errors({
						400: "Invalid body, input the answering model cannot take, or an unknown previous_response_id.",
						401: "Missing or invalid API key.",
						403: "This API key may not use the model.",
						404: "The model does not exist or is not enabled.",
						413: "The body, or an image in it, is over the gateway's limit.",
						429: "The key's rate limit or budget, or the provider's, was reached.",
						502: "The provider failed or sent an answer the gateway could not read.",
						503: "The model's provider is not configured, or is overloaded.",
						504: "The provider did not answer in time.",
					}),
				},
			},
		},
		"/v1/responses/{id}": {
			get: {
				tags: ["Responses"],
				operationId: "getResponse",
				summary: "Get a stored response",
				security: apiKeySecurity,
				parameters: [idParameter],
				responses: { 200: jsonAnswer("The response as it was returned.", "Response"), ...errors(notStored) },
			},
			delete: {
				tags: ["Responses"],
				operationId: "deleteResponse",
				summary: "Delete a stored response",
				security: apiKeySecurity,
				parameters: [idParameter],
				responses: { 200: jsonAnswer("Deleted.", "DeletedResponse"), ...errors(notStored) },
			},
		},
		"/v1/responses/{id}/input_items": {
			get: {
				tags: ["Responses"],
				operationId: "listResponseInputItems",
				summary: "List a stored response's input items",
				security: apiKeySecurity,
				parameters: [idParameter, ...queryParameters(inputItemsQuery)],
				responses: {
					200: jsonAnswer("A page of input items, newest first unless order=asc.", "InputItemList"),
					...errors({ ...notStored, 400: "An invalid query parameter." }),
				},
			},
		},
	};
}
