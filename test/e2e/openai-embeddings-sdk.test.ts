import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fakeTokenCount, fakeVector, GEMINI_MAX_BATCH } from "../fakes/scenarios/embeddings";
import { GEMINI_KEY } from "../fakes/scenarios/gemini";
import { OPENAI_KEY } from "../fakes/scenarios/openai";
import { adminClient } from "./admin-client";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * POST /v1/embeddings of the real gateway (`npm run dev` → wrangler dev, local D1 with the seeded
 * catalog) driven by the official `openai` package's `client.embeddings.create`: OpenAI models passed
 * through to the fake OpenAI /embeddings, Gemini models re-shaped into calls to the fake
 * batchEmbedContents (test/fakes/gemini-embeddings-fake.ts, which checks every call as Gemini
 * does). With no encoding_format the package asks for base64 and decodes it itself
 * (node_modules/openai/resources/embeddings.js): for OpenAI the upstream's base64 passes through, for
 * Gemini the gateway encodes it.
 */

const ADMIN_TOKEN = "e2e-embeddings-admin-token";
const OPENAI_MODEL = "openai/text-embedding-3-small";
const GEMINI_MODEL = "google/gemini-embedding-001";
/** The gateway's estimate for Gemini, which reports no usage: a quarter of the characters, at least 1. */
const estimate = (texts: string[]) => texts.reduce((sum, t) => sum + Math.max(1, Math.ceil(t.length / 4)), 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LogLine {
	gate_id: string;
	ingress: string;
	model: string;
	provider: string;
	status: number;
	outcome: string;
	error_code: string | null;
	prompt_tokens: number;
	cost_usd: number;
	attempts: number;
}

describe("POST /v1/embeddings under wrangler dev, through the openai package", () => {
	const geminiUrl = inject("geminiUrl");
	const openaiUrl = inject("openaiUrl");
	let gateway: RunningGateway;
	let client: OpenAI;
	const token = crypto.randomUUID().slice(0, 8);
	/** A Gemini embeddings model of this file's own: the fake counts its calls apart. */
	const counted = { id: `google/embed-e2e-${token}`, upstream: `embed-e2e-${token}` };
	/** An OpenAI embeddings model whose fake upstream keeps every body it receives. */
	const echo = { id: `openai/embed-echo-${token}`, upstream: `echo-request-${token}` };

	/** The gateway's log line of a request (LOG_REQUESTS=on), once written. */
	const logLine = async (gateId: string | null): Promise<LogLine> => {
		expect(gateId).toMatch(/^gate-/);
		for (let i = 0; i < 50; i++) {
			const line = gateway
				.logs()
				.split("\n")
				.find((l) => l.includes(`"gate_id":"${gateId}"`));
			if (line) return JSON.parse(line.slice(line.indexOf("{"))) as LogLine;
			await sleep(100);
		}
		throw new Error(`no log line for ${gateId}`);
	};

	beforeAll(async () => {
		const started = Date.now();
		gateway = await startGateway({
			vars: {
				OPENAI_BASE_URL: `${openaiUrl}/v1`,
				OPENAI_API_KEY: OPENAI_KEY,
				GEMINI_BASE_URL: geminiUrl,
				GEMINI_API_KEY: GEMINI_KEY,
				ADMIN_TOKEN,
				LOG_REQUESTS: "on",
			},
		});
		console.info(`gateway ready on ${gateway.baseUrl} after ${Date.now() - started} ms`);
		const admin = adminClient(gateway.baseUrl, ADMIN_TOKEN);
		const created = await admin.createKey({ name: "e2e embeddings" });
		client = new OpenAI({
			apiKey: created.key,
			baseURL: `${gateway.baseUrl}/v1`,
			maxRetries: 0,
		});
		for (const [model, provider] of [
			[counted, "google"],
			[echo, "openai"],
		] as const) {
			await admin.putModel(model.id, {
				provider,
				upstream_model: model.upstream,
				kind: "embeddings",
				input_price: 0.1,
				output_price: 0,
			});
		}
	});

	afterAll(async () => {
		await gateway?.stop();
	});

	it("embeds through OpenAI as floats: the upstream's vectors and usage, the catalog id", async () => {
		const input = ["Hello, world", "second, with ünïcödé 🌍"];
		const { data, response } = await client.embeddings
			.create({ model: OPENAI_MODEL, input, encoding_format: "float" })
			.withResponse();
		const tokens = input.reduce((sum, text) => sum + fakeTokenCount(text), 0);
		expect(data).toEqual({
			object: "list",
			data: input.map((text, index) => ({ object: "embedding", index, embedding: fakeVector(text) })),
			model: OPENAI_MODEL,
			usage: { prompt_tokens: tokens, total_tokens: tokens },
		});
		expect(await logLine(response.headers.get("x-request-id"))).toMatchObject({
			ingress: "embeddings",
			model: OPENAI_MODEL,
			provider: "openai",
			status: 200,
			outcome: "ok",
			prompt_tokens: tokens,
			cost_usd: Math.round(((tokens * 0.02) / 1e6) * 1e9) / 1e9,
			attempts: 1,
		});
	});

	it("embeds through Gemini as floats: the fake's vectors in order, the usage estimated", async () => {
		const input = ["Hello, world", "second, with ünïcödé 🌍", "third"];
		const { data, response } = await client.embeddings
			.create({ model: GEMINI_MODEL, input, encoding_format: "float" })
			.withResponse();
		expect(data).toEqual({
			object: "list",
			data: input.map((text, index) => ({ object: "embedding", index, embedding: fakeVector(text) })),
			model: GEMINI_MODEL,
			usage: { prompt_tokens: estimate(input), total_tokens: estimate(input) },
		});
		expect(await logLine(response.headers.get("x-request-id"))).toMatchObject({
			ingress: "embeddings",
			model: GEMINI_MODEL,
			provider: "google",
			outcome: "ok",
			prompt_tokens: estimate(input),
			cost_usd: Math.round(((estimate(input) * 0.15) / 1e6) * 1e9) / 1e9,
		});
	});

	it("with the package's default (base64, decoded by the package), for OpenAI and Gemini alike", async () => {
		const input = ["first", "second", "third, longer"];
		for (const model of [OPENAI_MODEL, GEMINI_MODEL]) {
			const decoded = await client.embeddings.create({ model, input });
			expect(decoded.model).toBe(model);
			expect(decoded.data.map((d) => d.index)).toEqual([0, 1, 2]);
			// The fake's numbers are float32-exact, so the decoded float32s equal them.
			expect(decoded.data.map((d) => d.embedding)).toEqual(
				input.map((text) => fakeVector(text).map((v) => Math.fround(v))),
			);
			// What went over the wire: base64 strings, 8 float32s = 32 bytes each.
			const raw = (await (await client.embeddings.create({ model, input }).asResponse()).json()) as {
				data: Array<{ embedding: unknown }>;
			};
			for (const item of raw.data) {
				expect(typeof item.embedding, model).toBe("string");
				expect(Buffer.from(String(item.embedding), "base64")).toHaveLength(8 * 4);
			}
		}
		// The package asked for base64 itself, and the pass-through sent it on as it came.
		await client.embeddings.create({ model: echo.id, input: "a" });
		const received = (await (
			await fetch(`${openaiUrl}/__fake/embeddings-received/${echo.upstream}`)
		).json()) as Array<{
			body: Record<string, unknown>;
		}>;
		expect(received.at(-1)?.body).toEqual({ model: echo.upstream, input: "a", encoding_format: "base64" });
	});

	it("honours dimensions: text-embedding-3's own, Gemini's outputDimensionality", async () => {
		for (const model of [OPENAI_MODEL, GEMINI_MODEL]) {
			for (const encoding_format of ["float", undefined] as const) {
				const answer = await client.embeddings.create({
					model,
					input: ["short", "vectors"],
					dimensions: 5,
					...(encoding_format ? { encoding_format } : {}),
				});
				// The OpenAI fake answers its vectors as they are; Gemini's shortened ones are scaled to
				// unit length by the gateway (float32 when the SDK asked for base64).
				const expected = [fakeVector("short", 5), fakeVector("vectors", 5)].map((raw) => {
					if (model !== GEMINI_MODEL) return raw;
					const norm = Math.sqrt(raw.reduce((sum, v) => sum + v * v, 0));
					return raw.map((v) => v / norm);
				});
				answer.data.forEach((d, i) => {
					expect(d.embedding, `${model} ${encoding_format}`).toHaveLength(5);
					for (const [j, value] of d.embedding.entries()) {
						expect(value).toBeCloseTo(expected[i]?.[j] ?? Number.NaN, 6);
					}
				});
			}
		}
	});

	it("sends a 150-input Gemini batch in two calls (100 + 50) and answers in input order", async () => {
		const input = Array.from({ length: 150 }, (_, i) => `document ${i}: ${"x".repeat(i % 7)}`);
		for (const encoding_format of ["float", undefined] as const) {
			const answer = await client.embeddings.create({
				model: counted.id,
				input,
				...(encoding_format ? { encoding_format } : {}),
			});
			expect(answer.data).toHaveLength(150);
			answer.data.forEach((item, i) => {
				expect(item.index).toBe(i);
				expect(item.embedding).toEqual(fakeVector(input[i] ?? ""));
			});
			expect(answer.usage).toEqual({ prompt_tokens: estimate(input), total_tokens: estimate(input) });
		}
		const stats = (await (
			await fetch(`${geminiUrl}/__fake/embeddings-stats/${counted.upstream}`)
		).json()) as {
			calls: number;
			batchSizes: number[];
			refused: number;
		};
		expect(stats.calls).toBe(4);
		expect(stats.refused).toBe(0);
		expect(Math.max(...stats.batchSizes)).toBe(GEMINI_MAX_BATCH);
		expect([...stats.batchSizes].sort((a, b) => a - b)).toEqual([50, 50, 100, 100]);
	});

	it("surfaces a 400 as OpenAI.BadRequestError with the gateway's message, and logs it", async () => {
		const cases: Array<[Parameters<typeof client.embeddings.create>[0], Record<string, unknown>]> = [
			[
				{ model: GEMINI_MODEL, input: [1, 2, 3] },
				{
					code: "unsupported_input",
					param: "input",
					error: {
						message:
							"Gemini embeddings models take text only: send `input` as a string or an array of strings, not token ids.",
					},
				},
			],
			[
				{ model: OPENAI_MODEL, input: ["a", ""] },
				{
					code: "invalid_value",
					param: "input[1]",
					error: {
						message: "Invalid value for 'input[1]': Too small: expected string to have >=1 characters.",
					},
				},
			],
			[
				{ model: GEMINI_MODEL, input: Array.from({ length: 2049 }, () => "x") },
				{
					code: "too_many_inputs",
					param: "input",
					error: { message: "Too many inputs: 2049, the limit is 2048 per request." },
				},
			],
			[
				{ model: "openai/gpt-5.5", input: "x" },
				{
					code: "model_not_supported",
					param: "model",
					error: {
						message: "The model 'openai/gpt-5.5' is a chat model: it cannot answer embeddings requests.",
					},
				},
			],
		];
		for (const [params, expected] of cases) {
			const error = await client.embeddings.create(params).then(
				() => null,
				(e: unknown) => e,
			);
			expect(error, JSON.stringify(params).slice(0, 60)).toBeInstanceOf(OpenAI.BadRequestError);
			const bad = error as InstanceType<typeof OpenAI.BadRequestError>;
			expect(bad).toMatchObject({ status: 400, type: "invalid_request_error", ...expected });
			expect(bad.message).toBe(`400 ${(expected.error as { message: string }).message}`);
			expect(await logLine(bad.headers?.get("x-request-id") ?? null)).toMatchObject({
				ingress: "embeddings",
				status: 400,
				outcome: "rejected",
				error_code: expected.code,
			});
		}
	});

	it("ran every request to completion: the Workers runtime reported no errors", () => {
		const logs = gateway.logs();
		expect(logs).not.toContain("[ERROR]");
		expect(logs).not.toContain("Uncaught");
		expect(logs).not.toContain("had hung");
		expect(logs).not.toContain(GEMINI_KEY);
		expect(logs).not.toContain(OPENAI_KEY);
	});
});
