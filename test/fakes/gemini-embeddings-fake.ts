import type { IncomingMessage, ServerResponse } from "node:http";
import { GoogleError, invalid, sendGoogleError, unknownField } from "./google-errors";
import { json } from "./http";
import {
	DEFAULT_EMBEDDING_DIMENSIONS,
	EMBEDDINGS_RETRY_AFTER_S,
	fakeVector,
	GEMINI_EMBEDDING_MODELS,
	GEMINI_MAX_BATCH,
	GEMINI_TOO_MANY_MESSAGE,
} from "./scenarios/embeddings";

/**
 * A fake of Gemini's embeddings methods (generativelanguage v1beta), reached through gemini-fake.ts
 * once it has checked the x-goog-api-key:
 *   POST /v1beta/models/{model}:batchEmbedContents  {requests:[EmbedContentRequest…]} → {embeddings:[{values}]}
 *   POST /v1beta/models/{model}:embedContent        EmbedContentRequest → {embedding:{values}}
 * An EmbedContentRequest is {model:"models/{model}", content:{parts:[{text}]}, taskType?, title?,
 * outputDimensionality?} (ai.google.dev/api/embeddings). Checked as the real API checks:
 *   - unknown fields: `Invalid JSON payload received. Unknown name "x" at '…': Cannot find field.`
 *   - at most 100 requests a call (GEMINI_TOO_MANY_MESSAGE, observed; sources in scenarios/embeddings.ts)
 *   - each request's `model` equal to the path's ("The model in each of these requests must match the
 *     model specified BatchEmbedContentsRequest.model", ai.google.dev/api/embeddings; the wording of
 *     the fake's 400 is its own)
 *   - text parts only, none empty (the real API: "EmbedContentRequest.content contains an empty Part.",
 *     observed in github.com/lingfengQAQ/webnovel-writer/pull/51)
 *   - taskType one of the TaskType enum; outputDimensionality a positive integer up to 3072
 * Answers in request order; each vector is fakeVector(the parts' text joined, outputDimensionality ??
 * DEFAULT_EMBEDDING_DIMENSIONS). Like the real batchEmbedContents, no usage comes back.
 *
 * Scenarios by the path's model: gemini-embedding-001 and text-embedding-004 (normal), embed-<token>
 * (normal, with counters of its own), rate-limited (429 RESOURCE_EXHAUSTED with a RetryInfo of
 * EMBEDDINGS_RETRY_AFTER_S), server-error (500 INTERNAL); any other model is a 404 NOT_FOUND.
 *
 * Counters, for gateway tests to see how a large batch was split: GET /__fake/embeddings-stats gives
 * {[model]: {calls, batchSizes, refused}} (batchSizes: the number of requests of each call answered
 * 200, in arrival order; `:embedContent` counts as 1; refused: calls answered with an error), and
 * GET /__fake/embeddings-stats/<model> that model's alone; DELETE /__fake/embeddings-stats/<model>
 * clears it.
 */

type Json = Record<string, unknown>;

export interface EmbeddingsStats {
	calls: number;
	batchSizes: number[];
	refused: number;
}

const stats = new Map<string, EmbeddingsStats>();

const REQUEST_FIELDS = ["model", "content", "taskType", "title", "outputDimensionality"];
const TASK_TYPES = [
	"TASK_TYPE_UNSPECIFIED",
	"RETRIEVAL_QUERY",
	"RETRIEVAL_DOCUMENT",
	"SEMANTIC_SIMILARITY",
	"CLASSIFICATION",
	"CLUSTERING",
	"QUESTION_ANSWERING",
	"FACT_VERIFICATION",
	"CODE_RETRIEVAL_QUERY",
];
const MAX_OUTPUT_DIMENSIONALITY = 3072;

const isObject = (value: unknown): value is Json =>
	value !== null && typeof value === "object" && !Array.isArray(value);

/** `/v1beta/models/{model}:batchEmbedContents` or `:embedContent`, else undefined. */
export function matchEmbeddingsRoute(
	pathname: string,
): { model: string; method: "batchEmbedContents" | "embedContent" } | undefined {
	const route = /^\/v1beta\/models\/([^/:]+):(batchEmbedContents|embedContent)$/.exec(pathname);
	if (!route) return undefined;
	return {
		model: decodeURIComponent(route[1] ?? ""),
		method: route[2] === "embedContent" ? "embedContent" : "batchEmbedContents",
	};
}

/** The text of one EmbedContentRequest, checked; `at` names it in messages (`requests[3]`). */
function readRequest(
	request: unknown,
	model: string,
	at: string,
	label: string,
): { text: string; dims: number } {
	if (!isObject(request)) throw invalid(`Invalid value at '${at}', expected an EmbedContentRequest object.`);
	for (const key of Object.keys(request))
		if (!REQUEST_FIELDS.includes(key)) throw unknownField(key, at || undefined);
	if (request.model !== `models/${model}`) {
		throw invalid(
			`* ${label}.model: the model of each request must be the one in the URL, models/${model}; got ${JSON.stringify(request.model ?? null)}`,
		);
	}
	const content = request.content;
	if (!isObject(content) || !Array.isArray(content.parts) || content.parts.length === 0) {
		throw invalid(`* ${label}.content: content is not specified`);
	}
	for (const key of Object.keys(content)) {
		if (key !== "parts" && key !== "role") throw unknownField(key, `${at ? `${at}.` : ""}content`);
	}
	const texts = content.parts.map((part, j) => {
		if (!isObject(part) || Object.keys(part).length !== 1 || typeof part.text !== "string") {
			throw invalid(`* ${label}.content.parts[${j}]: only text parts can be embedded`);
		}
		if (part.text === "") throw invalid("EmbedContentRequest.content contains an empty Part.");
		return part.text;
	});
	if (request.taskType !== undefined && !TASK_TYPES.includes(String(request.taskType))) {
		throw invalid(
			`Invalid value at '${at ? `${at}.` : ""}task_type' (type.googleapis.com/google.ai.generativelanguage.v1beta.TaskType), ${JSON.stringify(request.taskType)}`,
		);
	}
	let dims = DEFAULT_EMBEDDING_DIMENSIONS;
	if (request.outputDimensionality !== undefined) {
		const value = request.outputDimensionality;
		if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_OUTPUT_DIMENSIONALITY) {
			throw invalid(
				`* ${label}.output_dimensionality: must be an integer between 1 and ${MAX_OUTPUT_DIMENSIONALITY}, got ${JSON.stringify(value)}`,
			);
		}
		dims = value as number;
	}
	return { text: texts.join(""), dims };
}

function answer(
	body: Json,
	model: string,
	method: "batchEmbedContents" | "embedContent",
): { json: Json; size: number } {
	if (method === "embedContent") {
		const { text, dims } = readRequest(body, model, "", "EmbedContentRequest");
		return { json: { embedding: { values: fakeVector(text, dims) } }, size: 1 };
	}
	for (const key of Object.keys(body)) if (key !== "requests") throw unknownField(key);
	const requests = body.requests;
	if (!Array.isArray(requests) || requests.length === 0) {
		throw invalid("* BatchEmbedContentsRequest.requests: requests is not specified");
	}
	if (requests.length > GEMINI_MAX_BATCH) throw invalid(GEMINI_TOO_MANY_MESSAGE);
	const embeddings = requests.map((request, i) => {
		const { text, dims } = readRequest(
			request,
			model,
			`requests[${i}]`,
			`BatchEmbedContentsRequest.requests[${i}]`,
		);
		return { values: fakeVector(text, dims) };
	});
	return { json: { embeddings }, size: requests.length };
}

function failure(model: string, method: string): GoogleError | undefined {
	if (model === "rate-limited") {
		return new GoogleError(
			429,
			"You exceeded your current quota, please check your plan and billing details.",
			"RESOURCE_EXHAUSTED",
			[
				{
					"@type": "type.googleapis.com/google.rpc.QuotaFailure",
					violations: [{ quotaId: "EmbedContentRequestsPerMinutePerProjectPerModel-FreeTier" }],
				},
				{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${EMBEDDINGS_RETRY_AFTER_S}s` },
			],
		);
	}
	if (model === "server-error") return new GoogleError(500, "Internal error encountered.", "INTERNAL");
	if (!GEMINI_EMBEDDING_MODELS.includes(model) && !model.startsWith("embed-")) {
		return new GoogleError(
			404,
			`models/${model} is not found for API version v1beta, or is not supported for ${method}.`,
			"NOT_FOUND",
		);
	}
	return undefined;
}

/** GET /__fake/embeddings-stats[/<model>], DELETE /__fake/embeddings-stats/<model>; false for any other request. */
export function handleEmbeddingsStats(req: IncomingMessage, pathname: string, res: ServerResponse): boolean {
	const prefix = "/__fake/embeddings-stats";
	if (pathname !== prefix && !pathname.startsWith(`${prefix}/`)) return false;
	const model = pathname === prefix ? undefined : decodeURIComponent(pathname.slice(prefix.length + 1));
	if (req.method === "DELETE" && model !== undefined) {
		stats.delete(model);
		json(res, 200, { cleared: model });
	} else if (req.method === "GET") {
		json(
			res,
			200,
			model === undefined
				? Object.fromEntries(stats)
				: (stats.get(model) ?? { calls: 0, batchSizes: [], refused: 0 }),
		);
	} else return false;
	return true;
}

/** Answers an embeddings call once gemini-fake.ts has matched the route and checked the key. */
export function handleGeminiEmbeddings(
	req: IncomingMessage,
	rawBody: string,
	res: ServerResponse,
	route: { model: string; method: "batchEmbedContents" | "embedContent" },
) {
	const { model, method } = route;
	const counters = stats.get(model) ?? { calls: 0, batchSizes: [], refused: 0 };
	stats.set(model, counters);
	counters.calls += 1;
	const refuse = (error: GoogleError) => {
		counters.refused += 1;
		sendGoogleError(res, error);
	};
	if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) {
		return refuse(invalid("Content-Type must be application/json"));
	}
	let body: Json;
	try {
		const parsed: unknown = JSON.parse(rawBody);
		if (!isObject(parsed)) throw new Error("not an object");
		body = parsed;
	} catch (error) {
		return refuse(invalid(`Invalid JSON payload received. ${String(error)}`));
	}
	const failed = failure(model, method);
	if (failed) return refuse(failed);
	try {
		const { json: payload, size } = answer(body, model, method);
		counters.batchSizes.push(size);
		json(res, 200, payload, { "content-type": "application/json; charset=UTF-8" });
	} catch (error) {
		if (error instanceof GoogleError) return refuse(error);
		throw error;
	}
}
