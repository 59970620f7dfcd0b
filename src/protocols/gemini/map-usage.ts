import type { Usage } from "../../schemas/chat-response";
import type { UsageMetadata } from "./wire";

/**
 * usageMetadata → OpenAI usage. `candidatesTokenCount` excludes thinking, and OpenAI counts
 * reasoning inside completion_tokens, so thoughts are added there and also reported on their own.
 * Tool-use prompt tokens (from built-in tools) are input the request is billed for. Cached tokens
 * are a subset of the prompt, as in OpenAI. Any field may be absent: absent counts as 0.
 */
export function mapUsage(meta: UsageMetadata): Usage {
	const prompt = (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0);
	const thoughts = meta.thoughtsTokenCount ?? 0;
	const completion = (meta.candidatesTokenCount ?? 0) + thoughts;
	const usage: Usage = {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: meta.totalTokenCount ?? prompt + completion,
		prompt_tokens_details: { cached_tokens: meta.cachedContentTokenCount ?? 0 },
		completion_tokens_details: { reasoning_tokens: thoughts },
	};
	return usage;
}
