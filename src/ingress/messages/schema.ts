import * as z from "zod/mini";
import { type KnownTypes, openObject } from "../../schemas/open-object";

/**
 * Anthropic's Messages request as the gateway accepts it (protocols.md section 2.2). Objects are
 * loose: a Claude model gets the body as the client sent it (pass-through), so fields this schema
 * does not know must survive. Only what the gateway itself reads is checked; Anthropic checks the
 * rest of a pass-through, and the translation (to-canonical.ts) refuses what it cannot carry.
 */

const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
export type TextBlock = z.infer<typeof textBlock>;

const base64Source = z.looseObject({ type: z.literal("base64"), media_type: z.string(), data: z.string() });
const urlSource = z.looseObject({ type: z.literal("url"), url: z.string().check(z.minLength(1)) });
const fileSource = z.looseObject({ type: z.literal("file"), file_id: z.string() });
const textSource = z.looseObject({
	type: z.literal("text"),
	media_type: z.optional(z.string()),
	data: z.string(),
});

const imageSource = openObject(
	{ base64: base64Source, url: urlSource, file: fileSource },
	"An image source: base64, url or file.",
);
const documentSource = openObject(
	{
		base64: base64Source,
		url: urlSource,
		file: fileSource,
		text: textSource,
	},
	"A document source: base64 (PDF), text, url, file or content.",
);

const imageBlock = z.looseObject({ type: z.literal("image"), source: imageSource });

/** Blocks allowed inside a tool_result's content (text and images, plus anything newer). */
const toolResultInner = openObject(
	{ text: textBlock, image: imageBlock },
	"A block of a tool result: text, image, or another block type.",
);

const documentBlock = z.looseObject({
	type: z.literal("document"),
	source: documentSource,
	title: z.nullish(z.string()),
	context: z.nullish(z.string()),
});
const toolUseBlock = z.looseObject({
	type: z.literal("tool_use"),
	id: z.string(),
	name: z.string(),
	input: z.record(z.string(), z.unknown()),
});
const toolResultBlock = z.looseObject({
	type: z.literal("tool_result"),
	tool_use_id: z.string(),
	content: z.optional(z.union([z.string(), z.array(toolResultInner)])),
	is_error: z.optional(z.boolean()),
});
// Thinking that carries only a signature must survive (LiteLLM #41361): `thinking` may be "".
const thinkingBlock = z.looseObject({
	type: z.literal("thinking"),
	thinking: z.string(),
	signature: z.string(),
});
const redactedThinkingBlock = z.looseObject({ type: z.literal("redacted_thinking"), data: z.string() });

const knownBlocks: KnownTypes = {
	text: textBlock,
	image: imageBlock,
	document: documentBlock,
	tool_use: toolUseBlock,
	tool_result: toolResultBlock,
	thinking: thinkingBlock,
	redacted_thinking: redactedThinkingBlock,
};

export const contentBlock = openObject(
	knownBlocks,
	"A content block: text, image, document, tool_use, tool_result, thinking, redacted_thinking, or a newer type.",
);
export type ContentBlock = z.infer<typeof contentBlock>;

const message = z.looseObject({
	// "system" is not Anthropic's, but some clients send it (LiteLLM #36917); it joins the system prompt.
	role: z.enum(["user", "assistant", "system"]),
	content: z.union([z.string(), z.array(contentBlock)]),
});
export type Message = z.infer<typeof message>;

const customTool = z.looseObject({
	type: z.optional(z.literal("custom")),
	name: z.string().check(z.minLength(1)),
	description: z.optional(z.string()),
	input_schema: z.record(z.string(), z.unknown()),
	strict: z.optional(z.boolean()),
});
const tool = openObject(
	{ custom: customTool },
	"A client tool ({name, description?, input_schema}) or a server tool with its own `type`.",
	"custom",
);

const parallel = { disable_parallel_tool_use: z.optional(z.boolean()) };
const toolChoice = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("auto"), ...parallel }),
	z.looseObject({ type: z.literal("any"), ...parallel }),
	z.looseObject({ type: z.literal("tool"), name: z.string().check(z.minLength(1)), ...parallel }),
	z.looseObject({ type: z.literal("none") }),
]);

const thinking = z.discriminatedUnion("type", [
	z.looseObject({ type: z.literal("enabled"), budget_tokens: z.number().check(z.int(), z.positive()) }),
	z.looseObject({ type: z.literal("disabled") }),
	z.looseObject({ type: z.literal("adaptive") }),
]);

const outputConfig = z.looseObject({
	format: z.optional(
		openObject(
			{
				json_schema: z.looseObject({
					type: z.literal("json_schema"),
					schema: z.record(z.string(), z.unknown()),
				}),
			},
			"The output format: json_schema.",
		),
	),
	effort: z.optional(z.string()),
});

/** Fields of both the Messages request and the count_tokens request. */
const common = {
	model: z.string().check(z.minLength(1)),
	messages: z.array(message).check(z.minLength(1)),
	system: z.optional(z.union([z.string(), z.array(textBlock)])),
	temperature: z.optional(z.number().check(z.gte(0), z.lte(1))),
	top_p: z.optional(z.number().check(z.gte(0), z.lte(1))),
	top_k: z.optional(z.number().check(z.int(), z.gte(0))),
	stop_sequences: z.optional(z.array(z.string())),
	tools: z.optional(z.array(tool)),
	tool_choice: z.optional(toolChoice),
	thinking: z.optional(thinking),
	metadata: z.optional(z.looseObject({ user_id: z.nullish(z.string()) })),
	output_config: z.optional(outputConfig),
	service_tier: z.optional(z.string()),
};

export const messagesRequest = z.looseObject({
	...common,
	max_tokens: z.number().check(z.int(), z.positive()),
	stream: z.optional(z.boolean()),
});
export type MessagesRequest = z.infer<typeof messagesRequest>;

/** POST /v1/messages/count_tokens: the same body without max_tokens and stream. */
export const countTokensRequest = z.looseObject(common);
export type CountTokensRequest = z.infer<typeof countTokensRequest>;

/** The known blocks' shapes, for code that has already switched on `type` (schema.ts checked them). */
export type ImageBlock = z.infer<typeof imageBlock>;
export type DocumentBlock = z.infer<typeof documentBlock>;
export type ToolUseBlock = z.infer<typeof toolUseBlock>;
export type ToolResultBlock = z.infer<typeof toolResultBlock>;
export type Base64Source = z.infer<typeof base64Source>;
export type UrlSource = z.infer<typeof urlSource>;
export type TextSource = z.infer<typeof textSource>;
export type CustomTool = z.infer<typeof customTool>;
