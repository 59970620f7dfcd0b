import type { IncomingMessage, ServerResponse } from "node:http";
import { json } from "./http";
import {
	DEFAULT_EMBEDDING_DIMENSIONS,
	EMBEDDINGS_RETRY_AFTER_S,
	fakeTokenCount,
	fakeVector,
	float32Base64,
	OPENAI_DIMENSIONS_UNSUPPORTED_MESSAGE,
	OPENAI_EMBEDDING_MODELS,
	OPENAI_INVALID_INPUT_MESSAGE,
	OPENAI_MAX_INPUT_TOKENS,
	OPENAI_MAX_INPUTS,
	openaiUnknownModelMessage,
} from "./scenarios/embeddings";
import { ERROR_MESSAGES, UPSTREAM_REQUEST_ID } from "./scenarios/openai";

/**
 * A fake of OpenAI's `POST {base}/embeddings` (reached through openai-fake.ts, under /v1 and
 * /groq/v1, with the same Bearer keys), as strict as the real API where a gateway can go wrong:
 *   body     {input, model, encoding_format?, dimensions?, user?}; any other field is refused
 *            ("Unrecognized request argument supplied: …", OpenAI's message for unknown fields)
 *   input    a string, an array of strings, an array of token ids (integers) or an array of token-id
 *            arrays (node_modules/openai/resources/embeddings.d.ts, EmbeddingCreateParams.input);
 *            an empty string, an empty array, an empty member, mixed types or more than 2048 inputs are
 *            a 400 with OpenAI's `'$.input' is invalid…` (see OPENAI_INVALID_INPUT_MESSAGE); an input
 *            over 8192 (estimated) tokens is a 400 with OpenAI's context-length message
 *   dimensions  a positive integer at most the model's native size, text-embedding-3 only
 *   encoding_format  "float" or "base64": base64 of the little-endian float32 bytes, which is what
 *            the openai package decodes (node_modules/openai/internal/utils/base64.js toFloat32Array:
 *            `new Float32Array(Buffer.from(s, "base64").buffer…)`, i.e. platform order, little-endian on
 *            every platform Node runs on). Note that the package asks for base64 itself when the caller
 *            names no encoding_format (resources/embeddings.js, openai-node PR #1312).
 * Answers {object:"list", data:[{object:"embedding", index, embedding}], model, usage} with the vectors
 * and token counts of scenarios/embeddings.ts (fakeVector, fakeTokenCount; DEFAULT_EMBEDDING_DIMENSIONS
 * long unless `dimensions` says otherwise).
 *
 * Scenarios by `model`:
 *   text-embedding-3-small, text-embedding-3-large   normal
 *   text-embedding-ada-002   normal, refuses `dimensions` (400)
 *   echo-request, echo-request-<token>   normal vectors, plus a top-level `echo: {body, headers}` (the
 *            JSON body received and its authorization and content-type headers); every request to these
 *            (and to every model) is also kept: GET /__fake/embeddings-received/<model> lists them
 *   rate-limited   429 with retry-after: 7 (EMBEDDINGS_RETRY_AFTER_S)
 *   server-error   500
 *   flaky-<n>-<token>   500 for the first n requests, then normal
 *   anything else   404 model_not_found
 */

type Json = Record<string, unknown>;
type Input = string | number[];

const ALLOWED_FIELDS = ["input", "model", "encoding_format", "dimensions", "user"];
const MAX_KEPT = 50;

/** Every request received, by model (its last MAX_KEPT), for GET /__fake/embeddings-received/<model>. */
const received = new Map<string, Array<{ body: unknown; headers: Json }>>();
const failuresSoFar = new Map<string, number>();

class OpenAIError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly type = "invalid_request_error",
		readonly param: string | null = null,
		readonly code: string | null = null,
	) {
		super(message);
	}
}

const invalidInput = () => new OpenAIError(400, OPENAI_INVALID_INPUT_MESSAGE);

const isTokenId = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/** The inputs of a valid `input`, or the 400 OpenAI answers. */
function readInputs(input: unknown): Input[] {
	if (input === undefined) throw new OpenAIError(400, "'input' is a required property", undefined, "input");
	if (typeof input === "string") {
		if (input === "") throw invalidInput();
		return [input];
	}
	if (!Array.isArray(input) || input.length === 0 || input.length > OPENAI_MAX_INPUTS) throw invalidInput();
	if (input.every((item) => typeof item === "string")) {
		if (input.some((item) => item === "")) throw invalidInput();
		return input as string[];
	}
	if (input.every(isTokenId)) return [input as number[]];
	if (input.every((item) => Array.isArray(item) && item.length > 0 && item.every(isTokenId))) {
		return input as number[][];
	}
	throw invalidInput();
}

function readDimensions(model: string, dimensions: unknown): number {
	if (dimensions === undefined || dimensions === null) return DEFAULT_EMBEDDING_DIMENSIONS;
	const spec = OPENAI_EMBEDDING_MODELS[model];
	if (spec && !spec.dimensions) throw new OpenAIError(400, OPENAI_DIMENSIONS_UNSUPPORTED_MESSAGE);
	if (!Number.isInteger(dimensions)) {
		throw new OpenAIError(
			400,
			`Invalid type for 'dimensions': expected an integer, but got ${typeof dimensions} instead.`,
			undefined,
			"dimensions",
			"invalid_type",
		);
	}
	const value = dimensions as number;
	const max = spec?.native ?? 3072;
	// OpenAI's wording for numeric bounds, as in its chat API's max_tokens errors.
	if (value < 1) {
		throw new OpenAIError(
			400,
			`Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got ${value} instead.`,
			undefined,
			"dimensions",
			"integer_below_min_value",
		);
	}
	if (value > max) {
		throw new OpenAIError(
			400,
			`Invalid 'dimensions': integer above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
			undefined,
			"dimensions",
			"integer_above_max_value",
		);
	}
	return value;
}

/** True while the scenario keyed by `key` still has failures left to give. */
function failNow(key: string, times: number): boolean {
	const done = failuresSoFar.get(key) ?? 0;
	if (done >= times) return false;
	failuresSoFar.set(key, done + 1);
	return true;
}

function answer(req: IncomingMessage, body: Json, model: string): Json {
	const inputs = readInputs(body.input);
	const dimensions = readDimensions(model, body.dimensions);
	const format = body.encoding_format ?? "float";
	if (format !== "float" && format !== "base64") {
		throw new OpenAIError(
			400,
			`Invalid value for 'encoding_format': '${String(format)}'. Supported values are: 'float' and 'base64'.`,
			undefined,
			"encoding_format",
		);
	}
	if (body.user !== undefined && typeof body.user !== "string") {
		throw new OpenAIError(
			400,
			"'$.user' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
		);
	}
	let promptTokens = 0;
	const data = inputs.map((input, index) => {
		const tokens = fakeTokenCount(input);
		if (tokens > OPENAI_MAX_INPUT_TOKENS) {
			throw new OpenAIError(
				400,
				`This model's maximum context length is ${OPENAI_MAX_INPUT_TOKENS} tokens, however you requested ${tokens} tokens (${tokens} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
			);
		}
		promptTokens += tokens;
		const vector = fakeVector(input, dimensions);
		return { object: "embedding", index, embedding: format === "base64" ? float32Base64(vector) : vector };
	});
	const result: Json = {
		object: "list",
		data,
		model,
		usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
	};
	if (model.startsWith("echo-request")) {
		result.echo = {
			body,
			headers: { authorization: req.headers.authorization, "content-type": req.headers["content-type"] },
		};
	}
	return result;
}

function sendError(res: ServerResponse, error: OpenAIError, headers: Record<string, string> = {}): void {
	json(
		res,
		error.status,
		{ error: { message: error.message, type: error.type, param: error.param, code: error.code } },
		headers,
	);
}

/** GET /__fake/embeddings-received/<model>: the requests received for that model, oldest first. */
export function receivedEmbeddings(model: string) {
	return received.get(model) ?? [];
}

/** Answers `POST {base}/embeddings` once openai-fake.ts has matched the base; `key` is its Bearer key. */
export function handleEmbeddings(req: IncomingMessage, rawBody: string, res: ServerResponse, key: string) {
	if (req.method !== "POST") {
		return sendError(res, new OpenAIError(404, "Unknown request URL", undefined, null, "unknown_url"));
	}
	if (req.headers.authorization !== `Bearer ${key}`) {
		const given = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
		return sendError(
			res,
			new OpenAIError(
				401,
				`Incorrect API key provided: ${given.slice(0, 8)}***${given.slice(-4)}.`,
				undefined,
				null,
				"invalid_api_key",
			),
		);
	}
	let body: Json;
	try {
		const parsed: unknown = JSON.parse(rawBody);
		if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
			throw new Error("not an object");
		body = parsed as Json;
	} catch {
		return sendError(res, new OpenAIError(400, "We could not parse the JSON body of your request."));
	}
	const model = typeof body.model === "string" ? body.model : "";
	const kept = received.get(model) ?? [];
	kept.push({
		body,
		headers: { authorization: req.headers.authorization, "content-type": req.headers["content-type"] },
	});
	received.set(model, kept.slice(-MAX_KEPT));

	const unknownField = Object.keys(body).find((field) => !ALLOWED_FIELDS.includes(field));
	if (unknownField) {
		return sendError(res, new OpenAIError(400, `Unrecognized request argument supplied: ${unknownField}`));
	}
	if (model === "") return sendError(res, new OpenAIError(400, "you must provide a model parameter"));
	if (model === "rate-limited") {
		return sendError(
			res,
			new OpenAIError(429, ERROR_MESSAGES.rateLimited, "requests", null, "rate_limit_exceeded"),
			{ "retry-after": String(EMBEDDINGS_RETRY_AFTER_S) },
		);
	}
	const flaky = /^flaky-(\d+)-/.exec(model);
	if (model === "server-error" || (flaky && failNow(model, Number(flaky[1])))) {
		return sendError(res, new OpenAIError(500, ERROR_MESSAGES.serverError, "server_error"));
	}
	if (!OPENAI_EMBEDDING_MODELS[model] && !model.startsWith("echo-request") && !flaky) {
		return sendError(
			res,
			new OpenAIError(404, openaiUnknownModelMessage(model), undefined, null, "model_not_found"),
		);
	}
	try {
		return json(res, 200, answer(req, body, model), { "x-request-id": UPSTREAM_REQUEST_ID });
	} catch (error) {
		if (error instanceof OpenAIError) return sendError(res, error);
		throw error;
	}
}
