import type { FinishReason, Usage } from "../../schemas/chat-response";
import type { MessageUsage, StopReason } from "./wire";

/**
 * The canonical answer's finish reason and usage in Messages terms, shared by the JSON answer
 * (to-message.ts) and the stream (stream-encoder.ts) so both say the same thing.
 */

/**
 * `stop_reason` and `stop_sequence` of a choice. vLLM-style OpenAI-protocol upstreams add a string
 * `stop_reason` to the choice naming the stop string that matched; only one of the request's own
 * stop sequences counts, so a number (a stop token id) or an unrelated string cannot leak into
 * `stop_sequence`. No finish reason at all (a stream cut without one) reads as a normal end.
 */
export function mapStopReason(
	finishReason: FinishReason | null | undefined,
	matched: unknown,
	stopSequences: readonly string[],
): { stop_reason: StopReason; stop_sequence: string | null } {
	switch (finishReason) {
		case "length":
			return { stop_reason: "max_tokens", stop_sequence: null };
		case "tool_calls":
		case "function_call":
			return { stop_reason: "tool_use", stop_sequence: null };
		case "content_filter":
			return { stop_reason: "refusal", stop_sequence: null };
		default:
			if (finishReason === "stop" && typeof matched === "string" && stopSequences.includes(matched)) {
				return { stop_reason: "stop_sequence", stop_sequence: matched };
			}
			return { stop_reason: "end_turn", stop_sequence: null };
	}
}

/** The vLLM `stop_reason` extension of a choice, if it has one. */
export const matchedStop = (choice: object): unknown =>
	"stop_reason" in choice ? choice.stop_reason : undefined;

const count = (value: unknown): number =>
	typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;

/**
 * OpenAI usage → Anthropic usage. OpenAI's prompt_tokens include cache reads (cached_tokens) and,
 * from our Anthropic adapter, cache writes (cache_creation_tokens); Anthropic counts all three apart,
 * so plain input is what remains (protocols.md 2.6). Never negative, whatever an upstream reports.
 */
export function mapUsage(usage: Usage | null | undefined): MessageUsage {
	const details = usage?.prompt_tokens_details;
	const cacheRead = count(details?.cached_tokens);
	const cacheCreation = count(details?.cache_creation_tokens);
	return {
		input_tokens: Math.max(0, count(usage?.prompt_tokens) - cacheRead - cacheCreation),
		cache_creation_input_tokens: cacheCreation,
		cache_read_input_tokens: cacheRead,
		output_tokens: count(usage?.completion_tokens),
	};
}
