import { z } from "zod";

/**
 * The OpenAI Chat Completions request, as the gateway accepts it. Objects are loose: fields this
 * schema does not know are kept and passed on to OpenAI-protocol upstreams, as the contract asks.
 */

const textPart = z.looseObject({ type: z.literal("text"), text: z.string() });
const imagePart = z.looseObject({
	type: z.literal("image_url"),
	image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
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
	name: z.string().optional(),
});
const developerMessage = z.looseObject({
	role: z.literal("developer"),
	content: textContent,
	name: z.string().optional(),
});
const userMessage = z.looseObject({
	role: z.literal("user"),
	content: z.union([z.string(), z.array(userContentPart)]),
	name: z.string().optional(),
});
const assistantMessage = z.looseObject({
	role: z.literal("assistant"),
	content: z.union([z.string(), z.array(z.union([textPart, refusalPart]))]).nullish(),
	tool_calls: z.array(toolCall).optional(),
	refusal: z.string().nullish(),
	name: z.string().optional(),
});
const toolMessage = z.looseObject({
	role: z.literal("tool"),
	content: textContent,
	tool_call_id: z.string(),
});
const functionMessage = z.looseObject({
	role: z.literal("function"),
	content: z.string().nullable(),
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
		name: z.string().min(1),
		description: z.string().optional(),
		parameters: z.record(z.string(), z.unknown()).optional(),
		strict: z.boolean().nullish(),
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
			description: z.string().optional(),
			schema: z.record(z.string(), z.unknown()).optional(),
			strict: z.boolean().nullish(),
		}),
	}),
]);
export type ResponseFormat = z.infer<typeof responseFormat>;

export const chatRequest = z.looseObject({
	model: z.string().min(1),
	messages: z.array(chatMessage).min(1),
	stream: z.boolean().nullish(),
	stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
	max_tokens: z.number().int().positive().nullish(),
	max_completion_tokens: z.number().int().positive().nullish(),
	temperature: z.number().min(0).max(2).nullish(),
	top_p: z.number().min(0).max(1).nullish(),
	n: z.number().int().min(1).max(128).nullish(),
	stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
	seed: z.number().int().nullish(),
	user: z.string().optional(),
	presence_penalty: z.number().min(-2).max(2).nullish(),
	frequency_penalty: z.number().min(-2).max(2).nullish(),
	logprobs: z.boolean().nullish(),
	top_logprobs: z.number().int().min(0).max(20).nullish(),
	tools: z.array(functionTool).optional(),
	tool_choice: toolChoice.optional(),
	parallel_tool_calls: z.boolean().optional(),
	response_format: responseFormat.optional(),
	modalities: z.array(z.string()).optional(),
	/** Gateway extension (OpenRouter's convention): models to fall over to, in order. Never sent upstream. */
	models: z.array(z.string().min(1)).max(10).optional(),
});
export type ChatRequest = z.infer<typeof chatRequest>;
