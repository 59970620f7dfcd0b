import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import type { NativeRequest, UpstreamTarget } from "../../../../src/protocols/adapter";
import { GEMINI_BATCH_LIMIT, geminiEmbeddings } from "../../../../src/protocols/gemini/embeddings";

/**
 * OpenAI's embeddings request → Gemini's batchEmbedContents calls, and their answers → OpenAI's
 * list, without an upstream: what each call carries, where a batch is split, and how the answers
 * come back together (the gateway tests drive the same code against the fake).
 */

const TARGET: UpstreamTarget = {
	baseUrl: "https://generativelanguage.test/",
	apiKey: "AIza-test-key",
	upstreamModel: "gemini-embedding-001",
	defaultMaxTokens: 2048,
	capabilities: { vision: false, tools: false, json: false, image_output: false },
};
const IDS = { id: "gate-xyz", model: "google/gemini-embedding-001" };
const URL_ = "https://generativelanguage.test/v1beta/models/gemini-embedding-001:batchEmbedContents";

const native = (body: Record<string, unknown>): NativeRequest => ({
	api: "embeddings",
	body: { model: "google/gemini-embedding-001", ...body },
	headers: {},
});
const texts = (n: number) => Array.from({ length: n }, (_, i) => `text ${i}`);
const requestsOf = (body: string) =>
	(JSON.parse(body) as { requests: Array<Record<string, unknown>> }).requests;

/** The 400 or 502 a call throws, for its fields to be compared. */
function thrown(run: () => unknown): GatewayError {
	try {
		run();
	} catch (error) {
		if (error instanceof GatewayError) return error;
		throw error;
	}
	throw new Error("expected a GatewayError");
}

describe("geminiEmbeddings.buildRequest", () => {
	it("sends one string as one batchEmbedContents call, keyed by x-goog-api-key", () => {
		const calls = geminiEmbeddings.buildRequest(native({ input: "Hello" }), TARGET);
		expect(calls).toHaveLength(1);
		const [call] = calls;
		expect(call?.url).toBe(URL_);
		expect(call?.headers).toEqual({ "content-type": "application/json", "x-goog-api-key": "AIza-test-key" });
		expect(JSON.parse(call?.body ?? "")).toEqual({
			requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "Hello" }] } }],
		});
	});

	it("takes an upstream model with or without its models/ prefix, and escapes it in the path", () => {
		const prefixed = geminiEmbeddings.buildRequest(native({ input: "a" }), {
			...TARGET,
			baseUrl: "https://generativelanguage.test",
			upstreamModel: "models/gemini-embedding-001",
		});
		expect(prefixed[0]?.url).toBe(URL_);
		expect(requestsOf(prefixed[0]?.body ?? "")[0]?.model).toBe("models/gemini-embedding-001");
		const odd = geminiEmbeddings.buildRequest(native({ input: "a" }), { ...TARGET, upstreamModel: "a b" });
		expect(odd[0]?.url).toBe("https://generativelanguage.test/v1beta/models/a%20b:batchEmbedContents");
	});

	it("maps dimensions to every request's outputDimensionality, and drops user", () => {
		const [call] = geminiEmbeddings.buildRequest(
			native({ input: ["a", "b"], dimensions: 256, user: "end-user", encoding_format: "base64" }),
			TARGET,
		);
		expect(JSON.parse(call?.body ?? "")).toEqual({
			requests: ["a", "b"].map((text) => ({
				model: "models/gemini-embedding-001",
				content: { parts: [{ text }] },
				outputDimensionality: 256,
			})),
		});
	});

	it.each([
		[1, [1]],
		[100, [100]],
		[101, [100, 1]],
		[200, [100, 100]],
		[201, [100, 100, 1]],
		[2048, [...Array.from({ length: 20 }, () => 100), 48]],
	])("splits %i inputs into calls of %j, in input order", (count, sizes) => {
		const input = texts(count);
		const calls = geminiEmbeddings.buildRequest(native({ input }), TARGET);
		expect(GEMINI_BATCH_LIMIT).toBe(100);
		expect(calls.map((call) => requestsOf(call.body).length)).toEqual(sizes);
		for (const call of calls) {
			expect(call.url).toBe(URL_);
			expect(call.headers["x-goog-api-key"]).toBe("AIza-test-key");
		}
		const sent = calls.flatMap((call) =>
			requestsOf(call.body).map(
				(request) => (request.content as { parts: Array<{ text: string }> }).parts[0]?.text,
			),
		);
		expect(sent).toEqual(input);
	});

	it("refuses token ids and token arrays: Gemini embeds text only", () => {
		for (const input of [
			[1, 2, 3],
			[[1, 2], [3]],
		]) {
			const error = thrown(() => geminiEmbeddings.buildRequest(native({ input }), TARGET));
			expect(error.toBody()).toEqual({
				error: {
					message:
						"Gemini embeddings models take text only: send `input` as a string or an array of strings, not token ids.",
					type: "invalid_request_error",
					param: "input",
					code: "unsupported_input",
				},
			});
			expect(error.status).toBe(400);
		}
	});

	it("refuses a field Gemini has no place for, naming it", () => {
		const error = thrown(() =>
			geminiEmbeddings.buildRequest(native({ input: "a", task_type: "CLUSTERING" }), TARGET),
		);
		expect(error.status).toBe(400);
		expect(error.toBody().error).toEqual({
			message: "The field 'task_type' is not supported by Gemini embeddings models.",
			type: "invalid_request_error",
			param: "task_type",
			code: "unsupported_parameter",
		});
	});
});

describe("geminiEmbeddings.parseResponse", () => {
	const answer = (...vectors: number[][]) => ({ embeddings: vectors.map((values) => ({ values })) });

	it("answers OpenAI's list, with the catalog id and the estimated usage", () => {
		const request = native({ input: ["abcd", "abcde", "ü"] });
		const parsed = geminiEmbeddings.parseResponse([answer([0.5, -0.25], [1, 0], [0, 1])], IDS, request);
		expect(parsed).toEqual({
			body: {
				object: "list",
				data: [
					{ object: "embedding", index: 0, embedding: [0.5, -0.25] },
					{ object: "embedding", index: 1, embedding: [1, 0] },
					{ object: "embedding", index: 2, embedding: [0, 1] },
				],
				model: "google/gemini-embedding-001",
				// ceil(4/4) + ceil(5/4) + max(1, ceil(1/4))
				usage: { prompt_tokens: 4, total_tokens: 4 },
			},
			usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 },
			estimated: true,
		});
	});

	it("puts the calls' answers together in input order", () => {
		const input = texts(150);
		const vectors = (from: number, n: number) => Array.from({ length: n }, (_, i) => [from + i]);
		const parsed = geminiEmbeddings.parseResponse(
			[answer(...vectors(0, 100)), answer(...vectors(100, 50))],
			IDS,
			native({ input }),
		);
		expect(
			(parsed.body.data as Array<{ index: number; embedding: number[] }>).map((d) => [
				d.index,
				d.embedding[0],
			]),
		).toEqual(input.map((_, i) => [i, i]));
	});

	it("uses Vertex-style usageMetadata when every call sent one, and estimates otherwise", () => {
		const request = native({ input: ["abcd", "abcde", "ü"] });
		const counted = (values: number[][], promptTokenCount?: number) => ({
			...answer(...values),
			usageMetadata: promptTokenCount === undefined ? {} : { promptTokenCount },
		});
		const reported = geminiEmbeddings.parseResponse([counted([[1], [2], [3]], 9)], IDS, request);
		expect(reported.usage).toEqual({ prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 });
		expect(reported.body.usage).toEqual({ prompt_tokens: 9, total_tokens: 9 });
		expect(reported.estimated).toBe(false);
		// 101 one-character inputs: two calls, counted by both or estimated (a token each).
		const many = native({ input: Array.from({ length: 101 }, () => "x") });
		const hundred = Array.from({ length: 100 }, () => [1]);
		const both = geminiEmbeddings.parseResponse([counted(hundred, 100), counted([[2]], 3)], IDS, many);
		expect([both.usage?.prompt_tokens, both.estimated]).toEqual([103, false]);
		for (const partly of [
			[counted(hundred, 100), answer([2])],
			[counted(hundred, 100), counted([[2]])],
		]) {
			const parsed = geminiEmbeddings.parseResponse(partly, IDS, many);
			expect(parsed.usage?.prompt_tokens).toBe(101);
			expect(parsed.estimated).toBe(true);
		}
	});

	it("takes a single body as one call's answer", () => {
		const parsed = geminiEmbeddings.parseResponse(answer([0.5]), IDS, native({ input: "hi" }));
		expect(parsed.body.data).toEqual([{ object: "embedding", index: 0, embedding: [0.5] }]);
	});

	it("answers 502 upstream_bad_response for a count of embeddings other than the inputs', or a body of another shape", () => {
		const request = native({ input: ["a", "b", "c"] });
		for (const bodies of [
			[answer([1], [2])],
			[answer([1], [2]), answer([3], [4])],
			[answer([1], [2]), { embeddings: [{ value: [3] }] }],
			[answer([1], [2]), { error: { code: 500 } }],
			[answer([1], [2], [3]), null],
		]) {
			const error = thrown(() => geminiEmbeddings.parseResponse(bodies, IDS, request));
			expect(error.status, JSON.stringify(bodies)).toBe(502);
			expect(error.code).toBe("upstream_bad_response");
		}
		expect(thrown(() => geminiEmbeddings.parseResponse([answer([1])], IDS, request)).message).toBe(
			"The upstream provider sent 1 embeddings for 3 inputs.",
		);
		// The right total from calls of the wrong sizes would pair vectors with the wrong inputs.
		const vectors = (n: number) => Array.from({ length: n }, (_, i) => [i]);
		const shifted = [answer(...vectors(99)), answer(...vectors(51))];
		expect(
			thrown(() => geminiEmbeddings.parseResponse(shifted, IDS, native({ input: texts(150) }))).message,
		).toBe("The upstream provider sent 99 embeddings for 100 inputs.");
	});

	it("encodes base64 as little-endian float32 that decodes to the float32 of each value", () => {
		const values = [0.1, -0.25, 1 / 3, 0, -1, 1e-8, 123.456];
		const parsed = geminiEmbeddings.parseResponse(
			[answer(values, [0.5])],
			IDS,
			native({ input: ["a", "b"], encoding_format: "base64" }),
		);
		const data = parsed.body.data as Array<{ embedding: unknown }>;
		const decode = (base64: unknown) => {
			const binary = atob(String(base64));
			const view = new DataView(new ArrayBuffer(binary.length));
			for (let i = 0; i < binary.length; i++) view.setUint8(i, binary.charCodeAt(i));
			return Array.from({ length: binary.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
		};
		expect(decode(data[0]?.embedding)).toEqual(values.map((value) => Math.fround(value)));
		expect(decode(data[1]?.embedding)).toEqual([0.5]);
		// 0.5 as float32 is 0x3F000000: little-endian bytes 00 00 00 3F.
		expect(data[1]?.embedding).toBe(btoa("\u0000\u0000\u0000\u003f"));
	});

	it("scales vectors to unit length when dimensions shortened them, and leaves full-size ones alone", () => {
		const shortened = geminiEmbeddings.parseResponse(
			[answer([3, 4], [0, 0])],
			IDS,
			native({ input: ["a", "b"], dimensions: 2 }),
		);
		expect((shortened.body.data as Array<{ embedding: unknown }>).map((d) => d.embedding)).toEqual([
			[0.6, 0.8],
			[0, 0],
		]);
		const full = geminiEmbeddings.parseResponse([answer([3, 4])], IDS, native({ input: "a" }));
		expect((full.body.data as Array<{ embedding: unknown }>)[0]?.embedding).toEqual([3, 4]);
	});

	it("estimates what the answered calls of a failed request cost, and nothing when none was answered", () => {
		const request = native({ input: [...Array.from({ length: 100 }, () => "abcde"), "abc"] });
		// Call 0 (100 texts of 5 characters: 2 tokens each) answered, call 1 not.
		expect(geminiEmbeddings.partialUsage([answer([1]), undefined], request)).toEqual({
			prompt_tokens: 200,
			completion_tokens: 0,
			total_tokens: 200,
		});
		expect(geminiEmbeddings.partialUsage([undefined, answer([1])], request)).toEqual({
			prompt_tokens: 1,
			completion_tokens: 0,
			total_tokens: 1,
		});
		expect(geminiEmbeddings.partialUsage([undefined, undefined], request)).toBeNull();
	});
});
