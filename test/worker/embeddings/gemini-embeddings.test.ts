import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	EMBEDDINGS_RETRY_AFTER_S,
	fakeVector,
	float32Base64,
	GEMINI_MAX_BATCH,
} from "../../fakes/scenarios/embeddings";
import { admin, createKey, gateway, putModel, uniqueModelId, usageRow } from "../helpers";

/**
 * POST /v1/embeddings to Gemini embeddings models: OpenAI's request re-shaped into
 * batchEmbedContents calls of at most 100 inputs (src/protocols/gemini/embeddings.ts), against the
 * fake of test/fakes/gemini-embeddings-fake.ts, which checks every call as the real API does
 * (model of each request, text parts, outputDimensionality, at most 100 requests) and counts the
 * calls of each `embed-<token>` model. Retries, fallbacks, the allow-list, per-key limits, input
 * limits and usage rows are the engine's, as for every other request.
 */

/** The fake's counters of one model (GET /__fake/embeddings-stats/<model>; gemini-embeddings-fake.ts, a Node module). */
interface EmbeddingsStats {
	calls: number;
	batchSizes: number[];
	refused: number;
}

let key: string;
/** A Gemini embeddings model of this file's own, so the fake's counters are its alone. */
let EMBED: string;
const PRICE = 0.5;
const SEEDED = "google/gemini-embedding-001";

/** The gateway's estimate for Gemini (which reports no usage): a quarter of the characters, at least 1. */
const estimate = (text: string) => Math.max(1, Math.ceil(text.length / 4));
const tokensOf = (texts: string[]) => texts.reduce((sum, text) => sum + estimate(text), 0);
const costOf = (tokens: number, pricePerMillion: number) =>
	Math.round(((tokens * pricePerMillion) / 1e6) * 1e9) / 1e9;

function embed(body: unknown, headers: Record<string, string> = {}, apiKey = key): Promise<Response> {
	return gateway("/v1/embeddings", {
		method: "POST",
		headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json", ...headers },
		body: JSON.stringify(body),
	});
}

const gateIdOf = (res: Response) => res.headers.get("x-request-id") ?? "";
const attemptsOf = async (res: Response) =>
	JSON.parse(String((await usageRow(gateIdOf(res))).attempts)) as Array<{
		model: string;
		status: number;
		code: string | null;
		skipped?: true;
	}>;

const fakeBase = () => String(env.GEMINI_BASE_URL).replace(/\/+$/, "");
async function statsOf(upstreamModel: string): Promise<EmbeddingsStats> {
	const res = await fetch(`${fakeBase()}/__fake/embeddings-stats/${encodeURIComponent(upstreamModel)}`);
	return (await res.json()) as EmbeddingsStats;
}

/** A catalog embeddings model of the google provider answered by the fake's `upstream` scenario. */
async function geminiModel(upstream: string, extra: { fallbacks?: string[]; input_price?: number } = {}) {
	const id = uniqueModelId("google", upstream.startsWith("embed-") ? "embed" : upstream);
	const body = {
		provider: "google",
		upstream_model: upstream === "embed-" ? id.slice("google/".length) : upstream,
		kind: "embeddings",
		enabled: true,
		input_price: PRICE,
		output_price: 0,
		...extra,
	};
	const res = await admin(`/admin/models/${id}`, { method: "PUT", body: JSON.stringify(body) });
	expect(res.status, await res.clone().text()).toBe(200);
	return { id, upstream: body.upstream_model };
}

interface EmbeddingList {
	object: string;
	data: Array<{ object: string; index: number; embedding: number[] | string }>;
	model: string;
	usage: { prompt_tokens: number; total_tokens: number };
}

beforeAll(async () => {
	key = (await createKey()).key;
	EMBED = (await geminiModel("embed-")).id;
});

const upstreamOf = (id: string) => id.slice("google/".length);

describe("POST /v1/embeddings to a Gemini model (batchEmbedContents)", () => {
	it("embeds one string: the fake's vector, the catalog id, the usage estimated and recorded as such", async () => {
		const res = await embed({ model: EMBED, input: "Héllo" });
		expect(res.status, await res.clone().text()).toBe(200);
		expect(await res.json()).toEqual({
			object: "list",
			data: [{ object: "embedding", index: 0, embedding: fakeVector("Héllo") }],
			model: EMBED,
			usage: { prompt_tokens: 2, total_tokens: 2 },
		});
		expect(await usageRow(gateIdOf(res))).toMatchObject({
			ingress: "embeddings",
			model: EMBED,
			provider: "google",
			upstream_model: upstreamOf(EMBED),
			prompt_tokens: 2,
			completion_tokens: 0,
			total_tokens: 2,
			cost_usd: costOf(2, PRICE),
			estimated: 1,
			outcome: "ok",
			status: 200,
			error_code: null,
			streamed: 0,
		});
		expect(await attemptsOf(res)).toMatchObject([{ model: EMBED, status: 200, code: null }]);
	});

	it("embeds an array in input order, in one call, the usage the sum of the inputs' estimates", async () => {
		const before = await statsOf(upstreamOf(EMBED));
		const input = ["first", "second, with ünïcödé 🌍", "x", "a somewhat longer third input"];
		const res = await embed({ model: EMBED, input, user: "end-user-1" });
		expect(res.status, await res.clone().text()).toBe(200);
		const tokens = tokensOf(input);
		// ceil(5/4) + ceil(23/4) (🌍 is two UTF-16 units) + 1 + ceil(29/4)
		expect(tokens).toBe(2 + 6 + 1 + 8);
		expect(await res.json()).toEqual({
			object: "list",
			data: input.map((text, index) => ({ object: "embedding", index, embedding: fakeVector(text) })),
			model: EMBED,
			usage: { prompt_tokens: tokens, total_tokens: tokens },
		});
		const after = await statsOf(upstreamOf(EMBED));
		expect(after.calls - before.calls).toBe(1);
		expect(after.batchSizes.slice(before.batchSizes.length)).toEqual([input.length]);
		expect(await usageRow(gateIdOf(res))).toMatchObject({ prompt_tokens: tokens, estimated: 1 });
	});

	it("prices the seeded google/gemini-embedding-001 at its input price (0.15 $ per million)", async () => {
		const input = ["a".repeat(4000), "b"];
		const res = await embed({ model: SEEDED, input });
		expect(res.status, await res.clone().text()).toBe(200);
		const body = (await res.json()) as EmbeddingList;
		expect(body.model).toBe(SEEDED);
		expect(body.data.map((d) => d.embedding)).toEqual(input.map((text) => fakeVector(text)));
		expect(await usageRow(gateIdOf(res))).toMatchObject({
			model: SEEDED,
			upstream_model: "gemini-embedding-001",
			prompt_tokens: 1001,
			cost_usd: costOf(1001, 0.15),
			estimated: 1,
		});
	});

	it("maps dimensions to outputDimensionality", async () => {
		const input = ["short", "vectors"];
		const res = await embed({ model: EMBED, input, dimensions: 5 });
		expect(res.status, await res.clone().text()).toBe(200);
		const body = (await res.json()) as EmbeddingList;
		// Gemini's shortened vectors are not unit length; the gateway scales them, as OpenAI's are.
		for (const [i, item] of body.data.entries()) {
			const raw = fakeVector(input[i] ?? "", 5);
			const norm = Math.sqrt(raw.reduce((sum, v) => sum + v * v, 0));
			expect(item.embedding).toHaveLength(5);
			for (const [j, value] of (item.embedding as number[]).entries()) {
				expect(value).toBeCloseTo((raw[j] ?? 0) / norm, 12);
			}
		}
	});

	it("encodes base64 itself: little-endian float32, as OpenAI does", async () => {
		const input = ["Héllo", "world"];
		const res = await embed({ model: EMBED, input, encoding_format: "base64" });
		expect(res.status, await res.clone().text()).toBe(200);
		const body = (await res.json()) as EmbeddingList;
		expect(body.data).toEqual(
			input.map((text, index) => ({
				object: "embedding",
				index,
				embedding: float32Base64(fakeVector(text)),
			})),
		);
	});

	it("splits a batch larger than Gemini's per-call limit into calls of 100, answered in input order", async () => {
		const { id, upstream } = await geminiModel("embed-");
		const input = Array.from({ length: 250 }, (_, i) => `document number ${i}`);
		const res = await embed({ model: id, input });
		expect(res.status, await res.clone().text()).toBe(200);
		const body = (await res.json()) as EmbeddingList;
		expect(body.data).toHaveLength(250);
		body.data.forEach((item, i) => {
			expect(item.index).toBe(i);
			expect(item.embedding).toEqual(fakeVector(input[i] ?? ""));
		});
		const stats = await statsOf(upstream);
		expect(stats.calls).toBe(3);
		expect(stats.refused).toBe(0);
		// The calls run in parallel: their order of arrival may vary.
		expect([...stats.batchSizes].sort((a, b) => a - b)).toEqual([50, 100, 100]);
		// One attempt for the whole request, as for a request sent in one call.
		expect(await attemptsOf(res)).toMatchObject([{ model: id, status: 200, code: null }]);
		expect(await usageRow(gateIdOf(res))).toMatchObject({ prompt_tokens: tokensOf(input), estimated: 1 });
	});

	it("splits exactly at the limit: 100 inputs are one call, 101 are two, and the largest request (2048) is 21", async () => {
		for (const [count, sizes] of [
			[GEMINI_MAX_BATCH, [100]],
			[GEMINI_MAX_BATCH + 1, [1, 100]],
			[2048, [...Array.from({ length: 20 }, () => 100), 48].sort((a, b) => a - b)],
		] as const) {
			const { id, upstream } = await geminiModel("embed-");
			const input = Array.from({ length: count }, (_, i) => `${i}`);
			const res = await embed({ model: id, input });
			expect(res.status, await res.clone().text()).toBe(200);
			const body = (await res.json()) as EmbeddingList;
			expect(body.data.map((d) => d.embedding)).toEqual(input.map((text) => fakeVector(text)));
			const stats = await statsOf(upstream);
			expect(
				[...stats.batchSizes].sort((a, b) => a - b),
				`${count} inputs`,
			).toEqual(sizes);
		}
	});

	it("refuses token ids and token arrays (Gemini embeds text only) with a 400 and a usage row, calling nothing", async () => {
		const { id, upstream } = await geminiModel("embed-");
		for (const input of [
			[1, 2, 3],
			[[1, 2], [3]],
		]) {
			const res = await embed({ model: id, input });
			expect(res.status, JSON.stringify(input)).toBe(400);
			expect(await res.json()).toEqual({
				error: {
					message:
						"Gemini embeddings models take text only: send `input` as a string or an array of strings, not token ids.",
					type: "invalid_request_error",
					param: "input",
					code: "unsupported_input",
				},
			});
			// Refused by the model's adapter before anything was sent: no attempt, outcome rejected,
			// the model resolved (so the row names the provider).
			expect(await usageRow(gateIdOf(res))).toMatchObject({
				ingress: "embeddings",
				model: id,
				provider: "google",
				outcome: "rejected",
				status: 400,
				error_code: "unsupported_input",
				prompt_tokens: 0,
				cost_usd: 0,
				attempts: "[]",
			});
		}
		expect((await statsOf(upstream)).calls).toBe(0);
	});

	it("refuses a field Gemini has no place for with a 400 naming it", async () => {
		const res = await embed({ model: EMBED, input: "hi", task_type: "RETRIEVAL_QUERY" });
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			error: {
				message: "The field 'task_type' is not supported by Gemini embeddings models.",
				type: "invalid_request_error",
				param: "task_type",
				code: "unsupported_parameter",
			},
		});
		expect(await usageRow(gateIdOf(res))).toMatchObject({
			outcome: "rejected",
			status: 400,
			error_code: "unsupported_parameter",
		});
	});

	const UNION_MESSAGE =
		"Invalid value for 'input': expected a non-empty string, or a non-empty array of non-empty strings, of token ids, or of token-id arrays (one kind, not mixed).";

	it("refuses empty, mixed and too many inputs with a 400 naming the input, each leaving a usage row", async () => {
		// [input, param, message]. An empty array and mixed types fail every branch of the schema's
		// union: its message says what `input` may be.
		const cases: Array<[unknown, string, string]> = [
			[[], "input", UNION_MESSAGE],
			["", "input", "Invalid value for 'input': Too small: expected string to have >=1 characters."],
			[
				["a", ""],
				"input[1]",
				"Invalid value for 'input[1]': Too small: expected string to have >=1 characters.",
			],
			[["a", 1], "input", UNION_MESSAGE],
			[[[]], "input[0]", "Invalid value for 'input[0]': Too small: expected array to have >=1 items."],
		];
		for (const [input, param, message] of cases) {
			const res = await embed({ model: EMBED, input });
			expect(res.status, JSON.stringify(input)).toBe(400);
			expect(await res.json(), JSON.stringify(input)).toEqual({
				error: { message, type: "invalid_request_error", param, code: "invalid_value" },
			});
			expect(await usageRow(gateIdOf(res))).toMatchObject({
				ingress: "embeddings",
				model: EMBED,
				outcome: "rejected",
				status: 400,
				error_code: "invalid_value",
				attempts: "[]",
			});
		}
		const tooMany = await embed({ model: EMBED, input: Array.from({ length: 2049 }, () => "x") });
		expect(tooMany.status).toBe(400);
		expect(await tooMany.json()).toEqual({
			error: {
				message: "Too many inputs: 2049, the limit is 2048 per request.",
				type: "invalid_request_error",
				param: "input",
				code: "too_many_inputs",
			},
		});
		expect(await usageRow(gateIdOf(tooMany))).toMatchObject({
			model: EMBED,
			outcome: "rejected",
			status: 400,
			error_code: "too_many_inputs",
		});
	});
});

describe("Gemini embeddings through the engine: retries, fallbacks, allow-lists, limits", () => {
	it("does not wait out Gemini's RetryInfo of 7 s: one try, a 429 with retry-after, the attempt listed", async () => {
		const { id } = await geminiModel("rate-limited");
		const res = await embed({ model: id, input: ["a", "b"] });
		expect(res.status).toBe(429);
		expect(res.headers.get("retry-after")).toBe(String(EMBEDDINGS_RETRY_AFTER_S));
		expect(await res.json()).toEqual({
			error: {
				message: "The provider's rate limit or quota was exceeded. Try again later.",
				type: "rate_limit_error",
				param: null,
				code: "rate_limit_exceeded",
			},
		});
		expect(await attemptsOf(res)).toMatchObject([{ model: id, status: 429, code: "rate_limit_exceeded" }]);
		expect(await usageRow(gateIdOf(res))).toMatchObject({
			model: id,
			outcome: "upstream_error",
			status: 429,
			error_code: "rate_limit_exceeded",
			prompt_tokens: 0,
		});
	});

	it("retries a 500 (2 retries, the test config's short backoff), then answers 502 with every attempt", async () => {
		const { id } = await geminiModel("server-error");
		const res = await embed({ model: id, input: "hi" });
		expect(res.status).toBe(502);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_error");
		expect((await attemptsOf(res)).map((a) => [a.model, a.status, a.code])).toEqual([
			[id, 502, "upstream_error"],
			[id, 502, "upstream_error"],
			[id, 502, "upstream_error"],
		]);
		expect(await usageRow(gateIdOf(res))).toMatchObject({ outcome: "upstream_error", status: 502 });
	});

	it("falls over to the catalog's fallback, a working Gemini embeddings model, which answers", async () => {
		const good = await geminiModel("embed-");
		const broken = await geminiModel("server-error", { fallbacks: [good.id] });
		const input = Array.from({ length: 120 }, (_, i) => `fallback ${i}`);
		const res = await embed({ model: broken.id, input });
		expect(res.status, await res.clone().text()).toBe(200);
		const body = (await res.json()) as EmbeddingList;
		expect(body.model).toBe(good.id);
		expect(body.data.map((d) => d.embedding)).toEqual(input.map((text) => fakeVector(text)));
		const attempts = await attemptsOf(res);
		// The broken model's parts fail in parallel: at least its three tries of one part are listed.
		expect(attempts.filter((a) => a.model === broken.id).length).toBeGreaterThanOrEqual(3);
		expect(attempts.filter((a) => a.model === broken.id).every((a) => a.status === 502)).toBe(true);
		expect(attempts.at(-1)).toMatchObject({ model: good.id, status: 200 });
		expect(await usageRow(gateIdOf(res))).toMatchObject({
			model: good.id,
			outcome: "ok",
			prompt_tokens: tokensOf(input),
			estimated: 1,
		});
		expect([...(await statsOf(good.upstream)).batchSizes].sort((a, b) => a - b)).toEqual([20, 100]);
	});

	it("falls over to the models of the x-aigate-fallbacks header, across providers (Gemini → OpenAI)", async () => {
		const broken = await geminiModel("server-error");
		const res = await embed(
			{ model: broken.id, input: "hi" },
			{ "x-aigate-fallbacks": "google/does-not-exist, openai/text-embedding-3-small" },
		);
		expect(res.status, await res.clone().text()).toBe(200);
		const body = (await res.json()) as EmbeddingList;
		expect(body.model).toBe("openai/text-embedding-3-small");
		expect(body.data[0]?.embedding).toEqual(fakeVector("hi"));
		expect((await attemptsOf(res)).map((a) => [a.model, a.status, a.skipped ?? false])).toEqual([
			[broken.id, 502, false],
			[broken.id, 502, false],
			[broken.id, 502, false],
			["google/does-not-exist", 404, true],
			["openai/text-embedding-3-small", 200, false],
		]);
		// The OpenAI upstream reported its usage: not estimated.
		expect(await usageRow(gateIdOf(res))).toMatchObject({
			model: "openai/text-embedding-3-small",
			estimated: 0,
		});
	});

	it("skips a chat model named as a fallback: the client hears the embeddings model's own failure", async () => {
		const broken = await geminiModel("server-error");
		const res = await embed({ model: broken.id, input: "hi" }, { "x-aigate-fallbacks": "openai/gpt-5.5" });
		expect(res.status).toBe(502);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_error");
		expect((await attemptsOf(res)).at(-1)).toEqual({
			model: "openai/gpt-5.5",
			status: 400,
			code: "model_not_supported",
			ms: 0,
			skipped: true,
		});
		expect(await usageRow(gateIdOf(res))).toMatchObject({
			model: broken.id,
			outcome: "upstream_error",
			status: 502,
		});
	});

	it("passes over a fallback that cannot take the input (token ids to Gemini), sending it nothing", async () => {
		const gemini = await geminiModel("embed-");
		const broken = uniqueModelId("openai", "embed-broken");
		await putModel(broken, {
			provider: "openai",
			upstream_model: "server-error",
			kind: "embeddings",
			input_price: 0.02,
			output_price: 0,
		});
		const res = await embed({ model: broken, input: [1, 2, 3] }, { "x-aigate-fallbacks": gemini.id });
		// The client hears of the failure of the model it asked for, not of the fallback's 400.
		expect(res.status).toBe(502);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("upstream_error");
		// The fallback refused before sending: it is not listed (neither tried nor skipped).
		expect((await attemptsOf(res)).map((a) => [a.model, a.status])).toEqual([
			[broken, 502],
			[broken, 502],
			[broken, 502],
		]);
		expect(await usageRow(gateIdOf(res))).toMatchObject({ model: broken, outcome: "upstream_error" });
		expect((await statsOf(gemini.upstream)).calls).toBe(0);
	});

	it("applies the key's allow-list: another model only → 403", async () => {
		const restricted = (await createKey(["openai/text-embedding-3-small"])).key;
		const res = await embed({ model: EMBED, input: "hi" }, {}, restricted);
		expect(res.status).toBe(403);
		expect(await res.json()).toEqual({
			error: {
				message: `This API key is not allowed to use the model '${EMBED}'.`,
				type: "permission_error",
				param: "model",
				code: "model_not_allowed",
			},
		});
		expect(await usageRow(gateIdOf(res))).toMatchObject({
			ingress: "embeddings",
			outcome: "rejected",
			status: 403,
			error_code: "model_not_allowed",
		});
		expect(
			(await embed({ model: "openai/text-embedding-3-small", input: "hi" }, {}, restricted)).status,
		).toBe(200);
	});

	it("counts the estimated tokens against the key's tpm", async () => {
		const limited = await keyWith({ tpm: 20 });
		// 100 characters: 25 estimated tokens, past the limit of 20 once booked.
		expect((await embed({ model: EMBED, input: "y".repeat(100) }, {}, limited)).status).toBe(200);
		const refused = await untilStatus(() => embed({ model: EMBED, input: "y" }, {}, limited), 429);
		expect(((await refused.json()) as { error: { message: string } }).error.message).toBe(
			"Rate limit reached: this API key may use 20 tokens per minute.",
		);
	});

	it("counts embeddings requests against rpm, and their estimated cost against the budget", async () => {
		const perMinute = await keyWith({ rpm: 1 });
		expect((await embed({ model: EMBED, input: "hi" }, {}, perMinute)).status).toBe(200);
		expect((await embed({ model: EMBED, input: "hi" }, {}, perMinute)).status).toBe(429);

		// 1,000,000 $ per million tokens: 1 $ a token; 3 tokens spend the 2 $ budget.
		const pricey = await geminiModel("embed-", { input_price: 1_000_000 });
		const budget = await keyWith({ budget_usd: 2 });
		const first = await embed({ model: pricey.id, input: "twelve chars" }, {}, budget);
		expect(first.status).toBe(200);
		expect(await usageRow(gateIdOf(first))).toMatchObject({ prompt_tokens: 3, cost_usd: 3 });
		const refused = await untilStatus(() => embed({ model: pricey.id, input: "a" }, {}, budget), 429);
		expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("insufficient_quota");
	});
});

async function keyWith(limits: object): Promise<string> {
	const res = await admin("/admin/keys", {
		method: "POST",
		body: JSON.stringify({ name: "limited", ...limits }),
	});
	expect(res.status).toBe(201);
	return ((await res.json()) as { key: string }).key;
}

/** Limits are booked after the response (waitUntil): retry until the expected refusal shows. */
async function untilStatus(send: () => Promise<Response>, status: number): Promise<Response> {
	for (let i = 0; i < 50; i++) {
		const res = await send();
		if (res.status === status) return res;
		await res.body?.cancel();
		await new Promise((r) => setTimeout(r, 20));
	}
	throw new Error(`never got ${status}`);
}
