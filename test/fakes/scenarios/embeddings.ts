/**
 * What the fake embeddings endpoints answer (../openai-embeddings-fake.ts for OpenAI's
 * `POST {base}/embeddings`, ../gemini-embeddings-fake.ts for Gemini's `:batchEmbedContents` and
 * `:embedContent`), for the tests to compute their expectations instead of restating them.
 * No Node imports here: worker tests import this module inside workerd.
 */

/**
 * The length of every vector when the request names no `dimensions` (OpenAI) or
 * `outputDimensionality` (Gemini). Real models answer 1536 (text-embedding-3-small, ada-002), 3072
 * (text-embedding-3-large, gemini-embedding-001) or 768 (text-embedding-004); the fakes answer 8 so
 * that tests stay small and readable.
 */
export const DEFAULT_EMBEDDING_DIMENSIONS = 8;

/**
 * OpenAI's models and their native sizes: `dimensions` may not exceed it, and is refused outright by
 * models before text-embedding-3 ("Only supported in `text-embedding-3` and later models",
 * node_modules/openai/resources/embeddings.d.ts, EmbeddingCreateParams.dimensions).
 */
export const OPENAI_EMBEDDING_MODELS: Record<string, { native: number; dimensions: boolean }> = {
	"text-embedding-3-small": { native: 1536, dimensions: true },
	"text-embedding-3-large": { native: 3072, dimensions: true },
	"text-embedding-ada-002": { native: 1536, dimensions: false },
};

/**
 * OpenAI's input limits (EmbeddingCreateParams.input in node_modules/openai/resources/embeddings.d.ts):
 * at most 2048 inputs in one request, at most 8192 tokens per input.
 */
export const OPENAI_MAX_INPUTS = 2048;
export const OPENAI_MAX_INPUT_TOKENS = 8192;

/**
 * The message OpenAI answers (400, type invalid_request_error, param and code null) for an input that
 * breaks its schema: an empty string, an empty array, an array holding an empty string, mixed types,
 * more than 2048 inputs. Observed: github.com/openai/openai-python/issues/576 (an empty string in a
 * list), github.com/embeddings-benchmark/mteb/issues/1200 (more than 2048 inputs),
 * github.com/aryn-ai/sycamore/pull/943 (an empty string).
 */
export const OPENAI_INVALID_INPUT_MESSAGE =
	"'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.";

/**
 * OpenAI's 400 for `dimensions` on text-embedding-ada-002 (observed in
 * github.com/SciPhi-AI/R2R/pull/768 and github.com/sbintuitions/JMTEB/pull/14).
 */
export const OPENAI_DIMENSIONS_UNSUPPORTED_MESSAGE = "This model does not support specifying dimensions.";

/** OpenAI's 404 (code model_not_found) for a model it does not have. */
export const openaiUnknownModelMessage = (model: string) =>
	`The model \`${model}\` does not exist or you do not have access to it.`;

/** `rate-limited` (both fakes): the retry-after of OpenAI's 429, and the RetryInfo delay of Gemini's. */
export const EMBEDDINGS_RETRY_AFTER_S = 7;

/**
 * Gemini's per-call limit of `batchEmbedContents` and its 400 (INVALID_ARGUMENT) beyond it. Observed:
 * github.com/langchain-ai/langchainjs/issues/4491 ("[400 Bad Request] * BatchEmbedContentsRequest.requests:
 * at most 100 requests can be in one batch"), github.com/weaviate/weaviate/pull/11277 (the same
 * message, "a hard limit of 100 embeddings per batch request"), github.com/vercel/ai/pull/16575
 * (@ai-sdk/google's maxEmbeddingsPerCall lowered from 2048 to 100 after 400s at 101 values).
 */
export const GEMINI_MAX_BATCH = 100;
export const GEMINI_TOO_MANY_MESSAGE =
	"* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch";

/** The Gemini models the fake embeds with (besides `embed-<token>`, which has its own counters). */
export const GEMINI_EMBEDDING_MODELS = ["gemini-embedding-001", "text-embedding-004"];

// ---------------------------------------------------------------------------------------------
// Deterministic vectors: derived from the content only, never from the position in the request,
// as a real model's are. So a test can predict input i's vector however a gateway split or
// reordered the batch, and distinct inputs prove the order kept.

/** FNV-1a (32 bits) over the UTF-16 code units of `text`. */
function fnv1a(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash;
}

/** mulberry32: a small seeded generator, one 32-bit integer per call. */
function generator(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return (t ^ (t >>> 14)) >>> 0;
	};
}

/**
 * The vector of one input: `dimensions` numbers in (-1, 1), each a multiple of 2^-16, so exactly
 * representable as float32. Hence the float answer and the base64 (float32) answer decode to the very
 * same numbers. Not normalised (real ones are; nothing in the gateway depends on it).
 */
export function fakeVector(content: string | readonly number[], dimensions = DEFAULT_EMBEDDING_DIMENSIONS) {
	const key = typeof content === "string" ? `text:${content}` : `tokens:${content.join(",")}`;
	const next = generator(fnv1a(key));
	return Array.from({ length: dimensions }, () => ((next() % 131_071) - 65_535) / 65_536);
}

/**
 * The fake's prompt tokens of one input: a token array counts its length, a string one token per 4
 * characters (code points), rounded up (OpenAI's rule of thumb; a real tokenizer differs).
 */
export function fakeTokenCount(content: string | readonly number[]): number {
	return typeof content === "string" ? Math.ceil([...content].length / 4) : content.length;
}

/** Little-endian float32 bytes in base64: OpenAI's `encoding_format: "base64"`. */
export function float32Base64(values: readonly number[]): string {
	const bytes = new Uint8Array(values.length * 4);
	const view = new DataView(bytes.buffer);
	for (const [i, value] of values.entries()) view.setFloat32(i * 4, value, true);
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary);
}
