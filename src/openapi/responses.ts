import * as z from "zod/mini";
import { modelKinds } from "../catalog/types";

/**
 * What the gateway answers, as zod schemas for the OpenAPI document only: the routes build these
 * bodies themselves and never validate them. Built on first use (see document.ts), not at start-up.
 */
export function responseSchemas() {
	const text = (description: string) => z.string().check(z.describe(description));
	const count = z.int().check(z.minimum(0));
	const seconds = count.check(z.describe("Unix time in seconds."));
	const time = text("ISO 8601 time, UTC.");

	const error = z.object({
		error: z.object({
			message: z.string(),
			type: text("invalid_request_error, permission_error, rate_limit_error, server_error, …"),
			param: z.nullable(text("The request field at fault, e.g. messages[0].content")),
			code: z.nullable(text("Machine-readable cause, e.g. invalid_api_key, model_not_found")),
		}),
	});

	const usage = z.looseObject({
		prompt_tokens: count,
		completion_tokens: count,
		total_tokens: count,
		prompt_tokens_details: z.optional(z.looseObject({ cached_tokens: z.optional(count) })),
		completion_tokens_details: z.optional(z.looseObject({ reasoning_tokens: z.optional(count) })),
		cost: z.optional(z.number().check(z.describe("Gateway extension: the cost in USD at catalog prices."))),
	});
	const finishReason = z.nullable(
		z.enum(["stop", "length", "tool_calls", "content_filter", "function_call"]),
	);
	const imageRef = z.object({ type: z.literal("image_url"), image_url: z.object({ url: z.string() }) });
	const images = z.optional(z.array(imageRef).check(z.describe("Gateway extension: generated images.")));
	const reasoning = z.optional(
		text("Gateway extension: the model's reasoning, where the provider shows it."),
	);
	const toolCall = z.object({
		id: z.string(),
		type: z.literal("function"),
		function: z.object({ name: z.string(), arguments: z.string() }),
	});
	const head = { id: z.string(), created: seconds, model: z.string() };

	const completion = z.looseObject({
		...head,
		object: z.literal("chat.completion"),
		choices: z.array(
			z.object({
				index: count,
				message: z.looseObject({
					role: z.literal("assistant"),
					content: z.nullable(z.string()),
					refusal: z.optional(z.nullable(z.string())),
					tool_calls: z.optional(z.array(toolCall)),
					reasoning_content: reasoning,
					images,
				}),
				logprobs: z.optional(z.unknown()),
				finish_reason: finishReason,
			}),
		),
		usage: z.optional(usage),
	});

	const toolCallDelta = z.object({
		index: count,
		id: z.optional(z.string()),
		type: z.optional(z.literal("function")),
		function: z.optional(z.object({ name: z.optional(z.string()), arguments: z.optional(z.string()) })),
	});
	const chunk = z.looseObject({
		...head,
		object: z.literal("chat.completion.chunk"),
		choices: z.array(
			z.object({
				index: count,
				delta: z.looseObject({
					role: z.optional(z.literal("assistant")),
					content: z.optional(z.nullable(z.string())),
					refusal: z.optional(z.nullable(z.string())),
					tool_calls: z.optional(z.array(toolCallDelta)),
					reasoning_content: reasoning,
					images,
				}),
				logprobs: z.optional(z.unknown()),
				finish_reason: finishReason,
			}),
		),
		usage: z.optional(z.nullable(usage)),
	});

	const modelList = z.object({
		object: z.literal("list"),
		data: z.array(
			z.object({
				id: z.string(),
				object: z.literal("model"),
				created: seconds,
				owned_by: z.string(),
				kind: z.enum(modelKinds).check(z.describe("Gateway extension: what the model answers.")),
			}),
		),
	});

	const keyListing = z.object({
		id: z.string(),
		name: z.string(),
		prefix: text("The first characters of the key, to tell keys apart."),
		models: z.nullable(z.array(z.string())),
		budget_usd: z.nullable(z.number()),
		budget_period: z.enum(["total", "monthly"]),
		rpm: z.nullable(count),
		tpm: z.nullable(count),
		created_at: time,
		revoked_at: z.nullable(time),
	});
	const createdKey = z.object({
		...keyListing.shape,
		key: text("The API key itself: shown this once, never again."),
	});

	const catalogModel = z.object({
		id: text("provider/name"),
		provider: z.string(),
		upstream_model: z.string(),
		enabled: z.boolean(),
		input_price: z.number().check(z.describe("USD per million input tokens.")),
		output_price: z.number().check(z.describe("USD per million output tokens.")),
		cached_input_price: z.nullable(z.number()),
		cache_write_price: z.nullable(
			z
				.number()
				.check(
					z.describe("USD per million tokens written to the provider's prompt cache; null: the input price."),
				),
		),
		cache_write_1h_price: z.nullable(
			z
				.number()
				.check(
					z.describe(
						"USD per million tokens written to a 1-hour prompt cache (Claude); null: cache_write_price.",
					),
				),
		),
		kind: z
			.enum(modelKinds)
			.check(z.describe("chat, image (chat that draws pictures) or embeddings (POST /v1/embeddings only).")),
		max_output_tokens: count,
		capabilities: z.object({
			vision: z.boolean(),
			tools: z.boolean(),
			json: z.boolean(),
			image_output: z.boolean(),
		}),
		fallbacks: z.array(z.string()),
	});

	return {
		Error: error,
		ChatCompletion: completion,
		ChatCompletionChunk: chunk,
		ModelList: modelList,
		KeyListing: keyListing,
		CreatedKey: createdKey,
		RevokedKey: z.object({ id: z.string(), revoked: z.literal(true) }),
		CatalogModel: catalogModel,
		CatalogModelList: z.object({ data: z.array(catalogModel) }),
	};
}
