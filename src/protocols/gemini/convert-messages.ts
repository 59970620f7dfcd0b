import { invalidRequest } from "../../errors";
import type { ChatMessage, UserContentPart } from "../../schemas/chat-request";
import type { InlineImage } from "./fetch-image";
import { readSignature } from "./thought-signature";
import type { Content, RequestPart } from "./wire";

export interface ConvertedMessages {
	systemInstruction?: { parts: Array<{ text: string }> };
	contents: Content[];
}

/** Fetches an https image and inlines it (see fetch-image.ts); `param` names the URL's place in the request. */
export type ImageFetcher = (url: string, param: string) => Promise<InlineImage>;

type PendingPart = RequestPart | Promise<RequestPart>;
interface PendingContent {
	role: "user" | "model";
	parts: PendingPart[];
}

/**
 * OpenAI messages → Gemini systemInstruction and contents. System and developer messages, wherever
 * they appear, become the system instruction (Gemini has one). Tool results become functionResponse
 * parts in a user turn, named after the call they answer (Gemini matches results by name, not id).
 * Adjacent turns of one role are merged: a run of tool messages must reach Gemini as one turn.
 */
export async function convertMessages(
	messages: ChatMessage[],
	fetchImage: ImageFetcher,
): Promise<ConvertedMessages> {
	const system: Array<{ text: string }> = [];
	const pending: PendingContent[] = [];
	const callNames = new Map<string, string>();

	messages.forEach((message, i) => {
		switch (message.role) {
			case "system":
			case "developer": {
				const text = joinText(message.content);
				if (text) system.push({ text });
				return;
			}
			case "user": {
				const parts =
					typeof message.content === "string"
						? textParts(message.content)
						: message.content.flatMap((part, j) =>
								userPart(part, `messages[${i}].content[${j}]`, fetchImage),
							);
				pending.push({ role: "user", parts });
				return;
			}
			case "assistant": {
				const parts: PendingPart[] = [];
				if (typeof message.content === "string") parts.push(...textParts(message.content));
				else if (Array.isArray(message.content)) {
					for (const part of message.content) if (part.type === "text") parts.push(...textParts(part.text));
				}
				message.tool_calls?.forEach((call, j) => {
					callNames.set(call.id, call.function.name);
					const functionCall = {
						name: call.function.name,
						args: parseArguments(
							call.function.arguments,
							`messages[${i}].tool_calls[${j}].function.arguments`,
						),
					};
					const signature = readSignature(call.id);
					parts.push(signature ? { functionCall, thoughtSignature: signature } : { functionCall });
				});
				pending.push({ role: "model", parts });
				return;
			}
			case "tool": {
				const name = callNames.get(message.tool_call_id);
				if (name === undefined) {
					throw invalidRequest(
						`messages[${i}] answers tool call "${message.tool_call_id}", which no earlier assistant message made`,
						`messages[${i}].tool_call_id`,
					);
				}
				const response = { result: joinText(message.content) };
				pending.push({ role: "user", parts: [{ functionResponse: { name, response } }] });
				return;
			}
			case "function": {
				const response = { result: message.content ?? "" };
				pending.push({ role: "user", parts: [{ functionResponse: { name: message.name, response } }] });
				return;
			}
		}
	});

	const contents = mergeTurns(await resolveParts(pending));
	// Gemini needs at least one content; a system-only prompt is sent as the user's words instead.
	if (contents.length === 0 && system.length > 0) return { contents: [{ role: "user", parts: system }] };
	if (contents.length === 0) throw invalidRequest("messages contain no content to send", "messages");
	return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}

function joinText(content: string | Array<{ text: string }>): string {
	return typeof content === "string" ? content : content.map((part) => part.text).join("\n");
}

/** Gemini rejects a part with empty text in a request, so empty text is left out. */
function textParts(text: string): RequestPart[] {
	return text === "" ? [] : [{ text }];
}

function userPart(part: UserContentPart, param: string, fetchImage: ImageFetcher): PendingPart[] {
	switch (part.type) {
		case "text":
			return textParts(part.text);
		case "image_url": {
			const url = part.image_url.url;
			if (url.startsWith("data:")) return [inlineFromDataUrl(url, `${param}.image_url.url`, "image/")];
			const fetched = fetchImage(url, `${param}.image_url.url`).then(
				(image): RequestPart => ({ inlineData: image }),
			);
			// Awaited later; a refusal of a later message may end the request before that, and must
			// not surface as an unhandled rejection meanwhile.
			fetched.catch(() => {});
			return [fetched];
		}
		case "input_audio": {
			const format = part.input_audio.format.toLowerCase();
			return [{ inlineData: { mimeType: `audio/${format}`, data: part.input_audio.data } }];
		}
		case "file": {
			const data = (part.file as { file_data?: unknown }).file_data;
			if (typeof data === "string" && data.startsWith("data:")) {
				return [inlineFromDataUrl(data, `${param}.file.file_data`, "")];
			}
			throw invalidRequest("Gemini models accept files only as base64 data URLs in file.file_data", param);
		}
	}
}

function inlineFromDataUrl(url: string, param: string, requiredPrefix: string): RequestPart {
	const comma = url.indexOf(",");
	const header = comma === -1 ? "" : url.slice(5, comma);
	const [mimeType = "", ...flags] = header.split(";");
	const data = url.slice(comma + 1);
	if (comma === -1 || !flags.includes("base64") || !mimeType || data === "") {
		throw invalidRequest(
			"a data URL must look like data:<media type>;base64,<data>",
			param,
			"invalid_image_url",
		);
	}
	if (!mimeType.toLowerCase().startsWith(requiredPrefix)) {
		throw invalidRequest(`a data URL of type "${mimeType}" is not an image`, param, "invalid_image_url");
	}
	return { inlineData: { mimeType: mimeType.toLowerCase(), data } };
}

/** Gemini wants args as an object; OpenAI carries them as a JSON string, "" meaning none. */
function parseArguments(text: string, param: string): Record<string, unknown> {
	if (text.trim() === "") return {};
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw invalidRequest("tool call arguments are not valid JSON", param);
	}
	if (value === null || typeof value !== "object" || Array.isArray(value)) {
		throw invalidRequest("tool call arguments must be a JSON object", param);
	}
	return value as Record<string, unknown>;
}

async function resolveParts(pending: PendingContent[]): Promise<Content[]> {
	// Every image fetch runs at once; Promise.all rejects with the first refusal.
	return Promise.all(pending.map(async ({ role, parts }) => ({ role, parts: await Promise.all(parts) })));
}

function mergeTurns(contents: Content[]): Content[] {
	const merged: Content[] = [];
	for (const content of contents) {
		if (content.parts.length === 0) continue;
		const last = merged.at(-1);
		if (last && last.role === content.role) last.parts.push(...content.parts);
		else merged.push({ role: content.role, parts: [...content.parts] });
	}
	return merged;
}
