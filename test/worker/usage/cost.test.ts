import { beforeAll, describe, expect, it } from "vitest";
import { costUsd, type TokenCounts, tokenCounts } from "../../../src/usage/cost";
import { CACHED_TEXT, CACHED_USAGE } from "../../fakes/scenarios/anthropic";
import { chat, createKey, putModel, readSse, uniqueModelId, usageRow } from "../helpers";

/** Claude Sonnet 4.5's prices (USD per million): input 3, cache reads 0.3, cache writes 3.75 (1-hour ones 6), output 15. */
const SONNET = {
	inputPrice: 3,
	outputPrice: 15,
	cachedInputPrice: 0.3,
	cacheWritePrice: 3.75,
	cacheWrite1hPrice: 6,
};

const counts = (t: Partial<TokenCounts>): TokenCounts => ({
	prompt: 0,
	completion: 0,
	total: 0,
	cached: 0,
	cacheCreation: 0,
	cacheCreation1h: 0,
	reasoning: 0,
	...t,
});

describe("costUsd", () => {
	it("bills cache reads and cache writes at their own prices, the rest of the prompt at the input price", () => {
		// 10 uncached × 3 + 2000 reads × 0.3 + 300 writes × 3.75 + 5 out × 15 = 1830 µUSD.
		expect(costUsd(SONNET, counts({ prompt: 2310, cached: 2000, cacheCreation: 300, completion: 5 }))).toBe(
			0.00183,
		);
		// A million of each part: each price exactly.
		const million = 1_000_000;
		expect(costUsd(SONNET, counts({ prompt: million }))).toBe(3);
		expect(costUsd(SONNET, counts({ prompt: million, cached: million }))).toBe(0.3);
		expect(costUsd(SONNET, counts({ prompt: million, cacheCreation: million }))).toBe(3.75);
		expect(costUsd(SONNET, counts({ completion: million }))).toBe(15);
	});

	it("bills reads and writes at the input price where the catalog has no price for them", () => {
		const plain = {
			inputPrice: 3,
			outputPrice: 15,
			cachedInputPrice: null,
			cacheWritePrice: null,
			cacheWrite1hPrice: null,
		};
		expect(costUsd(plain, counts({ prompt: 2310, cached: 2000, cacheCreation: 300, completion: 5 }))).toBe(
			(2310 * 3 + 5 * 15) / 1e6,
		);
		// Only the write price missing: reads keep theirs.
		expect(
			costUsd(
				{ ...SONNET, cacheWritePrice: null, cacheWrite1hPrice: null },
				counts({ prompt: 2310, cached: 2000, cacheCreation: 300 }),
			),
		).toBe((10 * 3 + 2000 * 0.3 + 300 * 3) / 1e6);
	});

	it("bills writes to a 1-hour cache at the 1-hour price, falling back to the cache-write price", () => {
		// 10 uncached × 3 + 2000 reads × 0.3 + 200 5-minute writes × 3.75 + 100 1-hour writes × 6 + 5 out × 15.
		const t = counts({ prompt: 2310, cached: 2000, cacheCreation: 300, cacheCreation1h: 100, completion: 5 });
		expect(costUsd(SONNET, t)).toBe((10 * 3 + 2000 * 0.3 + 200 * 3.75 + 100 * 6 + 5 * 15) / 1e6);
		expect(costUsd({ ...SONNET, cacheWrite1hPrice: null }, t)).toBe(0.00183);
		// More 1-hour writes than writes: clamped to the writes.
		expect(costUsd(SONNET, counts({ prompt: 100, cacheCreation: 10, cacheCreation1h: 50 }))).toBe(
			(90 * 3 + 10 * 6) / 1e6,
		);
	});

	it("never bills a negative part: cache counts beyond the prompt are clamped to it, reads first", () => {
		// Reads alone exceed the prompt: all of it is read, nothing written or uncached.
		expect(costUsd(SONNET, counts({ prompt: 100, cached: 150, cacheCreation: 50 }))).toBe((100 * 0.3) / 1e6);
		// Reads and writes together exceed it: the writes get what the reads left.
		expect(costUsd(SONNET, counts({ prompt: 100, cached: 60, cacheCreation: 70 }))).toBe(
			(60 * 0.3 + 40 * 3.75) / 1e6,
		);
		// No prompt count at all: nothing billed for the prompt.
		expect(costUsd(SONNET, counts({ cached: 10, cacheCreation: 10, completion: 1 }))).toBe(15 / 1e6);
	});

	it("reads cache writes from prompt_tokens_details, ignoring counts that are not positive numbers", () => {
		expect(
			tokenCounts({
				prompt_tokens: 2310,
				completion_tokens: 5,
				total_tokens: 2315,
				prompt_tokens_details: { cached_tokens: 2000, cache_creation_tokens: 300 },
			}),
		).toEqual({
			prompt: 2310,
			completion: 5,
			total: 2315,
			cached: 2000,
			cacheCreation: 300,
			cacheCreation1h: 0,
			reasoning: 0,
		});
		expect(
			tokenCounts({
				prompt_tokens: 10,
				completion_tokens: 1,
				total_tokens: 11,
				prompt_tokens_details: { cache_creation_tokens: -300 },
			}).cacheCreation,
		).toBe(0);
	});
});

describe("a Claude answer with cache reads and writes, through the chat ingress", () => {
	let key: string;
	let model: string;
	const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } = CACHED_USAGE;
	const prompt = input_tokens + cache_creation_input_tokens + cache_read_input_tokens;
	const cost =
		(input_tokens * 3 +
			cache_read_input_tokens * 0.3 +
			cache_creation_input_tokens * 3.75 +
			output_tokens * 15) /
		1e6;

	beforeAll(async () => {
		({ key } = await createKey());
		model = uniqueModelId("anthropic", "cached");
		await putModel(model, {
			provider: "anthropic",
			upstream_model: "cached",
			input_price: 3,
			output_price: 15,
			cached_input_price: 0.3,
			cache_write_price: 3.75,
		});
	});

	const expectedRow = (streamed: number) => ({
		ingress: "chat",
		outcome: "ok",
		streamed,
		prompt_tokens: prompt,
		completion_tokens: output_tokens,
		cached_tokens: cache_read_input_tokens,
		cache_creation_tokens: cache_creation_input_tokens,
		cost_usd: cost,
	});

	it("records ingress 'chat' and the cache writes, and bills them at the cache-write price", async () => {
		expect(cost).toBe(0.00183);
		const res = await chat(key, { model, messages: [{ role: "user", content: "Hello" }] });
		expect(res.status).toBe(200);
		const body = (await res.json()) as {
			choices: Array<{ message: { content: string } }>;
			usage: { cost: number; prompt_tokens_details: unknown };
		};
		expect(body.choices[0]?.message.content).toBe(CACHED_TEXT);
		expect(body.usage.prompt_tokens_details).toEqual({
			cached_tokens: cache_read_input_tokens,
			cache_creation_tokens: cache_creation_input_tokens,
			// No 1-hour price in this catalog entry: those writes cost the cache-write price too.
			cache_creation_1h_tokens: CACHED_USAGE.cache_creation.ephemeral_1h_input_tokens,
		});
		expect(body.usage.cost).toBe(cost);
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject(expectedRow(0));
	});

	it("records the same for a streamed answer", async () => {
		const res = await chat(key, {
			model,
			messages: [{ role: "user", content: "Hello" }],
			stream: true,
			stream_options: { include_usage: true },
		});
		expect(res.status).toBe(200);
		const { events } = await readSse(res);
		const last = events.at(-2) as { usage?: { cost: number } };
		expect(last.usage?.cost).toBe(cost);
		expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject(expectedRow(1));
	});
});
