import type { FinishReason } from "../../schemas/chat-response";

/** Reasons meaning the provider's filters stopped or withheld the answer. */
const FILTERED = new Set([
	"SAFETY",
	"RECITATION",
	"BLOCKLIST",
	"PROHIBITED_CONTENT",
	"SPII",
	"IMAGE_SAFETY",
	"IMAGE_PROHIBITED_CONTENT",
	"IMAGE_RECITATION",
	"MODEL_ARMOR",
]);

/**
 * Gemini's finishReason → OpenAI's finish_reason. Gemini ends a function-calling turn with STOP
 * (finishMessage "Model generated function call(s)."), so `tool_calls` is decided by whether the
 * candidate called a function, not by the reason.
 *
 * Reasons with no OpenAI counterpart (NO_IMAGE, IMAGE_OTHER, LANGUAGE, OTHER,
 * MALFORMED_FUNCTION_CALL, UNEXPECTED_TOOL_CALL, TOO_MANY_TOOL_CALLS, MISSING_THOUGHT_SIGNATURE,
 * anything new) map to `stop`: the turn did end, the client gets whatever was produced, and an
 * OpenAI client has no way to act on a finer reason. A missing reason means "not finished yet".
 */
export function mapFinishReason(reason: string | undefined, calledFunctions: boolean): FinishReason | null {
	if (reason === undefined || reason === "" || reason === "FINISH_REASON_UNSPECIFIED") return null;
	if (reason === "MAX_TOKENS") return "length";
	if (FILTERED.has(reason)) return "content_filter";
	return calledFunctions ? "tool_calls" : "stop";
}
