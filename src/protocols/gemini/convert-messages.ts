import { invalidRequest } from "../../errors";
import { EXTENSION_BY_TYPE } from "../../images/addresses";
import type { ChatMessage, UserContentPart } from "../../schemas/chat-request";
import type { BuildContext } from "../adapter";
import { bytesToBase64 } from "./base64";
import type { InlineImage } from "./fetch-image";
import { imageSignature, readSignature } from "./thought-signature";
import type { Content, RequestPart } from "./wire";

export interface ConvertedMessages {
	systemInstruction?: { parts: Array<{ text: string }> };
	contents: Content[];
}

/** Fetches an https image and inlines it (see fetch-image.ts); `param` names the URL's place in the request. */
export type ImageFetcher = (url: string, param: string) => Promise<InlineImage>;

/** A part, or one still being fetched; null for a stored image that is gone and left no text. */
type PendingPart = RequestPart | Promise<RequestPart | null>;
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
	loadImage?: BuildContext["loadImage"],
): Promise<ConvertedMessages> {
	const system: Array<{ text: string }> = [];
	const pending: PendingContent[] = [];
	const callNames = new Map<string, string>();
	const editedTurn = loadImage ? lastTurnWithStoredImages(messages) : -1;

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
				const load = i === editedTurn ? loadImage : undefined;
				const texts = assistantTexts(message);
				if (load) parts.push(...withStoredImages(texts, imagesField(message), load));
				else for (const text of texts) parts.push(...textParts(text));
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
	return Promise.all(
		pending.map(async ({ role, parts }) => ({
			role,
			parts: (await Promise.all(parts)).filter((part): part is RequestPart => part !== null),
		})),
	);
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

/*
 * Editing a picture a Gemini model drew earlier. The answer carried it as a gateway URL (in
 * `message.images` and as a markdown link in `content`, src/protocols/gemini/render-image.ts); a
 * client sends that message back in its history and asks for a change. Gemini must see the picture
 * itself, with the thought signature it was drawn with (Gemini 3 image models), so the gateway puts
 * it back from storage in place of its link. Only the latest assistant turn holding such pictures
 * is restored (the one being edited), and at most MAX_RESTORED_IMAGES of its pictures: each is
 * megabytes, and earlier turns and further pictures keep their links.
 */

const IMAGE_LINK = /!\[image\]\(([^()\s]+)\)\n?/g;
const STORED_IMAGE_PATH = new RegExp(
	`^/v1/images/([A-Za-z0-9_-]{22})\\.(?:${Object.values(EXTENSION_BY_TYPE).join("|")})$`,
);
/** With the stored size cap (src/images/load.ts), 20 MiB: what a request may fetch by URL as well. */
const MAX_RESTORED_IMAGES = 4;

/** The id of an image this gateway serves, from its URL; null for any other URL. */
function storedImageId(url: string): string | null {
	if (!url.startsWith("https://") && !url.startsWith("http://")) return null;
	try {
		return STORED_IMAGE_PATH.exec(new URL(url).pathname)?.[1] ?? null;
	} catch {
		return null;
	}
}

/** An assistant message's text, whether its content is a string or a list of parts. */
function assistantTexts(message: Extract<ChatMessage, { role: "assistant" }>): string[] {
	if (typeof message.content === "string") return [message.content];
	if (!Array.isArray(message.content)) return [];
	return message.content.flatMap((part) => (part.type === "text" ? [part.text] : []));
}

/** The URLs in an assistant message's `images` field (OpenRouter's shape), as a client sent it back. */
function imagesField(message: object): string[] {
	const images = (message as { images?: unknown }).images;
	if (!Array.isArray(images)) return [];
	return images.flatMap((image) => {
		const url = (image as { image_url?: { url?: unknown } } | null)?.image_url?.url;
		return typeof url === "string" ? [url] : [];
	});
}

function lastTurnWithStoredImages(messages: ChatMessage[]): number {
	for (let i = messages.length - 1; i >= 0; i--) {
		const message = messages[i];
		if (message?.role !== "assistant") continue;
		const linked = assistantTexts(message).flatMap((text) =>
			[...text.matchAll(IMAGE_LINK)].map((m) => m[1] ?? ""),
		);
		if ([...linked, ...imagesField(message)].some((url) => storedImageId(url) !== null)) return i;
	}
	return -1;
}

/** Text with each stored picture's link replaced by the picture; pictures only in `images` follow. */
function withStoredImages(
	texts: string[],
	imageUrls: string[],
	load: NonNullable<BuildContext["loadImage"]>,
): PendingPart[] {
	const parts: PendingPart[] = [];
	const placed = new Set<string>();
	for (const text of texts) {
		let at = 0;
		for (const match of text.matchAll(IMAGE_LINK)) {
			const id = storedImageId(match[1] ?? "");
			if (id === null || placed.has(id) || placed.size >= MAX_RESTORED_IMAGES) continue;
			parts.push(...textParts(text.slice(at, match.index)));
			parts.push(storedImagePart(load, id, match[0]));
			placed.add(id);
			at = match.index + match[0].length;
		}
		parts.push(...textParts(text.slice(at)));
	}
	for (const url of imageUrls) {
		const id = storedImageId(url);
		if (id === null || placed.has(id) || placed.size >= MAX_RESTORED_IMAGES) continue;
		parts.push(storedImagePart(load, id, null));
		placed.add(id);
	}
	return parts;
}

/**
 * The stored picture as an inline part with its signature. If it is gone, or storage cannot be read
 * right now, its link stays as text: the request goes on without the picture rather than failing.
 */
async function storedImagePart(
	load: NonNullable<BuildContext["loadImage"]>,
	id: string,
	link: string | null,
): Promise<RequestPart | null> {
	const image = await load(id).catch((error: unknown) => {
		console.error(JSON.stringify({ message: "stored image not loaded", image_id: id, error: String(error) }));
		return null;
	});
	if (!image) return link ? { text: link } : null;
	const inlineData = { mimeType: image.mimeType, data: bytesToBase64(image.bytes) };
	const thoughtSignature = imageSignature(image.metadata);
	return thoughtSignature ? { inlineData, thoughtSignature } : { inlineData };
}
