import OpenAI from "openai";
import { describe, expect, inject, it } from "vitest";
import {
	DEFAULT_EMBEDDING_DIMENSIONS,
	EMBEDDINGS_RETRY_AFTER_S,
	fakeTokenCount,
	fakeVector,
	GEMINI_MAX_BATCH,
	GEMINI_TOO_MANY_MESSAGE,
	OPENAI_DIMENSIONS_UNSUPPORTED_MESSAGE,
	OPENAI_INVALID_INPUT_MESSAGE,
	OPENAI_MAX_INPUTS,
	openaiUnknownModelMessage,
} from "../fakes/scenarios/embeddings";
import { GEMINI_KEY } from "../fakes/scenarios/gemini";
import { GROQ_KEY, OPENAI_KEY } from "../fakes/scenarios/openai";

/**
 * The fakes of the embeddings upstreams (test/fakes/openai-embeddings-fake.ts,
 * test/fakes/gemini-embeddings-fake.ts) driven directly: OpenAI's by the official `openai` package
 * (whose `embeddings.create` asks for base64 and decodes it itself when the caller names no
 * encoding_format), Gemini's by raw fetch. If they accept and refuse what the real APIs do, the
 * gateway's embeddings tests meet realistic upstreams.
 */

describe("the fake OpenAI embeddings endpoint, through the openai package", () => {
	const fakeUrl = inject("openaiUrl");
	const client = new OpenAI({ apiKey: OPENAI_KEY, baseURL: `${fakeUrl}/v1`, maxRetries: 0 });

	it("embeds one string as floats, with the default size and the usage", async () => {
		const answer = await client.embeddings.create({
			model: "text-embedding-3-small",
			input: "Hello, world",
			encoding_format: "float",
		});
		expect(answer).toEqual({
			object: "list",
			data: [{ object: "embedding", index: 0, embedding: fakeVector("Hello, world") }],
			model: "text-embedding-3-small",
			usage: { prompt_tokens: 3, total_tokens: 3 },
		});
		expect(answer.data[0]?.embedding).toHaveLength(DEFAULT_EMBEDDING_DIMENSIONS);
	});

	it("answers base64 that the package decodes to exactly the float vectors, as float32", async () => {
		const input = ["first", "second, with ünïcödé 🌍", "third"];
		const floats = await client.embeddings.create({
			model: "text-embedding-3-large",
			input,
			dimensions: 5,
			encoding_format: "float",
		});
		// No encoding_format: the package sends base64 and decodes it (resources/embeddings.js).
		const decoded = await client.embeddings.create({ model: "text-embedding-3-large", input, dimensions: 5 });
		const raw = await client.embeddings.create({
			model: "text-embedding-3-large",
			input,
			dimensions: 5,
			encoding_format: "base64",
		});
		expect(decoded.data.map((d) => d.embedding)).toEqual(floats.data.map((d) => d.embedding));
		for (const [i, item] of floats.data.entries()) {
			expect(item.embedding).toEqual(Array.from(Float32Array.from(item.embedding)));
			expect(item.embedding).toEqual(fakeVector(input[i] ?? "", 5));
			const bytes = Buffer.from(String(raw.data[i]?.embedding), "base64");
			expect(bytes.length).toBe(5 * 4);
			expect(Array.from({ length: 5 }, (_, j) => bytes.readFloatLE(j * 4))).toEqual(item.embedding);
		}
		expect(decoded.usage).toEqual(floats.usage);
	});

	it("keeps the order of a batch of strings, one vector per content", async () => {
		const input = Array.from({ length: 50 }, (_, i) => `document number ${i}`);
		const answer = await client.embeddings.create({ model: "text-embedding-3-small", input });
		expect(answer.data.map((d) => d.index)).toEqual(input.map((_, i) => i));
		expect(answer.data.map((d) => d.embedding)).toEqual(input.map((text) => fakeVector(text)));
		const tokens = input.reduce((sum, text) => sum + fakeTokenCount(text), 0);
		expect(answer.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
		expect(new Set(answer.data.map((d) => JSON.stringify(d.embedding))).size).toBe(50);
	});

	it("embeds token ids and arrays of token ids, counting their tokens", async () => {
		const one = await client.embeddings.create({
			model: "text-embedding-3-small",
			input: [9906, 11, 1917],
			encoding_format: "float",
		});
		expect(one.data).toEqual([{ object: "embedding", index: 0, embedding: fakeVector([9906, 11, 1917]) }]);
		expect(one.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
		const many = await client.embeddings.create({
			model: "text-embedding-3-small",
			input: [[1, 2], [3], [4, 5, 6]],
		});
		expect(many.data.map((d) => d.embedding)).toEqual([
			fakeVector([1, 2]),
			fakeVector([3]),
			fakeVector([4, 5, 6]),
		]);
		expect(many.usage.prompt_tokens).toBe(6);
		// The same text and the same ids are different inputs, as for the real model.
		expect(fakeVector("1,2")).not.toEqual(fakeVector([1, 2]));
	});

	it("answers under /groq/v1 with its own key", async () => {
		const groq = new OpenAI({ apiKey: GROQ_KEY, baseURL: `${fakeUrl}/groq/v1`, maxRetries: 0 });
		const answer = await groq.embeddings.create({ model: "text-embedding-3-small", input: "x" });
		expect(answer.data[0]?.embedding).toEqual(fakeVector("x"));
		const wrongKey = new OpenAI({ apiKey: OPENAI_KEY, baseURL: `${fakeUrl}/groq/v1`, maxRetries: 0 });
		await expect(
			wrongKey.embeddings.create({ model: "text-embedding-3-small", input: "x" }),
		).rejects.toMatchObject({
			status: 401,
			code: "invalid_api_key",
		});
	});

	it("refuses bad inputs with OpenAI's 400", async () => {
		const bad: unknown[] = [
			"",
			[],
			["a", ""],
			["a", 1],
			[[1], "a"],
			[[1, 2], []],
			[1.5],
			[-1],
			Array.from({ length: OPENAI_MAX_INPUTS + 1 }, () => "x"),
		];
		for (const input of bad) {
			await expect(
				client.embeddings.create({ model: "text-embedding-3-small", input: input as string }),
				JSON.stringify(input).slice(0, 40),
			).rejects.toMatchObject({
				status: 400,
				error: {
					message: OPENAI_INVALID_INPUT_MESSAGE,
					type: "invalid_request_error",
					param: null,
					code: null,
				},
			});
		}
		const most = await client.embeddings.create({
			model: "text-embedding-3-small",
			input: Array.from({ length: OPENAI_MAX_INPUTS }, (_, i) => `${i}`),
		});
		expect(most.data).toHaveLength(OPENAI_MAX_INPUTS);
	});

	it("refuses dimensions where OpenAI does, unknown fields and unknown models", async () => {
		await expect(
			client.embeddings.create({ model: "text-embedding-ada-002", input: "x", dimensions: 4 }),
		).rejects.toMatchObject({
			status: 400,
			message: expect.stringContaining(OPENAI_DIMENSIONS_UNSUPPORTED_MESSAGE),
		});
		const ada = await client.embeddings.create({ model: "text-embedding-ada-002", input: "x" });
		expect(ada.data[0]?.embedding).toEqual(fakeVector("x"));
		await expect(
			client.embeddings.create({ model: "text-embedding-3-small", input: "x", dimensions: 1537 }),
		).rejects.toMatchObject({ status: 400, param: "dimensions", code: "integer_above_max_value" });
		await expect(
			client.embeddings.create({ model: "text-embedding-3-small", input: "x", dimensions: 0 }),
		).rejects.toMatchObject({ status: 400, param: "dimensions", code: "integer_below_min_value" });
		await expect(
			client.embeddings.create({ model: "text-embedding-3-small", input: "x", extra: 1 } as never),
		).rejects.toMatchObject({
			status: 400,
			error: { message: "Unrecognized request argument supplied: extra" },
		});
		await expect(client.embeddings.create({ model: "text-embedding-4", input: "x" })).rejects.toMatchObject({
			status: 404,
			code: "model_not_found",
			error: { message: openaiUnknownModelMessage("text-embedding-4") },
		});
	});

	it("echoes what it received and keeps it for GET /__fake/embeddings-received/<model>", async () => {
		const model = `echo-request-${crypto.randomUUID()}`;
		const answer = await client.embeddings.create({
			model,
			input: ["a", "b"],
			dimensions: 3,
			user: "user-1",
			encoding_format: "float",
		});
		const echo = (answer as unknown as { echo: { body: unknown; headers: Record<string, string> } }).echo;
		const sent = { model, input: ["a", "b"], dimensions: 3, user: "user-1", encoding_format: "float" };
		expect(echo.body).toEqual(sent);
		expect(echo.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
		expect(answer.data.map((d) => d.embedding)).toEqual([fakeVector("a", 3), fakeVector("b", 3)]);
		const kept = await (await fetch(`${fakeUrl}/__fake/embeddings-received/${model}`)).json();
		expect(kept).toEqual([
			{ body: sent, headers: { authorization: `Bearer ${OPENAI_KEY}`, "content-type": "application/json" } },
		]);
	});

	it("answers the error scenarios", async () => {
		await expect(client.embeddings.create({ model: "rate-limited", input: "x" })).rejects.toMatchObject({
			status: 429,
			code: "rate_limit_exceeded",
		});
		const limited = await fetch(`${fakeUrl}/v1/embeddings`, {
			method: "POST",
			headers: { authorization: `Bearer ${OPENAI_KEY}`, "content-type": "application/json" },
			body: JSON.stringify({ model: "rate-limited", input: "x" }),
		});
		expect(limited.headers.get("retry-after")).toBe(String(EMBEDDINGS_RETRY_AFTER_S));
		await expect(client.embeddings.create({ model: "server-error", input: "x" })).rejects.toMatchObject({
			status: 500,
		});
		const flaky = `flaky-1-${crypto.randomUUID()}`;
		await expect(client.embeddings.create({ model: flaky, input: "x" })).rejects.toMatchObject({
			status: 500,
		});
		const second = await client.embeddings.create({ model: flaky, input: "x" });
		expect(second.data[0]?.embedding).toEqual(fakeVector("x"));
	});
});

describe("the fake Gemini embeddings endpoint, through fetch", () => {
	const fakeUrl = inject("geminiUrl");
	type Embeddings = { embeddings: Array<{ values: number[] }> };
	type GoogleError = { error: { code: number; message: string; status: string } };

	const call = (model: string, method: string, body: unknown, key = GEMINI_KEY) =>
		fetch(`${fakeUrl}/v1beta/models/${model}:${method}`, {
			method: "POST",
			headers: { "x-goog-api-key": key, "content-type": "application/json" },
			body: JSON.stringify(body),
		});
	const requestsFor = (model: string, texts: string[], extra: Record<string, unknown> = {}) => ({
		requests: texts.map((text) => ({ model: `models/${model}`, content: { parts: [{ text }] }, ...extra })),
	});
	const stats = async (model: string) =>
		(await (await fetch(`${fakeUrl}/__fake/embeddings-stats/${model}`)).json()) as {
			calls: number;
			batchSizes: number[];
			refused: number;
		};

	it("answers a batch of 100 in request order, and counts it", async () => {
		const model = `embed-${crypto.randomUUID()}`;
		const texts = Array.from({ length: GEMINI_MAX_BATCH }, (_, i) => `passage ${i}`);
		const response = await call(model, "batchEmbedContents", requestsFor(model, texts));
		expect(response.status).toBe(200);
		const body = (await response.json()) as Embeddings;
		expect(body).toEqual({ embeddings: texts.map((text) => ({ values: fakeVector(text) })) });
		expect(await stats(model)).toEqual({ calls: 1, batchSizes: [GEMINI_MAX_BATCH], refused: 0 });
	});

	it("refuses 101 requests in one call with Google's 400", async () => {
		const model = `embed-${crypto.randomUUID()}`;
		const texts = Array.from({ length: GEMINI_MAX_BATCH + 1 }, (_, i) => `passage ${i}`);
		const response = await call(model, "batchEmbedContents", requestsFor(model, texts));
		expect(response.status).toBe(400);
		expect(await response.json()).toEqual({
			error: { code: 400, message: GEMINI_TOO_MANY_MESSAGE, status: "INVALID_ARGUMENT" },
		});
		expect(await stats(model)).toEqual({ calls: 1, batchSizes: [], refused: 1 });
	});

	it("honours outputDimensionality and taskType; refuses a request naming another model", async () => {
		const ok = await call(
			"gemini-embedding-001",
			"batchEmbedContents",
			requestsFor("gemini-embedding-001", ["b", "a"], {
				outputDimensionality: 3,
				taskType: "RETRIEVAL_DOCUMENT",
			}),
		);
		expect(((await ok.json()) as Embeddings).embeddings).toEqual([
			{ values: fakeVector("b", 3) },
			{ values: fakeVector("a", 3) },
		]);
		const mixed = requestsFor("gemini-embedding-001", ["a", "b"]);
		const second = mixed.requests[1];
		if (second) second.model = "models/text-embedding-004";
		const wrong = await call("gemini-embedding-001", "batchEmbedContents", mixed);
		expect(wrong.status).toBe(400);
		const error = (await wrong.json()) as GoogleError;
		expect(error.error.status).toBe("INVALID_ARGUMENT");
		expect(error.error.message).toContain("requests[1].model");
	});

	it("refuses what Gemini refuses: no requests, non-text parts, empty text, unknown fields, a bad task type", async () => {
		const model = "gemini-embedding-001";
		const cases: unknown[] = [
			{ requests: [] },
			{
				requests: [
					{
						model: `models/${model}`,
						content: { parts: [{ inlineData: { mimeType: "image/png", data: "AA==" } }] },
					},
				],
			},
			{ requests: [{ model: `models/${model}`, content: { parts: [{ text: "" }] } }] },
			{ requests: [{ model: `models/${model}`, content: { parts: [{ text: "a" }] }, dimensions: 3 }] },
			{ requests: [{ model: `models/${model}`, content: { parts: [{ text: "a" }] }, taskType: "SEARCH" }] },
			{ ...requestsFor(model, ["a"]), model: `models/${model}` },
		];
		for (const body of cases) {
			const response = await call(model, "batchEmbedContents", body);
			expect(response.status, JSON.stringify(body)).toBe(400);
			expect(((await response.json()) as GoogleError).error.status).toBe("INVALID_ARGUMENT");
		}
	});

	it("answers :embedContent, a bad key, unknown models and the error scenarios in Google's shape", async () => {
		const single = await call("text-embedding-004", "embedContent", {
			model: "models/text-embedding-004",
			content: { parts: [{ text: "hello" }] },
		});
		expect(await single.json()).toEqual({ embedding: { values: fakeVector("hello") } });

		const badKey = await call(
			"gemini-embedding-001",
			"batchEmbedContents",
			requestsFor("gemini-embedding-001", ["a"]),
			"AIza-wrong",
		);
		expect(badKey.status).toBe(400);
		expect(((await badKey.json()) as GoogleError).error.message).toBe(
			"API key not valid. Please pass a valid API key.",
		);

		const unknown = await call(
			"gemini-2.5-flash",
			"batchEmbedContents",
			requestsFor("gemini-2.5-flash", ["a"]),
		);
		expect(unknown.status).toBe(404);
		expect(((await unknown.json()) as GoogleError).error.status).toBe("NOT_FOUND");

		const limited = await call("rate-limited", "batchEmbedContents", requestsFor("rate-limited", ["a"]));
		expect(limited.status).toBe(429);
		expect(JSON.stringify(await limited.json())).toContain(`"retryDelay":"${EMBEDDINGS_RETRY_AFTER_S}s"`);
		const failed = await call("server-error", "batchEmbedContents", requestsFor("server-error", ["a"]));
		expect(await failed.json()).toEqual({
			error: { code: 500, message: "Internal error encountered.", status: "INTERNAL" },
		});
	});
});
