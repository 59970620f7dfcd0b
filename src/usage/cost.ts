import type { CatalogModel } from "../catalog/types";
import type { Usage } from "../schemas/chat-response";

export interface TokenCounts {
	prompt: number;
	completion: number;
	total: number;
	cached: number;
	/** Tokens written to a provider's prompt cache (Anthropic bills them above the input price). */
	cacheCreation: number;
	/** Of those, the tokens written to a 1-hour cache (Anthropic bills them higher still). */
	cacheCreation1h: number;
	reasoning: number;
}

const count = (value: unknown) =>
	typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;

export function tokenCounts(usage: Usage | null | undefined): TokenCounts {
	const prompt = count(usage?.prompt_tokens);
	const completion = count(usage?.completion_tokens);
	return {
		prompt,
		completion,
		total: count(usage?.total_tokens) || prompt + completion,
		cached: count(usage?.prompt_tokens_details?.cached_tokens),
		cacheCreation: count(usage?.prompt_tokens_details?.cache_creation_tokens),
		cacheCreation1h: count(usage?.prompt_tokens_details?.cache_creation_1h_tokens),
		reasoning: count(usage?.completion_tokens_details?.reasoning_tokens),
	};
}

/**
 * USD at catalog prices (per million tokens). Prompt tokens are billed in three parts: cache reads
 * (`cached`) at the cached-input price, cache writes (`cacheCreation`, Anthropic's
 * cache_creation_input_tokens) at the cache-write price — those written to a 1-hour cache at the
 * 1-hour price, falling back to the cache-write price — each falling back to the input price where
 * the catalog has none, and the rest at the input price. Prompt and completion counts already include
 * cache reads, cache writes and reasoning tokens (OpenAI's convention, which the adapters follow), so
 * nothing is counted twice. A provider whose cache counts exceed its prompt count is clamped to it,
 * reads first: no part is ever negative and the prompt is never billed beyond its own count.
 */
export function costUsd(
	model: Pick<
		CatalogModel,
		"inputPrice" | "outputPrice" | "cachedInputPrice" | "cacheWritePrice" | "cacheWrite1hPrice"
	>,
	t: TokenCounts,
) {
	const cachedPrice = model.cachedInputPrice ?? model.inputPrice;
	const writePrice = model.cacheWritePrice ?? model.inputPrice;
	const write1hPrice = model.cacheWrite1hPrice ?? writePrice;
	const cached = Math.min(t.cached, t.prompt);
	const cacheCreation = Math.min(t.cacheCreation, t.prompt - cached);
	const cacheCreation1h = Math.min(t.cacheCreation1h, cacheCreation);
	const uncached = t.prompt - cached - cacheCreation;
	const usd =
		(uncached * model.inputPrice +
			cached * cachedPrice +
			(cacheCreation - cacheCreation1h) * writePrice +
			cacheCreation1h * write1hPrice +
			t.completion * model.outputPrice) /
		1e6;
	return roundUsd(usd);
}

/** Rounded to a billionth of a dollar: enough for per-token prices, free of float noise. */
export const roundUsd = (usd: number) => Math.round(usd * 1e9) / 1e9;

/** The client's usage object with the gateway's `cost` added. */
export function withCost(model: CatalogModel, usage: Usage): Usage {
	return { ...usage, cost: costUsd(model, tokenCounts(usage)) };
}
