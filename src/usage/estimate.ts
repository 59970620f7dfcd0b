import type { Usage } from "../schemas/chat-response";

/**
 * When a client leaves mid-stream the provider never reports the final usage. The gateway then
 * keeps what it knows (prompt tokens, where the provider sent them early) and estimates the
 * completion from the output it forwarded: about four characters a token, the common rule of thumb
 * for English text with OpenAI's and Anthropic's tokenizers. The row is marked as estimated.
 */
export function estimateStreamedUsage(
	known: Usage | null,
	streamedChars: number,
): { usage: Usage | null; estimated: boolean } {
	const estimate = Math.ceil(streamedChars / 4);
	const reported = known?.completion_tokens ?? 0;
	if (estimate <= reported) return { usage: known, estimated: false };
	const prompt = known?.prompt_tokens ?? 0;
	return {
		usage: { ...known, prompt_tokens: prompt, completion_tokens: estimate, total_tokens: prompt + estimate },
		estimated: true,
	};
}
