import { invalidRequest } from "../../errors";
import type { ChatMessage, ToolCall, UserContentPart } from "../../schemas/chat-request";
import type {
	ContentPart,
	FunctionCallItem,
	FunctionCallOutputItem,
	InputFile,
	InputImage,
	InputText,
	MessageItem,
	OutputText,
	Refusal,
	ResponseItem,
} from "./schema";

/**
 * Responses input items → canonical chat messages. schema.ts checked the known types' fields, so
 * an item or part is read as its type's shape once its `type` is known. Anything this cannot carry
 * is a 400 naming where it is; input is never dropped silently, with one documented exception:
 *
 * `reasoning` items are dropped. They are a model's own earlier output, not input: their
 * `encrypted_content` is OpenAI's and only OpenAI can read it (OpenAI models get the body itself,
 * pass-through), and their `summary` is a summary, not the thinking a provider would want back.
 * The round-trip state other providers need (Gemini's thought signatures, Claude's signed thinking
 * before tool calls) travels with the tool call ids (the engine's turn state), not in these items.
 * Codex sends them back on every turn (design.md), so refusing them would break it.
 */

type TextPart = { type: "text"; text: string };
type ImagePart = Extract<UserContentPart, { type: "image_url" }>;

/** Where an item is: the 400's `param`, and how its message names the place. */
export type Locate = (i: number) => { param: string; label: string };

/** Input items are named by their path; items of a stored conversation by previous_response_id. */
export const inInput: Locate = (i) => ({ param: `input[${i}]`, label: `input[${i}]` });
export const inHistory: Locate = (i) => ({
	param: "previous_response_id",
	label: `item ${i} of the stored conversation`,
});

const unsupported = (what: string, param: string, label: string) =>
	invalidRequest(
		`${label}: ${what} cannot be translated for this model; only OpenAI models accept it.`,
		param,
		"unsupported_value",
	);

export function convertItems(items: ResponseItem[], locate: Locate): ChatMessage[] {
	const messages: ChatMessage[] = [];
	/** Images and files of tool outputs: a tool message carries text only, so they follow the outputs. */
	let pending: UserContentPart[] = [];
	const flush = () => {
		if (pending.length > 0) messages.push({ role: "user", content: pending });
		pending = [];
	};
	items.forEach((item, i) => {
		const { param, label } = locate(i);
		const type = item.type ?? "message";
		if (type !== "function_call_output") flush();
		switch (type) {
			case "message":
				messages.push(message(item as MessageItem, param, label));
				return;
			case "function_call":
				addCall(messages, item as FunctionCallItem);
				return;
			case "function_call_output": {
				const output = toolOutput(item as FunctionCallOutputItem, param, label);
				messages.push(output.message);
				pending.push(...output.parts);
				return;
			}
			case "reasoning":
				return;
			default:
				throw unsupported(`an item of type '${type}'`, param, label);
		}
	});
	flush();
	return messages;
}

function message(item: MessageItem, param: string, label: string): ChatMessage {
	const { role, content } = item;
	if (typeof content === "string") return { role, content };
	const place = (j: number) => ({ param: `${param}.content[${j}]`, label: `${label}.content[${j}]` });
	if (role === "assistant") {
		// A refusal is text the model said; as text it reads the same to any model.
		const parts = content.map((part, j) => assistantText(part, place(j)));
		return { role, content: parts };
	}
	if (role === "user") return { role, content: content.map((part, j) => userPart(part, place(j))) };
	return {
		role,
		content: content.map((part, j) => {
			const at = place(j);
			if (part.type !== "input_text")
				throw unsupported(`a part of type '${part.type}' in a ${role} message`, at.param, at.label);
			return { type: "text", text: (part as InputText).text };
		}),
	};
}

function assistantText(part: ContentPart, at: { param: string; label: string }): TextPart {
	switch (part.type) {
		case "output_text":
		case "input_text":
			return { type: "text", text: (part as OutputText).text };
		case "refusal":
			return { type: "text", text: (part as Refusal).refusal };
		default:
			throw unsupported(`a part of type '${part.type}' in an assistant message`, at.param, at.label);
	}
}

function userPart(part: ContentPart, at: { param: string; label: string }): UserContentPart {
	switch (part.type) {
		case "input_text":
			return { type: "text", text: (part as InputText).text };
		case "input_image":
			return imagePart(part as InputImage, at);
		case "input_file":
			return filePart(part as InputFile, at);
		default:
			throw unsupported(`a part of type '${part.type}' in a user message`, at.param, at.label);
	}
}

/** Chat's image detail levels; Responses' "original" (full resolution) is nearest to "high". */
const DETAILS = new Map<string, "auto" | "low" | "high">([
	["auto", "auto"],
	["low", "low"],
	["high", "high"],
	["original", "high"],
]);

function imagePart(part: InputImage, at: { param: string; label: string }): ImagePart {
	if (!part.image_url) {
		// A file_id names an upload in OpenAI's Files API, which no other provider can read.
		throw unsupported("an image given by file_id", `${at.param}.file_id`, `${at.label}.file_id`);
	}
	const detail = part.detail ? DETAILS.get(part.detail) : undefined;
	return { type: "image_url", image_url: detail ? { url: part.image_url, detail } : { url: part.image_url } };
}

/** A file with its content inline (a data URL, as the adapters read Chat's file parts) as a file part. */
function filePart(part: InputFile, at: { param: string; label: string }): UserContentPart {
	if (!part.file_data) {
		const field = part.file_id ? "file_id" : "file_url";
		throw unsupported(`a file given by ${field}`, `${at.param}.${field}`, `${at.label}.${field}`);
	}
	if (!part.file_data.startsWith("data:")) {
		throw invalidRequest(
			`${at.label}.file_data must be a data URL (data:<media type>;base64,…) for this model.`,
			`${at.param}.file_data`,
			"invalid_value",
		);
	}
	const file: { file_data: string; filename?: string } = { file_data: part.file_data };
	if (part.filename) file.filename = part.filename;
	return { type: "file", file };
}

/**
 * A function_call joins the assistant message just before it (the text of the same turn, or the
 * calls before it: OpenAI emits a turn's parallel calls as consecutive items), else it opens one.
 */
function addCall(messages: ChatMessage[], item: FunctionCallItem): void {
	const call: ToolCall = {
		id: item.call_id,
		type: "function",
		function: { name: item.name, arguments: item.arguments },
	};
	const last = messages.at(-1);
	if (last?.role === "assistant") {
		last.tool_calls = [...(last.tool_calls ?? []), call];
		return;
	}
	messages.push({ role: "assistant", content: null, tool_calls: [call] });
}

/** A function_call_output as a tool message; its images and files are returned to follow the outputs. */
function toolOutput(
	item: FunctionCallOutputItem,
	param: string,
	label: string,
): { message: ChatMessage; parts: UserContentPart[] } {
	const { call_id, output } = item;
	if (typeof output === "string")
		return { message: { role: "tool", tool_call_id: call_id, content: output }, parts: [] };
	const texts: TextPart[] = [];
	const parts: UserContentPart[] = [];
	output.forEach((part, j) => {
		const at = { param: `${param}.output[${j}]`, label: `${label}.output[${j}]` };
		const converted = userPart(part, at);
		if (converted.type === "text") texts.push(converted);
		else parts.push(converted);
	});
	return { message: { role: "tool", tool_call_id: call_id, content: texts.length > 0 ? texts : "" }, parts };
}
