import * as z from "zod/mini";
import { openObject } from "../../schemas/open-object";

/**
 * OpenAI's `POST /v1/responses` request as the gateway accepts it. Wire facts from openai-node
 * 6.49.0 `resources/responses/responses.d.ts` (ResponseCreateParamsBase, ResponseInputItem,
 * EasyInputMessage, ResponseInputText/Image/File, ResponseFunctionToolCall,
 * ResponseInputItem.FunctionCallOutput, ResponseReasoningItem, FunctionTool, ToolChoice*,
 * ResponseTextConfig). Objects are loose: an OpenAI model gets the body as the client sent it
 * (pass-through), so fields and item types this schema does not know must survive. Only what the
 * gateway itself reads is checked; OpenAI checks the rest of a pass-through, and the translation
 * (to-canonical.ts) refuses what it cannot carry.
 */

const inputText = z.looseObject({ type: z.literal("input_text"), text: z.string() });
// ResponseInputImage: `detail` is typed required but the docs default it to auto; one of image_url
// (a URL or a data URL) and file_id names the image.
const inputImage = z.looseObject({
	type: z.literal("input_image"),
	image_url: z.nullish(z.string()),
	file_id: z.nullish(z.string()),
	detail: z.nullish(z.string()),
});
// ResponseInputFile: file_data is the file's content as a data URL; file_id and file_url name it.
const inputFile = z.looseObject({
	type: z.literal("input_file"),
	file_data: z.nullish(z.string()),
	file_id: z.nullish(z.string()),
	file_url: z.nullish(z.string()),
	filename: z.nullish(z.string()),
});
// ResponseOutputText and ResponseOutputRefusal: an assistant message's earlier output, sent back.
const outputText = z.looseObject({ type: z.literal("output_text"), text: z.string() });
const refusal = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const contentPart = openObject(
	{ input_text: inputText, input_image: inputImage, input_file: inputFile, output_text: outputText, refusal },
	"A content part: input_text, input_image, input_file, output_text, refusal, or a newer type.",
);
export type ContentPart = z.infer<typeof contentPart>;

const message = z.looseObject({
	type: z.optional(z.literal("message")),
	role: z.enum(["user", "assistant", "system", "developer"]),
	content: z.union([z.string(), z.array(contentPart)]),
});
const functionCall = z.looseObject({
	type: z.literal("function_call"),
	call_id: z.string().check(z.minLength(1)),
	name: z.string(),
	arguments: z.string(),
	id: z.nullish(z.string()),
});
const functionCallOutput = z.looseObject({
	type: z.literal("function_call_output"),
	call_id: z.string().check(z.minLength(1)),
	output: z.union([z.string(), z.array(contentPart)]),
});
// ResponseReasoningItem types `id` as required, but Codex CLI sends its reasoning items back without
// one (and with encrypted_content), so it is optional here: refusing them would break every Codex turn.
const reasoning = z.looseObject({
	type: z.literal("reasoning"),
	id: z.nullish(z.string()),
	summary: z.array(z.looseObject({ type: z.string(), text: z.string() })),
	encrypted_content: z.nullish(z.string()),
});

export const inputItem = openObject(
	{ message, function_call: functionCall, function_call_output: functionCallOutput, reasoning },
	"An input item: a message ({role, content}, type optional), function_call, function_call_output, reasoning, or another item type.",
	"message",
);
/** An item of a conversation: the client's input, or an earlier response's output sent back or stored. */
export type ResponseItem = z.infer<typeof inputItem>;

// FunctionTool: flat, unlike Chat's nested `function` (design.md, "Known traps of the new ingresses").
const functionTool = z.looseObject({
	type: z.literal("function"),
	name: z.string().check(z.minLength(1)),
	description: z.nullish(z.string()),
	parameters: z.nullish(z.record(z.string(), z.unknown())),
	strict: z.nullish(z.boolean()),
});
const tool = openObject(
	{ function: functionTool },
	"A function tool ({type: function, name, parameters}) or a built-in tool named by its type (web_search, file_search …).",
);

// ToolChoiceOptions | ToolChoiceFunction | ToolChoiceTypes and the other {type} forms.
const toolChoice = z.union([
	z.enum(["none", "auto", "required"]),
	openObject(
		{ function: z.looseObject({ type: z.literal("function"), name: z.string().check(z.minLength(1)) }) },
		"A tool to use: {type: function, name}, or a built-in tool's {type}.",
	),
]);

// ResponseFormatTextConfig: text | json_object | json_schema (flat, unlike Chat's nested json_schema).
const jsonSchemaFormat = z.looseObject({
	type: z.literal("json_schema"),
	name: z.string().check(z.minLength(1)),
	schema: z.record(z.string(), z.unknown()),
	description: z.nullish(z.string()),
	strict: z.nullish(z.boolean()),
});
const format = openObject(
	{
		text: z.looseObject({ type: z.literal("text") }),
		json_object: z.looseObject({ type: z.literal("json_object") }),
		json_schema: jsonSchemaFormat,
	},
	"The output format: text, json_object, or json_schema {name, schema, strict?}.",
);

export const responsesRequest = z.looseObject({
	model: z.string().check(z.minLength(1)),
	input: z.optional(z.union([z.string(), z.array(inputItem)])),
	instructions: z.nullish(z.string()),
	tools: z.optional(z.array(tool)),
	tool_choice: z.optional(toolChoice),
	parallel_tool_calls: z.nullish(z.boolean()),
	text: z.optional(z.looseObject({ format: z.optional(format), verbosity: z.nullish(z.string()) })),
	reasoning: z.nullish(z.looseObject({ effort: z.nullish(z.string()), summary: z.nullish(z.string()) })),
	max_output_tokens: z.nullish(z.number().check(z.int(), z.positive())),
	temperature: z.nullish(z.number().check(z.gte(0), z.lte(2))),
	top_p: z.nullish(z.number().check(z.gte(0), z.lte(1))),
	metadata: z.nullish(z.record(z.string(), z.string())),
	store: z.nullish(z.boolean()),
	previous_response_id: z.nullish(z.string().check(z.minLength(1))),
	include: z.nullish(z.array(z.string())),
	stream: z.nullish(z.boolean()),
	user: z.optional(z.string()),
	safety_identifier: z.nullish(z.string()),
	truncation: z.nullish(z.string()),
	service_tier: z.nullish(z.string()),
});
export type ResponsesRequest = z.infer<typeof responsesRequest>;

/** The known types' shapes, for code that has already switched on `type` (this schema checked them). */
export type InputText = z.infer<typeof inputText>;
export type InputImage = z.infer<typeof inputImage>;
export type InputFile = z.infer<typeof inputFile>;
export type OutputText = z.infer<typeof outputText>;
export type Refusal = z.infer<typeof refusal>;
export type MessageItem = z.infer<typeof message>;
export type FunctionCallItem = z.infer<typeof functionCall>;
export type FunctionCallOutputItem = z.infer<typeof functionCallOutput>;
export type FunctionToolParam = z.infer<typeof functionTool>;
export type JsonSchemaFormat = z.infer<typeof jsonSchemaFormat>;
