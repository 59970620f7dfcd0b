import * as z from "zod/mini";

/**
 * POST /v1/embeddings as the gateway accepts it (openai-node 6.49.0 resources/embeddings.d.ts,
 * EmbeddingCreateParams): `input` is one string, strings, token ids or token-id arrays — one kind
 * per request, none empty, as OpenAI refuses empty or mixed input.
 */
const text = z.string().check(z.minLength(1));
const token = z.number().check(z.int(), z.nonnegative());
const tokens = z.array(token).check(z.minLength(1));

export const embeddingsRequest = z.looseObject({
	model: z.string().check(z.minLength(1)),
	input: z.union([text, z.array(text).check(z.minLength(1)), tokens, z.array(tokens).check(z.minLength(1))], {
		error:
			"expected a non-empty string, or a non-empty array of non-empty strings, of token ids, or of token-id arrays (one kind, not mixed)",
	}),
	encoding_format: z.optional(z.enum(["float", "base64"])),
	dimensions: z.optional(z.number().check(z.int(), z.positive())),
	user: z.optional(z.string()),
});
export type EmbeddingsRequest = z.infer<typeof embeddingsRequest>;
