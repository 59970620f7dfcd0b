import { apiKeySecurity, errors, jsonAnswer, jsonBody, pathParameter, schemaRef } from "./parts";

const STREAM_DESCRIPTION =
	"With `stream: true`: server-sent events, one `data: <ChatCompletionChunk JSON>` per event, " +
	"ending with `data: [DONE]`. An upstream failure after the first chunk arrives as a final " +
	'`data: {"error": …}` event.';

/** The OpenAI-compatible API under /v1. */
export function publicPaths() {
	return {
		"/v1/chat/completions": {
			post: {
				tags: ["Chat"],
				operationId: "createChatCompletion",
				summary: "Create a chat completion",
				description:
					"OpenAI's Chat Completions API, answered by the catalog model named in `model` " +
					"(or the next of `models` when it fails). Unknown fields are passed on to OpenAI-protocol providers.",
				security: apiKeySecurity,
				requestBody: jsonBody("ChatCompletionRequest"),
				responses: {
					200: {
						description: "The completion; an event stream when the request asked for `stream: true`.",
						content: {
							"application/json": { schema: schemaRef("ChatCompletion") },
							"text/event-stream": { schema: { type: "string", description: STREAM_DESCRIPTION } },
						},
					},
					...errors({
						400: "The body is not valid JSON or a field failed validation (`param` names it).",
						401: "Missing or invalid API key.",
						403: "This API key may not use the model.",
						404: "The model does not exist or is not enabled.",
						413: "The body, or an image in it, is over the gateway's limit.",
						429: "The key's rate limit or budget, or the provider's rate limit, was reached.",
						502: "The provider failed or sent an answer the gateway could not read.",
						503: "The model's provider is not configured, or is overloaded.",
						504: "The provider did not answer in time.",
					}),
				},
			},
		},
		"/v1/models": {
			get: {
				tags: ["Model list"],
				operationId: "listModels",
				summary: "List the models this key may use",
				security: apiKeySecurity,
				responses: {
					200: jsonAnswer("The enabled models, in OpenAI's list format.", "ModelList"),
					...errors({ 401: "Missing or invalid API key." }),
				},
			},
		},
		"/v1/images/{file}": {
			get: {
				tags: ["Images"],
				operationId: "getImage",
				summary: "Fetch a generated image",
				description: "No API key: the unguessable id in the URL a completion returned is the capability.",
				security: [],
				parameters: [
					pathParameter("file", "`<id>.<ext>`, as in the image URL of a completion."),
					{
						name: "if-none-match",
						in: "header",
						required: false,
						description: "An etag from an earlier answer.",
						schema: { type: "string" },
					},
				],
				responses: {
					200: {
						description: "The image bytes, cacheable for a year.",
						headers: { etag: { schema: { type: "string" } } },
						content: { "image/*": { schema: { type: "string", contentMediaType: "image/*" } } },
					},
					304: { description: "Not modified: the etag matches." },
					...errors({ 404: "No such image." }),
				},
			},
		},
	};
}
