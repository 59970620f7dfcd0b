import * as z from "zod/mini";
import { countTokensRequest, messagesRequest } from "../ingress/messages/schema";
import { jsonSchema } from "./json-schema";
import { jsonBody, schemaRef } from "./parts";

const STREAM_DESCRIPTION =
	"With `stream: true`: Anthropic's server-sent events, each an `event: <type>` line and a `data: <JSON>` " +
	"line: message_start, then per content block content_block_start, content_block_delta…, " +
	"content_block_stop, then message_delta and message_stop; `ping` may come anywhere. Claude models' " +
	"events are Anthropic's own, byte for byte but for the message id and model. A failure after the " +
	"first event arrives as `event: error`.";

const FALLBACKS = {
	name: "x-aigate-fallbacks",
	in: "header" as const,
	required: false,
	description:
		"Gateway extension: catalog ids to fall over to, in order, when the model fails (429, 5xx, timeout); " +
		"replaces the catalog's fallbacks for this request.",
	schema: { type: "string", example: "openai/gpt-5-mini,google/gemini-2.5-flash" },
};
const headers = [
	{
		name: "anthropic-version",
		in: "header" as const,
		required: false,
		schema: { type: "string", example: "2023-06-01" },
	},
	{
		name: "anthropic-beta",
		in: "header" as const,
		required: false,
		description: "Forwarded to Claude upstreams; ignored for other models.",
		schema: { type: "string" },
	},
];

/** Anthropic's error answers, in Anthropic's shape. */
function messagesErrors(described: Record<number, string>) {
	const all: Record<number, string> = { ...described, 500: "Internal gateway error (api_error)." };
	return Object.fromEntries(
		Object.entries(all).map(([status, description]) => [
			status,
			{ description, content: { "application/json": { schema: schemaRef("MessagesError") } } },
		]),
	);
}

/** The schemas the Messages operations refer to: requests from the validating zod schemas. */
export function messagesSchemas() {
	const count = z.int().check(z.minimum(0));
	const usage = z.looseObject({
		input_tokens: count,
		output_tokens: count,
		cache_creation_input_tokens: z.optional(count),
		cache_read_input_tokens: z.optional(count),
	});
	const message = z.looseObject({
		id: z.string().check(z.describe("The gateway's request id (gate-…), also in x-request-id.")),
		type: z.literal("message"),
		role: z.literal("assistant"),
		model: z.string().check(z.describe("The catalog id of the model that answered.")),
		content: z
			.array(z.looseObject({ type: z.string() }))
			.check(
				z.describe(
					"Content blocks: text, thinking, redacted_thinking, tool_use, server tool blocks; a translated " +
						"model's generated image is an `image` block with a `url` source (the gateway's stored copy).",
				),
			),
		stop_reason: z.nullable(z.string()),
		stop_sequence: z.nullable(z.string()),
		usage,
	});
	const error = z.object({
		type: z.literal("error"),
		error: z.object({
			type: z
				.string()
				.check(
					z.describe(
						"invalid_request_error, authentication_error, permission_error, not_found_error, request_too_large, rate_limit_error, api_error, overloaded_error, timeout_error",
					),
				),
			message: z.string(),
		}),
	});
	return {
		MessagesRequest: jsonSchema(messagesRequest, "input"),
		CountTokensRequest: jsonSchema(countTokensRequest, "input"),
		Message: jsonSchema(message, "output"),
		MessagesError: jsonSchema(error, "output"),
		TokenCount: jsonSchema(z.object({ input_tokens: count }), "output"),
	};
}

/** Anthropic's Messages API under /v1/messages. */
export function messagesPaths() {
	const security = [{ apiKey: [] }, { xApiKey: [] }];
	return {
		"/v1/messages": {
			post: {
				tags: ["Messages"],
				operationId: "createMessage",
				summary: "Create a message (Anthropic's Messages API)",
				description:
					"Anthropic's Messages API for every model in the catalog. Claude models get the body as sent " +
					"(only `model` mapped) and answer as Anthropic does; other models are translated. A `model` " +
					"without a `/` is also looked up as `anthropic/<model>` and without a `-YYYYMMDD` date.",
				security,
				parameters: [...headers, FALLBACKS],
				requestBody: jsonBody("MessagesRequest"),
				responses: {
					200: {
						description: "The message; an event stream when the request asked for `stream: true`.",
						content: {
							"application/json": { schema: schemaRef("Message") },
							"text/event-stream": { schema: { type: "string", description: STREAM_DESCRIPTION } },
						},
					},
					...messagesErrors({
						400: "Invalid body, or input the answering model cannot take (invalid_request_error).",
						401: "Missing or invalid API key (authentication_error).",
						403: "This API key may not use the model (permission_error).",
						404: "The model does not exist or is not enabled (not_found_error).",
						413: "The body, or an image in it, is over the gateway's limit (request_too_large).",
						429: "The key's rate limit or budget, or the provider's, was reached (rate_limit_error).",
						502: "The provider failed or sent an answer the gateway could not read (api_error).",
						503: "The model's provider is not configured (api_error).",
						504: "The provider did not answer in time (timeout_error).",
						529: "The provider is overloaded (overloaded_error).",
					}),
				},
			},
		},
		"/v1/messages/count_tokens": {
			post: {
				tags: ["Messages"],
				operationId: "countMessageTokens",
				summary: "Count a message's input tokens",
				description:
					"Claude models: the upstream's own count. Other models: the gateway's estimate. Not billed, " +
					"and not recorded as a request.",
				security,
				parameters: headers,
				requestBody: jsonBody("CountTokensRequest"),
				responses: {
					200: {
						description: "The count.",
						headers: {
							"x-aigate-token-count": {
								description: "`exact` (the provider counted) or `estimate` (the gateway did).",
								schema: { type: "string", enum: ["exact", "estimate"] },
							},
						},
						content: { "application/json": { schema: schemaRef("TokenCount") } },
					},
					...messagesErrors({
						400: "Invalid body (invalid_request_error).",
						401: "Missing or invalid API key (authentication_error).",
						403: "This API key may not use the model (permission_error).",
						404: "The model does not exist or is not enabled (not_found_error).",
					}),
				},
			},
		},
	};
}
