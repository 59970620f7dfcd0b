import { invalidRequest } from "../../errors";
import type { ChatMessage, ToolCall, UserContentPart } from "../../schemas/chat-request";
import type {
	Base64Source,
	ContentBlock,
	DocumentBlock,
	ImageBlock,
	Message,
	TextBlock,
	TextSource,
	ToolResultBlock,
	ToolUseBlock,
	UrlSource,
} from "./schema";

/**
 * Messages content → canonical chat messages. schema.ts checked the known blocks' fields, so a
 * block is read as its type's shape once its `type` is known. Fields that are hints to Claude, not
 * input to a model (`cache_control`, `citations`), are left behind. Anything else this cannot carry
 * is a 400 naming the block: input is never dropped silently.
 */

type TextPart = { type: "text"; text: string };
type ImagePart = Extract<UserContentPart, { type: "image_url" }>;

/** Anthropic's error body has no `param`, so the message itself starts with where the block is. */
const unsupported = (what: string, param: string) =>
	invalidRequest(
		`${param}: ${what} cannot be translated for this model; only Claude models accept it.`,
		param,
		"unsupported_value",
	);

/** A system prompt's content: text only, as Anthropic's top-level `system` is. */
export function systemContent(content: string | ContentBlock[], param: string): string | TextPart[] {
	if (typeof content === "string") return content;
	return content.map((block, j) => {
		if (block.type !== "text")
			throw unsupported(`a block of type '${block.type}' in a system message`, `${param}[${j}]`);
		return { type: "text", text: (block as TextBlock).text };
	});
}

export function convertMessage(message: Message, i: number): ChatMessage[] {
	const param = `messages[${i}].content`;
	switch (message.role) {
		case "system":
			return [{ role: "system", content: systemContent(message.content, param) }];
		case "user":
			return userTurn(message.content, param);
		case "assistant":
			return assistantTurn(message.content, param);
	}
}

/**
 * A user turn. Its tool results become `tool` messages, first (Anthropic puts them first too, and
 * OpenAI wants them right after the assistant's calls). Images inside results cannot ride in a tool
 * message, so they open the user message that follows, before the turn's other parts: one user
 * message, not two, since some upstreams insist on alternating roles.
 */
function userTurn(content: string | ContentBlock[], param: string): ChatMessage[] {
	if (typeof content === "string") return [{ role: "user", content }];
	const toolMessages: ChatMessage[] = [];
	const resultImages: ImagePart[] = [];
	const parts: UserContentPart[] = [];
	content.forEach((block, j) => {
		const at = `${param}[${j}]`;
		if (block.type === "tool_result") {
			const result = toolResult(block as ToolResultBlock, at);
			toolMessages.push(result.message);
			resultImages.push(...result.images);
		} else parts.push(...userPart(block, at));
	});
	const user = [...resultImages, ...parts];
	// A turn of tool results alone has no user message; an empty turn is kept as the client sent it.
	if (user.length === 0 && toolMessages.length > 0) return toolMessages;
	return [...toolMessages, { role: "user", content: user }];
}

function userPart(block: ContentBlock, param: string): UserContentPart[] {
	switch (block.type) {
		case "text":
			return [{ type: "text", text: (block as TextBlock).text }];
		case "image":
			return [imagePart(block as ImageBlock, param)];
		case "document":
			return documentParts(block as DocumentBlock, param);
		default:
			throw unsupported(`a block of type '${block.type}' in a user message`, param);
	}
}

function imagePart(block: ImageBlock, param: string): ImagePart {
	const { source } = block;
	switch (source.type) {
		case "base64": {
			const { media_type, data } = source as Base64Source;
			return { type: "image_url", image_url: { url: `data:${media_type};base64,${data}` } };
		}
		case "url":
			return { type: "image_url", image_url: { url: (source as UrlSource).url } };
		default:
			// A `file` source names an upload in Anthropic's Files API, which no other provider can read.
			throw unsupported(`an image with a '${source.type}' source`, `${param}.source`);
	}
}

/**
 * A document: a base64 PDF becomes a chat file part (its title the file name), a plain-text
 * document a text part. `context` is text the sender wants the model to read with the document, so
 * it goes before it as a text part of its own; `title` of a text document only labels citations.
 */
function documentParts(block: DocumentBlock, param: string): UserContentPart[] {
	const { source } = block;
	const context: UserContentPart[] = block.context ? [{ type: "text", text: block.context }] : [];
	if (source.type === "base64") {
		const { media_type, data } = source as Base64Source;
		if (media_type !== "application/pdf") {
			throw unsupported(`a base64 document of type '${media_type}'`, `${param}.source.media_type`);
		}
		const file = {
			file_data: `data:application/pdf;base64,${data}`,
			filename: block.title ?? "document.pdf",
		};
		return [...context, { type: "file", file }];
	}
	if (source.type === "text") return [...context, { type: "text", text: (source as TextSource).data }];
	// url, file and content sources: no canonical part can carry them faithfully.
	throw unsupported(`a document with a '${source.type}' source`, `${param}.source`);
}

/** A tool_result as a `tool` message, and the images it held (they travel in the next user message). */
function toolResult(block: ToolResultBlock, param: string): { message: ChatMessage; images: ImagePart[] } {
	const content = block.content ?? "";
	if (typeof content === "string") {
		return { message: { role: "tool", tool_call_id: block.tool_use_id, content }, images: [] };
	}
	const texts: TextPart[] = [];
	const images: ImagePart[] = [];
	content.forEach((inner, k) => {
		const at = `${param}.content[${k}]`;
		if (inner.type === "text") texts.push({ type: "text", text: (inner as TextBlock).text });
		else if (inner.type === "image") images.push(imagePart(inner as ImageBlock, at));
		else throw unsupported(`a block of type '${inner.type}' in a tool result`, at);
	});
	// `is_error` has no canonical field; the result's own text is what tells the model what failed.
	const message: ChatMessage = {
		role: "tool",
		tool_call_id: block.tool_use_id,
		content: texts.length > 0 ? texts : "",
	};
	return { message, images };
}

/**
 * An assistant turn: text becomes content, tool_use blocks tool calls, and image blocks (a picture
 * an image model drew, as to-message.ts wrote it) the gateway's `images` field, where the adapters
 * of image models look for their own pictures to edit. Thinking and redacted_thinking are dropped:
 * reasoning is the model's own earlier output, not input, and its signature is Anthropic's, which
 * no other provider can check. A turn with nothing left (thinking alone) is left out rather than
 * sent as an empty assistant message, which upstreams refuse.
 */
function assistantTurn(content: string | ContentBlock[], param: string): ChatMessage[] {
	if (typeof content === "string") return [{ role: "assistant", content }];
	const texts: TextPart[] = [];
	const calls: ToolCall[] = [];
	const images: ImagePart[] = [];
	content.forEach((block, j) => {
		const at = `${param}[${j}]`;
		switch (block.type) {
			case "text":
				texts.push({ type: "text", text: (block as TextBlock).text });
				return;
			case "tool_use": {
				const { id, name, input } = block as ToolUseBlock;
				calls.push({ id, type: "function", function: { name, arguments: JSON.stringify(input) } });
				return;
			}
			case "image":
				images.push(imagePart(block as ImageBlock, at));
				return;
			case "thinking":
			case "redacted_thinking":
				return;
			default:
				throw unsupported(`a block of type '${block.type}' in an assistant message`, at);
		}
	});
	if (texts.length === 0 && calls.length === 0 && images.length === 0) return [];
	const message: ChatMessage = { role: "assistant", content: texts.length > 0 ? texts : null };
	if (calls.length > 0) message.tool_calls = calls;
	if (images.length > 0) message.images = images;
	return [message];
}
