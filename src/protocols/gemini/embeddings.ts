import * as z from "zod/mini";
import { GatewayError, invalidRequest } from "../../errors";
import type { Usage } from "../../schemas/chat-response";
import { embeddingsRequest } from "../../schemas/embeddings-request";
import type {
	JsonObject,
	NativeRequest,
	PassThroughAdapter,
	UpstreamRequest,
	UpstreamTarget,
} from "../adapter";
import { encodeBody } from "../encode-body";
import { upstreamGarbage } from "../upstream-errors";
import { bytesToBase64 } from "./base64";

/**
 * OpenAI's POST /v1/embeddings served by Gemini's batchEmbedContents
 * (ai.google.dev/api/embeddings#method:-models.batchembedcontents): each input becomes one
 * EmbedContentRequest `{model:"models/<m>", content:{parts:[{text}]}, outputDimensionality?}`, sent
 * in calls of at most GEMINI_BATCH_LIMIT requests (the API refuses more: "at most 100 requests can
 * be in one batch"), whose `embeddings[i].values` come back in request order. Gemini takes text only,
 * so token-id input is refused; it reports no token counts, so usage is estimated (4 characters a token).
 */
export const GEMINI_BATCH_LIMIT = 100;

/** Characters per token for the estimate: the usual figure for English with these tokenizers. */
const CHARS_PER_TOKEN = 4;

/** Fields of OpenAI's request Gemini has a place for; `user` is accepted and dropped (Gemini has no end-user id). */
const KNOWN_FIELDS = new Set(["model", "input", "encoding_format", "dimensions", "user"]);

/**
 * BatchEmbedContentsResponse (ai.google.dev/api/embeddings): `embeddings` in request order. The
 * Gemini API documents no usage for it; Vertex AI's answers carry `usageMetadata.promptTokenCount`,
 * so a count is used where every call sent one.
 */
const batchAnswer = z.object({
	embeddings: z.array(z.object({ values: z.array(z.number()) })),
	usageMetadata: z.optional(z.object({ promptTokenCount: z.optional(z.number()) })),
});

export const geminiEmbeddings = {
	buildRequest(request, target) {
		const { texts, dimensions } = readRequest(request);
		const name = target.upstreamModel.replace(/^models\//, "");
		const model = `models/${name}`;
		const url = `${target.baseUrl.replace(/\/+$/, "")}/v1beta/models/${encodeURIComponent(name)}:batchEmbedContents`;
		const calls: UpstreamRequest[] = [];
		for (let start = 0; start < texts.length; start += GEMINI_BATCH_LIMIT) {
			const requests = texts.slice(start, start + GEMINI_BATCH_LIMIT).map((text) => ({
				model,
				content: { parts: [{ text }] },
				...(dimensions !== undefined ? { outputDimensionality: dimensions } : {}),
			}));
			calls.push(batchCall(url, target, requests));
		}
		return calls;
	},
	parseResponse(bodies, ids, request) {
		const { texts, dimensions, base64 } = readRequest(request);
		const answers = Array.isArray(bodies) ? bodies : [bodies];
		const vectors: number[][] = [];
		let counted: number | null = 0;
		for (const [call, body] of answers.entries()) {
			const parsed = batchAnswer.safeParse(body);
			if (!parsed.success) throw upstreamGarbage("an embeddings answer");
			// Each call checked on its own: a short one beside a long one would shift every later vector.
			const sent = Math.max(0, Math.min(GEMINI_BATCH_LIMIT, texts.length - call * GEMINI_BATCH_LIMIT));
			if (parsed.data.embeddings.length !== sent) {
				throw new GatewayError(
					502,
					`The upstream provider sent ${parsed.data.embeddings.length} embeddings for ${sent} inputs.`,
					{ code: "upstream_bad_response" },
				);
			}
			for (const embedding of parsed.data.embeddings) vectors.push(embedding.values);
			const count = parsed.data.usageMetadata?.promptTokenCount;
			counted = counted !== null && count !== undefined ? counted + count : null;
		}
		if (vectors.length !== texts.length) {
			throw new GatewayError(
				502,
				`The upstream provider sent ${vectors.length} embeddings for ${texts.length} inputs.`,
				{ code: "upstream_bad_response" },
			);
		}
		// Gemini normalizes only its full-size vectors (ai.google.dev/gemini-api/docs/embeddings,
		// "Ensuring quality for smaller dimensions"); OpenAI's are always unit length, and clients
		// compare them by dot product.
		const shortened = dimensions !== undefined;
		const tokens = counted ?? estimatedTokens(texts);
		const usage: Usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
		return {
			body: {
				object: "list",
				data: vectors.map((values, index) => {
					const vector = shortened ? unitLength(values) : values;
					return { object: "embedding", index, embedding: base64 ? float32Base64(vector) : vector };
				}),
				model: ids.model,
				usage: { prompt_tokens: tokens, total_tokens: tokens },
			},
			usage,
			estimated: counted === null,
		};
	},
	partialUsage(bodies, request) {
		const { texts } = readRequest(request);
		const answered = texts.filter((_, i) => bodies[Math.floor(i / GEMINI_BATCH_LIMIT)] !== undefined);
		if (answered.length === 0) return null;
		const tokens = estimatedTokens(answered);
		return { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
	},
	createStreamStage() {
		// The embeddings ingress never streams; a stage is part of the contract only.
		throw new GatewayError(500, "Embeddings are not streamed.");
	},
} satisfies PassThroughAdapter;

/**
 * What the request asks of Gemini: the inputs as texts, the vectors' size and encoding; or the 400 a
 * client gets for token ids (Gemini embeds text only) or fields Gemini cannot honour.
 */
function readRequest(request: NativeRequest): { texts: string[]; dimensions?: number; base64: boolean } {
	for (const field of Object.keys(request.body)) {
		if (!KNOWN_FIELDS.has(field)) {
			throw invalidRequest(
				`The field '${field}' is not supported by Gemini embeddings models.`,
				field,
				"unsupported_parameter",
			);
		}
	}
	const { input, dimensions, encoding_format } = embeddingsRequest.parse(request.body);
	const base64 = encoding_format === "base64";
	if (typeof input === "string") return { texts: [input], dimensions, base64 };
	if (input.every((item): item is string => typeof item === "string"))
		return { texts: input, dimensions, base64 };
	throw invalidRequest(
		"Gemini embeddings models take text only: send `input` as a string or an array of strings, not token ids.",
		"input",
		"unsupported_input",
	);
}

function batchCall(url: string, target: UpstreamTarget, requests: JsonObject[]): UpstreamRequest {
	return {
		url,
		headers: { "content-type": "application/json", "x-goog-api-key": target.apiKey },
		body: encodeBody({ requests }),
	};
}

/** Four characters a token, at least one a text. */
const estimatedTokens = (texts: string[]) =>
	texts.reduce((sum, text) => sum + Math.max(1, Math.ceil(text.length / CHARS_PER_TOKEN)), 0);

/** The vector scaled to length 1 (a zero vector stays as it is). */
function unitLength(values: number[]): number[] {
	let squares = 0;
	for (const value of values) squares += value * value;
	const norm = Math.sqrt(squares);
	return norm > 0 ? values.map((value) => value / norm) : values;
}

/** OpenAI's base64 encoding: the vector as little-endian float32 bytes, which the openai SDK decodes. */
function float32Base64(values: number[]): string {
	const bytes = new Uint8Array(values.length * 4);
	const view = new DataView(bytes.buffer);
	for (const [i, value] of values.entries()) view.setFloat32(i * 4, value, true);
	return bytesToBase64(bytes);
}
