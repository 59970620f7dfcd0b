import { invalidRequest } from "../../errors";
import { isObject } from "../../is-object";
import type { UserContentPart } from "../../schemas/chat-request";
import type {
	CacheControl,
	DocumentBlock,
	ImageBlock,
	ImageMediaType,
	TextBlock,
	UserBlock,
} from "./wire-request";

/**
 * OpenAI content parts as Anthropic content blocks, one for one and in order.
 * Image media types Anthropic accepts: https://docs.anthropic.com/en/docs/build-with-claude/vision.
 */

const imageMediaTypes: ReadonlySet<string> = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/**
 * Clients that know Anthropic put `cache_control` on OpenAI parts (LiteLLM and OpenRouter accept it
 * there); passing it on is the only way an OpenAI-shaped request can use prompt caching.
 */
function cacheControlOf(part: Record<string, unknown>): { cache_control?: CacheControl } {
	const value = part.cache_control;
	return isObject(value) ? { cache_control: value as CacheControl } : {};
}

/** Anthropic rejects empty text blocks, so empty text becomes no block at all. */
export function textBlock(part: { text: string } & Record<string, unknown>): TextBlock | undefined {
	if (part.text === "") return undefined;
	return { type: "text", text: part.text, ...cacheControlOf(part) };
}

export function textBlocks(content: string | Array<{ text: string } & Record<string, unknown>>): TextBlock[] {
	const parts = typeof content === "string" ? [{ text: content }] : content;
	return parts.flatMap((part) => textBlock(part) ?? []);
}

interface DataUrl {
	mediaType: string;
	base64: boolean;
	data: string;
}

/** `data:[<media type>][;param…][;base64],<data>`; the payload may be megabytes, so no regex over it. */
function parseDataUrl(url: string): DataUrl | undefined {
	if (!url.startsWith("data:")) return undefined;
	const comma = url.indexOf(",");
	if (comma === -1) return undefined;
	const [mediaType = "", ...params] = url.slice("data:".length, comma).split(";");
	return {
		mediaType: mediaType.trim().toLowerCase(),
		base64: params.some((param) => param.trim().toLowerCase() === "base64"),
		data: url.slice(comma + 1),
	};
}

function convertImage(part: Extract<UserContentPart, { type: "image_url" }>, param: string): ImageBlock {
	const url = part.image_url.url;
	const extra = cacheControlOf(part);
	if (url.startsWith("https://")) return { type: "image", source: { type: "url", url }, ...extra };
	const dataUrl = parseDataUrl(url);
	if (!dataUrl) {
		throw invalidRequest(
			"Image URLs must be https: URLs or base64 data: URLs for this model.",
			param,
			"invalid_image_url",
		);
	}
	// "image/jpg" is a common misspelling clients send; Anthropic accepts only the registered name.
	const mediaType = dataUrl.mediaType === "image/jpg" ? "image/jpeg" : dataUrl.mediaType;
	if (!imageMediaTypes.has(mediaType)) {
		throw invalidRequest(
			`Image media type "${dataUrl.mediaType}" is not supported for this model; use image/jpeg, image/png, image/gif or image/webp.`,
			param,
			"invalid_image_format",
		);
	}
	if (!dataUrl.base64)
		throw invalidRequest("Image data: URLs must be base64-encoded.", param, "invalid_image_url");
	return {
		type: "image",
		source: { type: "base64", media_type: mediaType as ImageMediaType, data: dataUrl.data },
		...extra,
	};
}

/** Only inline PDFs have an Anthropic equivalent: an OpenAI file id means nothing to Anthropic. */
function convertFile(part: Extract<UserContentPart, { type: "file" }>, param: string): DocumentBlock {
	const fileData = part.file.file_data;
	const dataUrl = typeof fileData === "string" ? parseDataUrl(fileData) : undefined;
	if (dataUrl?.mediaType !== "application/pdf" || !dataUrl.base64) {
		throw invalidRequest(
			"File parts are supported for this model only as base64 PDF data (file.file_data = data:application/pdf;base64,…).",
			param,
			"unsupported_value",
		);
	}
	const filename = part.file.filename;
	return {
		type: "document",
		source: { type: "base64", media_type: "application/pdf", data: dataUrl.data },
		...(typeof filename === "string" && filename !== "" ? { title: filename } : {}),
		...cacheControlOf(part),
	};
}

/** `param` names the part the way OpenAI names fields, e.g. `messages[1].content[2]`. */
export function convertUserPart(part: UserContentPart, param: string): UserBlock | undefined {
	switch (part.type) {
		case "text":
			return textBlock(part);
		case "image_url":
			return convertImage(part, `${param}.image_url`);
		case "file":
			return convertFile(part, `${param}.file`);
		case "input_audio":
			throw invalidRequest("Audio input is not supported for this model.", param, "unsupported_value");
	}
}
