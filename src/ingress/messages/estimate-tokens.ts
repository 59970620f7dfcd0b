import { isObject } from "../../is-object";
import type { ContentBlock, CountTokensRequest, MessagesRequest } from "./schema";

/**
 * A deterministic estimate of a request's input tokens, for message_start before the upstream has
 * reported usage and for count_tokens where no exact count is available. A heuristic, documented so
 * its errors are predictable:
 * - text (system, text blocks, tool results, text documents, tool calls' names and input as JSON,
 *   tool definitions as JSON) at 4 characters a token, the usual figure for English;
 * - an image at 1,600 tokens, what Claude charges for a full-size one (about 1.15 megapixels at 750
 *   pixels a token): an upper bound, as the size is not read;
 * - a PDF at 2,000 tokens a page (Anthropic quotes 1,500 to 3,000 for text plus the page image),
 *   counting a page per 50,000 bytes, at least one;
 * - 4 tokens a message for its role and separators;
 * - thinking in history is not counted: translations drop it, and Claude's count comes from Claude;
 * - a block of another type counts as its JSON.
 * Never below 1.
 */

const CHARS_PER_TOKEN = 4;
const IMAGE_TOKENS = 1_600;
const PDF_PAGE_TOKENS = 2_000;
const PDF_BYTES_PER_PAGE = 50_000;
const MESSAGE_TOKENS = 4;

interface Tally {
	chars: number;
	tokens: number;
}

export function estimateInputTokens(body: MessagesRequest | CountTokensRequest): number {
	const tally: Tally = { chars: 0, tokens: 0 };
	if (typeof body.system === "string") tally.chars += body.system.length;
	else for (const block of body.system ?? []) tally.chars += block.text.length;
	for (const message of body.messages) {
		tally.tokens += MESSAGE_TOKENS;
		if (typeof message.content === "string") tally.chars += message.content.length;
		else for (const block of message.content) countBlock(block, tally);
	}
	for (const tool of body.tools ?? []) tally.chars += JSON.stringify(tool).length;
	return Math.max(1, Math.ceil(tally.chars / CHARS_PER_TOKEN) + tally.tokens);
}

function countBlock(block: ContentBlock, tally: Tally): void {
	switch (block.type) {
		case "text":
			tally.chars += stringLength(block.text);
			return;
		case "image":
			tally.tokens += IMAGE_TOKENS;
			return;
		case "document":
			countDocument(block.source, tally);
			return;
		case "tool_use":
			tally.chars += stringLength(block.name) + JSON.stringify(block.input ?? {}).length;
			return;
		case "tool_result":
			if (typeof block.content === "string") tally.chars += block.content.length;
			else if (Array.isArray(block.content)) {
				for (const inner of block.content)
					if (isObject(inner) && typeof inner.type === "string") countBlock(inner as ContentBlock, tally);
			}
			return;
		case "thinking":
		case "redacted_thinking":
			return;
		default:
			tally.chars += JSON.stringify(block).length;
	}
}

function countDocument(source: unknown, tally: Tally): void {
	if (!isObject(source)) return;
	if (source.type === "text") {
		tally.chars += stringLength(source.data);
	} else if (source.type === "base64" && typeof source.data === "string") {
		// Base64 carries 3 bytes in 4 characters.
		const bytes = (source.data.length * 3) / 4;
		tally.tokens += PDF_PAGE_TOKENS * Math.max(1, Math.ceil(bytes / PDF_BYTES_PER_PAGE));
	} else {
		// A url or file: its size is unknown here, so one page's worth.
		tally.tokens += PDF_PAGE_TOKENS;
	}
}

const stringLength = (value: unknown): number => (typeof value === "string" ? value.length : 0);
