import * as z from "zod/mini";

/**
 * The OpenAI Chat Completions request, as the gateway accepts it. Objects are loose: fields this
 * schema does not know are kept and passed on to OpenAI-protocol upstreams, as the contract asks.
 */

const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const imagePart = z.looseObject({
	type: z.literal("image_url"),
	image_url: z.looseObject({
		url: z.string().check(z.minLength(1)),
		detail: z.optional(z.enum(["auto", "low", "high"])),
	}),
});
const audioPart = z.looseObject({
	type: z.literal("input_audio"),
	input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});
const filePart = z.looseObject({ type: z.literal("file"), file: z.looseObject({}) });
const refusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

export const userContentPart = z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart]);
export type UserContentPart = z.infer<typeof userContentPart>;

const textContent = z.union([z.string(), z.array(textPart)]);

export const toolCall = z.looseObject({
	id: z.string(),
	type: z.literal("function"),
	function: z.looseObject({ name: z.string(), arguments: z.string() }),
});
export type ToolCall = z.infer<typeof toolCall>;

const systemMessage = z.looseObject({
	role: z.literal("system"),
	content: textContent,
	name: z.optional(z.string()),
});
const developerMessage = z.looseObject({
	role: z.literal("developer"),
	content: textContent,
	name: z.optional(z.string()),
});
const userMessage = z.looseObject({
	role: z.literal("user"),
	content: z.union([z.string(), z.array(userContentPart)]),
	name: z.optional(z.string()),
});
const assistantMessage = z.looseObject({
	role: z.literal("assistant"),
	content: z.nullish(z.union([z.string(), z.array(z.union([textPart, refusalPart]))])),
	tool_calls: z.optional(z.array(toolCall)),
	refusal: z.nullish(z.string()),
	name: z.optional(z.string()),
});
const toolMessage = z.looseObject({
	role: z.literal("tool"),
	content: textContent,
	tool_call_id: z.string(),
});
const functionMessage = z.looseObject({
	role: z.literal("function"),
	content: z.nullable(z.string()),
	name: z.string(),
});

export const chatMessage = z.discriminatedUnion("role", [
	systemMessage,
	developerMessage,
	userMessage,
	assistantMessage,
	toolMessage,
	functionMessage,
]);
export type ChatMessage = z.infer<typeof chatMessage>;

export const functionTool = z.looseObject({
	type: z.literal("function"),
	function: z.looseObject({
		name: z.string().check(z.minLength(1)),
		description: z.optional(z.string()),
		parameters: z.optional(z.record(z.string(), z.unknown())),
		strict: z.nullish(z.boolean()),
	}),
});
export type FunctionTool = z.infer<typeof functionTool>;

export const toolChoice = z.union([
	z.enum(["none", "auto", "required"]),
	z.looseObject({ type: z.literal("function"), function: z.looseObject({ name: z.string() }) }),
	z.looseObject({ type: z.string() }),
]);
export type ToolChoice = z.infer<typeof toolChoice>;

export const responseFormat = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("text") }),
	z.looseObject({ type: z.literal("json_object") }),
	z.looseObject({
		type: z.literal("json_schema"),
		json_schema: z.looseObject({
			name: z.string(),
			description: z.optional(z.string()),
			schema: z.optional(z.record(z.string(), z.unknown())),
			strict: z.nullish(z.boolean()),
		}),
	}),
]);
export type ResponseFormat = z.infer<typeof responseFormat>;

export const chatRequest = z.looseObject({
	model: z.string().check(z.minLength(1)),
	messages: z.array(chatMessage).check(z.minLength(1)),
	stream: z.nullish(z.boolean()),
	stream_options: z.nullish(z.looseObject({ include_usage: z.optional(z.boolean()) })),
	max_tokens: z.nullish(z.number().check(z.int(), z.positive())),
	max_completion_tokens: z.nullish(z.number().check(z.int(), z.positive())),
	temperature: z.nullish(z.number().check(z.gte(0), z.lte(2))),
	top_p: z.nullish(z.number().check(z.gte(0), z.lte(1))),
	n: z.nullish(z.number().check(z.int(), z.gte(1), z.lte(128))),
	stop: z.nullish(z.union([z.string(), z.array(z.string()).check(z.maxLength(4))])),
	seed: z.nullish(z.number().check(z.int())),
	user: z.optional(z.string()),
	presence_penalty: z.nullish(z.number().check(z.gte(-2), z.lte(2))),
	frequency_penalty: z.nullish(z.number().check(z.gte(-2), z.lte(2))),
	logprobs: z.nullish(z.boolean()),
	top_logprobs: z.nullish(z.number().check(z.int(), z.gte(0), z.lte(20))),
	tools: z.optional(z.array(functionTool)),
	tool_choice: z.optional(toolChoice),
	parallel_tool_calls: z.optional(z.boolean()),
	response_format: z.optional(responseFormat),
	modalities: z.optional(z.array(z.string())),
	/** Gateway extension (OpenRouter's convention): models to fall over to, in order. Never sent upstream. */
	models: z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(10))),
});
export type ChatRequest = z.infer<typeof chatRequest>;
