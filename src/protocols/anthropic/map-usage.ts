import type { Usage } from "../../schemas/chat-response";
import type { WireUsage } from "./wire";

/** Anthropic's token counts, accumulated over a response (a stream reports them in two events). */
export interface Tokens {
	input: number;
	cacheCreation: number;
	cacheRead: number;
	/** Of the cache writes, those to a 1-hour cache (priced apart). */
	cacheCreation1h: number;
	output: number;
	/** Only some models break thinking out of output_tokens. */
	thinking: number | null;
}

export const noTokens = (): Tokens => ({
	input: 0,
	cacheCreation: 0,
	cacheRead: 0,
	cacheCreation1h: 0,
	output: 0,
	thinking: null,
});

/**
 * Overlays the counts `usage` carries on `known`. message_start reports input and cache counts with a
 * placeholder output count; message_delta reports the final, cumulative output count and, on newer API
 * versions, the input counts again — whatever arrives later wins.
 */
export function mergeTokens(known: Tokens, usage: WireUsage | null | undefined): Tokens {
	if (!usage) return known;
	return {
		input: usage.input_tokens ?? known.input,
		cacheCreation: usage.cache_creation_input_tokens ?? known.cacheCreation,
		cacheRead: usage.cache_read_input_tokens ?? known.cacheRead,
		cacheCreation1h: usage.cache_creation?.ephemeral_1h_input_tokens ?? known.cacheCreation1h,
		output: usage.output_tokens ?? known.output,
		thinking: usage.output_tokens_details?.thinking_tokens ?? known.thinking,
	};
}

/**
 * OpenAI's usage. Anthropic's input_tokens excludes cache reads and writes while OpenAI's
 * prompt_tokens includes cached tokens, so prompt_tokens sums all three. cache_creation_tokens is our
 * extension: the core prices cache writes from it. output_tokens already includes thinking.
 */
export function toOpenAIUsage(tokens: Tokens): Usage {
	const prompt = tokens.input + tokens.cacheCreation + tokens.cacheRead;
	const details: NonNullable<Usage["prompt_tokens_details"]> = {
		cached_tokens: tokens.cacheRead,
		cache_creation_tokens: tokens.cacheCreation,
	};
	// Only when there are some: 1-hour writes are rare, and most clients never see the field.
	if (tokens.cacheCreation1h > 0) details.cache_creation_1h_tokens = tokens.cacheCreation1h;
	return {
		prompt_tokens: prompt,
		completion_tokens: tokens.output,
		total_tokens: prompt + tokens.output,
		prompt_tokens_details: details,
		completion_tokens_details: { reasoning_tokens: tokens.thinking ?? 0 },
	};
}
