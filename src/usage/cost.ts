import type { CatalogModel } from "../catalog/types";
import type { Usage } from "../schemas/chat-response";

export interface TokenCounts {
	prompt: number;
	completion: number;
	total: number;
	cached: number;
	/** Tokens written to a provider's prompt cache (Anthropic bills them above the input price). */
	cacheCreation: number;
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
		reasoning: count(usage?.completion_tokens_details?.reasoning_tokens),
	};
}

/**
 * USD at catalog prices (per million tokens). Cached prompt tokens are billed at the cached-input
 * price where the catalog has one; cache writes and everything else at the input price. Prompt and
 * completion counts already include cached and reasoning tokens (OpenAI's convention, which the
 * adapters follow), so nothing is counted twice.
 */
export function costUsd(
	model: Pick<CatalogModel, "inputPrice" | "outputPrice" | "cachedInputPrice">,
	t: TokenCounts,
) {
	const cachedPrice = model.cachedInputPrice ?? model.inputPrice;
	const cached = Math.min(t.cached, t.prompt);
	const usd =
		((t.prompt - cached) * model.inputPrice + cached * cachedPrice + t.completion * model.outputPrice) / 1e6;
	// Rounded to a billionth of a dollar: enough for per-token prices, free of float noise.
	return Math.round(usd * 1e9) / 1e9;
}

/** The client's usage object with the gateway's `cost` added. */
export function withCost(model: CatalogModel, usage: Usage): Usage {
	return { ...usage, cost: costUsd(model, tokenCounts(usage)) };
}
