import Anthropic from "@anthropic-ai/sdk";
import type { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import type {
	MessageCreateParamsNonStreaming,
	MessageParam,
	RawMessageStreamEvent,
	Tool,
} from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
	ANTHROPIC_KEY,
	BAD_REQUEST_MESSAGE,
	CACHED_TEXT,
	CACHED_USAGE,
	countTokensOf,
	PARTIAL_TEXT,
	RATE_LIMITED_RETRY_AFTER,
	signatureOf,
	TEXT,
	TEXT_USAGE,
	THINKING_TOOL_LOOP,
	TOOLS_PARALLEL,
} from "../fakes/scenarios/anthropic";
import {
	GEMINI_KEY,
	TEXT as GEMINI_TEXT,
	TEXT_TOKENS as GEMINI_TOKENS,
	PARALLEL,
} from "../fakes/scenarios/gemini";
import {
	OPENAI_KEY,
	TEXT as OPENAI_TEXT,
	USAGE as OPENAI_USAGE,
	STREAMED_TOOL_CALLS,
} from "../fakes/scenarios/openai";
import { GATE_ID } from "../shared/patterns";
import { type AdminClient, adminClient } from "./admin-client";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * The Anthropic Messages API of the real gateway (`npm run dev` → wrangler dev, local D1), driven by
 * the official `@anthropic-ai/sdk` as a client application would: Claude models passed through to the
 * fake Anthropic API (test/fakes/anthropic-fake.ts), OpenAI and Gemini models translated from their
 * fakes. The client must not be able to tell that anything but Anthropic answered, except that
 * `id` is the gateway's request id and `model` the catalog id it asked for.
 */

const ADMIN_TOKEN = "e2e-messages-admin-token";
// USD per million tokens, for every model; cache reads and writes of Claude priced apart.
const PRICES = { input_price: 1, output_price: 2 };
const CLAUDE_PRICES = { ...PRICES, cached_input_price: 0.5, cache_write_price: 1.25 };
const round = (usd: number) => Math.round(usd * 1e9) / 1e9;

/** catalog id → [provider, upstream model (the fake's scenario)]. */
const MODELS: Record<string, [string, string]> = {
	"anthropic/e2e-text": ["anthropic", "text"],
	"anthropic/e2e-cached": ["anthropic", "cached"],
	"anthropic/e2e-tools": ["anthropic", "tools-parallel"],
	"anthropic/e2e-think": ["anthropic", "thinking-tool-loop"],
	"anthropic/e2e-echo": ["anthropic", "echo-request"],
	"anthropic/e2e-midstream": ["anthropic", "error-midstream"],
	"anthropic/e2e-ratelimited": ["anthropic", "rate-limited"],
	"anthropic/e2e-badrequest": ["anthropic", "bad-request"],
	"openai/e2e-text": ["openai", "text"],
	"openai/e2e-tools": ["openai", "tools"],
	"google/e2e-text": ["google", "text"],
	"google/e2e-tools": ["google", "tool-parallel"],
};

const HELLO: MessageParam[] = [{ role: "user", content: "Hello" }];
const WEATHER: Tool = {
	name: "get_weather",
	description: "Current weather for a city",
	input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const TIME: Tool = {
	name: "get_time",
	description: "Current time in a time zone",
	input_schema: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
};
/** Gemini's tool-parallel scenario calls its first declared function once per location. */
const LOCATION_WEATHER: Tool = {
	name: "get_weather",
	input_schema: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type ApiError = InstanceType<typeof Anthropic.APIError>;

/** The events of a stream as they arrive (copies: the SDK builds its message on message_start's object). */
function eventsOf(stream: MessageStream<unknown>): RawMessageStreamEvent[] {
	const events: RawMessageStreamEvent[] = [];
	stream.on("streamEvent", (event) => events.push(structuredClone(event)));
	return events;
}

/**
 * Anthropic's stream grammar, which the SDK does not check: message_start first; blocks started in
 * index order from 0; every delta and stop names a started block that has not stopped; every block
 * stopped before message_delta, then message_stop.
 */
function expectWellFormed(events: RawMessageStreamEvent[]): void {
	expect(events[0]?.type).toBe("message_start");
	expect(events.slice(-2).map((event) => event.type)).toEqual(["message_delta", "message_stop"]);
	const open = new Set<number>();
	let next = 0;
	for (const event of events.slice(1, -2)) {
		const where = JSON.stringify(event);
		if (event.type === "content_block_start") {
			expect(event.index, where).toBe(next);
			open.add(next++);
		} else if (event.type === "content_block_delta") expect(open.has(event.index), where).toBe(true);
		else if (event.type === "content_block_stop") expect(open.delete(event.index), where).toBe(true);
		else throw new Error(`unexpected ${where} between message_start and message_delta`);
	}
	expect(open.size).toBe(0);
}

describe("the Messages API under wrangler dev, through @anthropic-ai/sdk", () => {
	const anthropicUrl = inject("anthropicUrl");
	let gateway: RunningGateway;
	let admin: AdminClient;
	let clientKey = "";
	let clientKeyId = "";
	let client: Anthropic;
	/** The gate ids of the billed requests that reached an upstream, to find their log lines. */
	const gateIds: string[] = [];

	// No retries anywhere: every request the SDK sends is one the test counts.
	const sdk = (apiKey: string) => new Anthropic({ apiKey, baseURL: gateway.baseUrl, maxRetries: 0 });

	beforeAll(async () => {
		gateway = await startGateway({
			vars: {
				ANTHROPIC_BASE_URL: anthropicUrl,
				ANTHROPIC_API_KEY: ANTHROPIC_KEY,
				OPENAI_BASE_URL: `${inject("openaiUrl")}/v1`,
				OPENAI_API_KEY: OPENAI_KEY,
				GEMINI_BASE_URL: inject("geminiUrl"),
				GEMINI_API_KEY: GEMINI_KEY,
				ADMIN_TOKEN,
				LOG_REQUESTS: "on",
			},
		});
		admin = adminClient(gateway.baseUrl, ADMIN_TOKEN);
		for (const [id, [provider, upstream_model]] of Object.entries(MODELS)) {
			await admin.putModel(id, {
				provider,
				upstream_model,
				...(provider === "anthropic" ? CLAUDE_PRICES : PRICES),
				capabilities: { tools: true },
			});
		}
		const created = await admin.createKey({ name: "e2e messages client" });
		clientKey = created.key;
		clientKeyId = created.id;
		client = sdk(clientKey);
	});

	afterAll(async () => {
		await gateway?.stop();
	});

	describe("Claude, passed through", () => {
		it("answers messages.create with the gate id, the catalog id and the upstream's content and usage", async () => {
			const { data, response } = await client.messages
				.create({ model: "anthropic/e2e-text", max_tokens: 256, messages: HELLO })
				.withResponse();
			expect(response.status).toBe(200);
			expect(data.id).toMatch(GATE_ID);
			expect(response.headers.get("x-request-id")).toBe(data.id);
			expect(data).toEqual({
				id: data.id,
				type: "message",
				role: "assistant",
				model: "anthropic/e2e-text",
				content: [{ type: "text", text: TEXT }],
				stop_reason: "end_turn",
				stop_sequence: null,
				usage: TEXT_USAGE,
			});
			gateIds.push(data.id);
		});

		it("streams with messages.stream: every event of the upstream, id and model rewritten in message_start", async () => {
			const stream = client.messages.stream({
				model: "anthropic/e2e-text",
				max_tokens: 256,
				messages: HELLO,
			});
			const events = eventsOf(stream);
			let text = "";
			stream.on("text", (delta) => {
				text += delta;
			});
			const final = await stream.finalMessage();
			expect(text).toBe(TEXT);
			expect(final.id).toMatch(GATE_ID);
			expect(final).toMatchObject({
				model: "anthropic/e2e-text",
				content: [{ type: "text", text: TEXT }],
				stop_reason: "end_turn",
				usage: { ...TEXT_USAGE, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
			});
			expect(events.map((event) => event.type)).toEqual([
				"message_start",
				"content_block_start",
				...Array(Math.ceil(Array.from(TEXT).length / 6)).fill("content_block_delta"),
				"content_block_stop",
				"message_delta",
				"message_stop",
			]);
			expect(events[0]).toEqual({
				type: "message_start",
				message: {
					id: final.id,
					type: "message",
					role: "assistant",
					model: "anthropic/e2e-text",
					content: [],
					stop_reason: null,
					stop_sequence: null,
					// The real input count at the start (not 0), and the placeholder output count.
					usage: {
						...TEXT_USAGE,
						cache_creation_input_tokens: 0,
						cache_read_input_tokens: 0,
						output_tokens: 1,
					},
				},
			});
			gateIds.push(final.id);
		});

		it("reports prompt caching (reads, writes and their split) in the answer and in message_start", async () => {
			// What Claude Code sends: cache breakpoints on the system prompt, the tools and the last turn,
			// and metadata.user_id. The fake refuses any of them malformed.
			const params = {
				model: "anthropic/e2e-cached",
				max_tokens: 256,
				system: [
					{ type: "text" as const, text: "You are a weather bot." },
					{
						type: "text" as const,
						text: "Long instructions.",
						cache_control: { type: "ephemeral" as const },
					},
				],
				tools: [{ ...WEATHER, cache_control: { type: "ephemeral" as const, ttl: "1h" as const } }],
				messages: [
					{
						role: "user" as const,
						content: [
							{ type: "text" as const, text: "Hello", cache_control: { type: "ephemeral" as const } },
						],
					},
				],
				metadata: { user_id: "user_e2e_account__session_1" },
			};
			const created = await client.messages.create(params);
			expect(created.id).toMatch(GATE_ID);
			expect(created.model).toBe("anthropic/e2e-cached");
			expect(created.content).toEqual([{ type: "text", text: CACHED_TEXT }]);
			expect(created.usage).toEqual(CACHED_USAGE);

			const stream = client.messages.stream(params);
			let start: unknown;
			stream.on("streamEvent", (event) => {
				if (event.type === "message_start") start = structuredClone(event.message.usage);
			});
			const final = await stream.finalMessage();
			expect(start).toEqual({ ...CACHED_USAGE, output_tokens: 1 });
			expect(final.usage).toEqual(CACHED_USAGE);
			expect(final.content).toEqual([{ type: "text", text: CACHED_TEXT }]);
			gateIds.push(created.id, final.id);
		});

		it("reassembles two parallel tool calls with the SDK's stream helper", async () => {
			const stream = client.messages.stream({
				model: "anthropic/e2e-tools",
				max_tokens: 512,
				tools: [WEATHER, TIME],
				messages: [{ role: "user", content: "Weather in Paris and the time in Rome?" }],
			});
			const events = eventsOf(stream);
			const inputs: string[] = [];
			stream.on("inputJson", (partial) => inputs.push(partial));
			const final = await stream.finalMessage();
			expectWellFormed(events);
			expect(final.id).toMatch(GATE_ID);
			expect(final.model).toBe("anthropic/e2e-tools");
			expect(final.stop_reason).toBe("tool_use");
			expect(final.content).toEqual([
				{ type: "text", text: TOOLS_PARALLEL.text },
				...TOOLS_PARALLEL.calls.map((call) => ({ type: "tool_use", ...call })),
			]);
			expect(inputs.join("")).toBe(TOOLS_PARALLEL.calls.map((call) => JSON.stringify(call.input)).join(""));
			expect(final.usage).toMatchObject(TOOLS_PARALLEL.usage);
			gateIds.push(final.id);
		});

		it("sends the signed thinking of a streamed first turn back on the next, as the fake requires", async () => {
			const loop = THINKING_TOOL_LOOP;
			const thinking = { type: "enabled" as const, budget_tokens: 2048 };
			const question: MessageParam = { role: "user", content: loop.question };
			const stream = client.messages.stream({
				model: "anthropic/e2e-think",
				max_tokens: 4096,
				thinking,
				tools: [WEATHER],
				messages: [question],
			});
			const events = eventsOf(stream);
			const first = await stream.finalMessage();
			expectWellFormed(events);
			expect(first.stop_reason).toBe("tool_use");
			expect(first.content).toEqual([
				{ type: "thinking", thinking: loop.thinking, signature: signatureOf(loop.thinking) },
				{ type: "redacted_thinking", data: loop.redacted },
				{ type: "tool_use", ...loop.call },
			]);
			// The history as an SDK user builds it: the assistant turn exactly as it came back.
			const second = await client.messages.create({
				model: "anthropic/e2e-think",
				max_tokens: 4096,
				thinking,
				tools: [WEATHER],
				messages: [
					question,
					{ role: "assistant", content: first.content },
					{
						role: "user",
						content: [{ type: "tool_result", tool_use_id: loop.call.id, content: loop.result }],
					},
				],
			});
			expect(second.id).toMatch(GATE_ID);
			expect(second.id).not.toBe(first.id);
			expect(second.content).toEqual([
				{ type: "thinking", thinking: loop.answerThinking, signature: signatureOf(loop.answerThinking) },
				{ type: "text", text: loop.answer },
			]);
			expect(second.usage).toEqual(loop.answerUsage);
			gateIds.push(first.id, second.id);
		});

		it("passes the body through unchanged but its model, on the beta path, with the betas", async () => {
			const betas = ["interleaved-thinking-2025-05-14", "context-1m-2025-08-07"];
			const params = {
				model: "anthropic/e2e-echo",
				max_tokens: 100,
				system: "Be brief.",
				messages: [{ role: "user" as const, content: "Hello" }],
				tools: [WEATHER, { type: "web_search_20250305" as const, name: "web_search" as const, max_uses: 2 }],
				tool_choice: { type: "auto" as const, disable_parallel_tool_use: true },
				stop_sequences: ["STOP"],
				metadata: { user_id: "user_e2e" },
			};
			const answer = await client.beta.messages.create({ ...params, betas });
			expect(answer.id).toMatch(GATE_ID);
			expect(answer.model).toBe("anthropic/e2e-echo");
			const block = answer.content[0];
			if (block?.type !== "text") throw new Error(`expected a text block, got ${JSON.stringify(block)}`);
			const echoed = JSON.parse(block.text) as { headers: Record<string, string | null>; body: unknown };
			expect(echoed.body).toEqual({ ...params, model: "echo-request" });
			expect(echoed.headers["anthropic-beta"]).toBe(betas.join(","));
			expect(echoed.headers["content-type"]).toBe("application/json");
			expect(block.text).not.toContain(clientKey);
			gateIds.push(answer.id);
		});

		it("keeps the upstream's bytes, but id and model, for a raw client sending x-api-key", async () => {
			const body = { max_tokens: 64, messages: HELLO };
			const send = (base: string, key: string, model: string, stream: boolean) =>
				fetch(`${base}/v1/messages?beta=true`, {
					method: "POST",
					headers: {
						"x-api-key": key,
						"anthropic-version": "2023-06-01",
						"content-type": "application/json",
					},
					body: JSON.stringify({ model, ...body, stream }),
				});
			for (const stream of [false, true]) {
				const upstream = await send(anthropicUrl, ANTHROPIC_KEY, "text", stream);
				const expected = await upstream.text();
				const res = await send(gateway.baseUrl, clientKey, "anthropic/e2e-text", stream);
				const got = await res.text();
				expect(res.status, got).toBe(200);
				const gateId = res.headers.get("x-request-id") ?? "";
				expect(gateId).toMatch(GATE_ID);
				expect(res.headers.get("content-type")).toBe(upstream.headers.get("content-type"));
				expect(expected.split('"id":"msg_fake"')).toHaveLength(2);
				expect(got).toBe(
					expected
						.replace('"id":"msg_fake"', `"id":"${gateId}"`)
						.replace('"model":"text"', '"model":"anthropic/e2e-text"'),
				);
				gateIds.push(gateId);
			}
		});

		it("raises the SDK's APIError for Claude's mid-stream error event, after the text before it", async () => {
			const stream = client.messages.stream({
				model: "anthropic/e2e-midstream",
				max_tokens: 64,
				messages: HELLO,
			});
			let text = "";
			stream.on("text", (delta) => {
				text += delta;
			});
			const failure = await stream.finalMessage().catch((error: unknown) => error);
			expect(text).toBe(PARTIAL_TEXT);
			expect(failure).toBeInstanceOf(Anthropic.APIError);
			expect((failure as ApiError).error).toMatchObject({
				type: "error",
				error: { type: "overloaded_error" },
			});
		});
	});

	describe("OpenAI and Gemini, translated", () => {
		const TRANSLATED: Array<{
			model: string;
			text: string;
			usage: Record<string, number>;
		}> = [
			{
				model: "openai/e2e-text",
				text: OPENAI_TEXT,
				// Anthropic's input_tokens leaves out the cache reads, which OpenAI counts in prompt_tokens.
				usage: {
					input_tokens: OPENAI_USAGE.prompt_tokens - OPENAI_USAGE.prompt_tokens_details.cached_tokens,
					cache_read_input_tokens: OPENAI_USAGE.prompt_tokens_details.cached_tokens,
					output_tokens: OPENAI_USAGE.completion_tokens,
				},
			},
			{
				model: "google/e2e-text",
				text: GEMINI_TEXT,
				// Gemini's thoughts are output tokens, as Claude's thinking is.
				usage: {
					input_tokens: GEMINI_TOKENS.prompt,
					output_tokens: GEMINI_TOKENS.candidates + GEMINI_TOKENS.thoughts,
				},
			},
		];

		for (const { model, text, usage } of TRANSLATED) {
			it(`answers messages.create and messages.stream with ${model}'s text as a Messages answer`, async () => {
				const created = await client.messages.create({ model, max_tokens: 256, messages: HELLO });
				expect(created.id).toMatch(GATE_ID);
				expect(created).toMatchObject({
					type: "message",
					role: "assistant",
					model,
					content: [{ type: "text", text }],
					stop_reason: "end_turn",
					stop_sequence: null,
					usage,
				});

				const stream = client.messages.stream({ model, max_tokens: 256, messages: HELLO });
				const events = eventsOf(stream);
				let streamed = "";
				stream.on("text", (delta) => {
					streamed += delta;
				});
				const final = await stream.finalMessage();
				expect(streamed).toBe(text);
				expect(final.id).toMatch(GATE_ID);
				expect(final.id).not.toBe(created.id);
				expect(final).toMatchObject({
					model,
					content: [{ type: "text", text }],
					stop_reason: "end_turn",
					usage,
				});
				const start = events[0];
				expect(start?.type).toBe("message_start");
				if (start?.type === "message_start") {
					expect(start.message).toMatchObject({ id: final.id, model, role: "assistant", content: [] });
					expect(start.message.usage.input_tokens).toBeGreaterThan(0);
				}
				expectWellFormed(events);
				gateIds.push(created.id, final.id);
			});
		}

		it("reassembles OpenAI's two streamed tool calls with the SDK's stream helper", async () => {
			const stream = client.messages.stream({
				model: "openai/e2e-tools",
				max_tokens: 512,
				tools: [WEATHER, TIME],
				messages: [{ role: "user", content: "Weather in Paris, and the time in CET?" }],
			});
			const events = eventsOf(stream);
			const final = await stream.finalMessage();
			expectWellFormed(events);
			expect(final.id).toMatch(GATE_ID);
			expect(final.model).toBe("openai/e2e-tools");
			expect(final.stop_reason).toBe("tool_use");
			expect(final.content).toEqual(
				STREAMED_TOOL_CALLS.map(({ id, name, pieces }) => ({
					type: "tool_use",
					id,
					name,
					input: JSON.parse(pieces.join("")),
				})),
			);
			expect(final.content[0]).toMatchObject({ input: { city: 'Paris "France"' } });
			expect(final.usage).toMatchObject({ output_tokens: OPENAI_USAGE.completion_tokens });
			gateIds.push(final.id);
		});

		it("reassembles Gemini's text and two parallel function calls with the SDK's stream helper", async () => {
			const stream = client.messages.stream({
				model: "google/e2e-tools",
				max_tokens: 512,
				tools: [LOCATION_WEATHER],
				messages: [{ role: "user", content: "Weather in Paris and Tokyo?" }],
			});
			const events = eventsOf(stream);
			const final = await stream.finalMessage();
			expectWellFormed(events);
			expect(final.id).toMatch(GATE_ID);
			expect(final.model).toBe("google/e2e-tools");
			expect(final.stop_reason).toBe("tool_use");
			expect(final.content).toEqual([
				{ type: "text", text: PARALLEL.text },
				...PARALLEL.locations.map((location) => ({
					type: "tool_use",
					id: expect.any(String),
					name: "get_weather",
					input: { location },
				})),
			]);
			const ids = final.content.flatMap((block) => (block.type === "tool_use" ? [block.id] : []));
			expect(new Set(ids).size).toBe(2);
			expect(ids.every((id) => id.length > 0)).toBe(true);
			expect(final.usage).toMatchObject({ input_tokens: 30, output_tokens: 50 });
			gateIds.push(final.id);
		});
	});

	describe("messages.countTokens", () => {
		const prompt = {
			system: "You are a weather bot.",
			tools: [WEATHER],
			messages: [{ role: "user" as const, content: "What is the weather in Paris today?" }],
		};

		it("asks Claude's own count_tokens and says the count is exact", async () => {
			const params = { model: "anthropic/e2e-text", ...prompt };
			const { data, response } = await client.messages.countTokens(params).withResponse();
			expect(response.status).toBe(200);
			expect(data).toEqual({ input_tokens: countTokensOf(params) });
			expect(response.headers.get("x-aigate-token-count")).toBe("exact");

			// The beta client's path (?beta=true) and betas header reach the same count.
			const beta = await client.beta.messages
				.countTokens({ ...params, betas: ["token-efficient-tools-2025-02-19"] })
				.withResponse();
			expect(beta.data).toEqual({ input_tokens: countTokensOf(params) });
			expect(beta.response.headers.get("x-aigate-token-count")).toBe("exact");
		});

		it("estimates for Gemini, and says so", async () => {
			const { data, response } = await client.messages
				.countTokens({ model: "google/e2e-text", ...prompt })
				.withResponse();
			expect(response.status).toBe(200);
			expect(response.headers.get("x-aigate-token-count")).toBe("estimate");
			expect(Object.keys(data)).toEqual(["input_tokens"]);
			expect(Number.isInteger(data.input_tokens)).toBe(true);
			expect(data.input_tokens).toBeGreaterThan(0);
			const longer = await client.messages.countTokens({
				model: "google/e2e-text",
				...prompt,
				messages: [{ role: "user", content: "What is the weather in Paris today? ".repeat(50) }],
			});
			expect(longer.input_tokens).toBeGreaterThan(data.input_tokens);
		});
	});

	describe("errors, as the SDK's error classes", () => {
		it("AuthenticationError (401) for a key the gateway does not know", async () => {
			const failure = await sdk("sk-this-key-does-not-exist")
				.messages.create({ model: "anthropic/e2e-text", max_tokens: 64, messages: HELLO })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(Anthropic.AuthenticationError);
			expect(failure).toMatchObject({ status: 401, type: "authentication_error" });
			expect((failure as ApiError).error).toMatchObject({
				type: "error",
				error: { type: "authentication_error", message: expect.any(String) },
			});
		});

		it("PermissionDeniedError (403) for a model the key may not use", async () => {
			const restricted = await admin.createKey({
				name: "e2e messages, text only",
				models: ["anthropic/e2e-text"],
			});
			const failure = await sdk(restricted.key)
				.messages.create({ model: "anthropic/e2e-tools", max_tokens: 64, messages: HELLO })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(Anthropic.PermissionDeniedError);
			expect(failure).toMatchObject({ status: 403, type: "permission_error" });
			expect((failure as ApiError).apiMessage).toContain("anthropic/e2e-tools");
			// The model it may use still answers.
			const allowed = await sdk(restricted.key).messages.create({
				model: "anthropic/e2e-text",
				max_tokens: 64,
				messages: HELLO,
			});
			expect(allowed.content).toEqual([{ type: "text", text: TEXT }]);
		});

		it("NotFoundError (404) for a model the catalog does not have, on messages and count_tokens", async () => {
			const failure = await client.messages
				.create({ model: "anthropic/e2e-does-not-exist", max_tokens: 64, messages: HELLO })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(Anthropic.NotFoundError);
			expect(failure).toMatchObject({ status: 404, type: "not_found_error" });
			expect((failure as ApiError).apiMessage).toContain("anthropic/e2e-does-not-exist");
			expect((failure as ApiError).headers?.get("x-request-id")).toMatch(GATE_ID);

			const count = await client.messages
				.countTokens({ model: "anthropic/e2e-does-not-exist", messages: HELLO })
				.catch((error: unknown) => error);
			expect(count).toBeInstanceOf(Anthropic.NotFoundError);
			expect(count).toMatchObject({ status: 404, type: "not_found_error" });
		});

		it("RateLimitError (429) with Claude's retry-after, retries off", async () => {
			const failure = await client.messages
				.create({ model: "anthropic/e2e-ratelimited", max_tokens: 64, messages: HELLO })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(Anthropic.RateLimitError);
			expect(failure).toMatchObject({ status: 429, type: "rate_limit_error" });
			expect((failure as ApiError).headers?.get("retry-after")).toBe(RATE_LIMITED_RETRY_AFTER);
		});

		it("BadRequestError (400) for a request the gateway refuses and for one Claude refuses", async () => {
			const noMessages = await client.messages
				.create({ model: "anthropic/e2e-text", max_tokens: 64, messages: [] })
				.catch((error: unknown) => error);
			expect(noMessages).toBeInstanceOf(Anthropic.BadRequestError);
			expect(noMessages).toMatchObject({ status: 400, type: "invalid_request_error" });

			const noMaxTokens = await client.messages
				.create({ model: "openai/e2e-text", messages: HELLO } as unknown as MessageCreateParamsNonStreaming)
				.catch((error: unknown) => error);
			expect(noMaxTokens).toBeInstanceOf(Anthropic.BadRequestError);
			expect(noMaxTokens).toMatchObject({ status: 400, type: "invalid_request_error" });
			expect((noMaxTokens as ApiError).apiMessage).toContain("max_tokens");

			const upstream = await client.messages
				.create({ model: "anthropic/e2e-badrequest", max_tokens: 64, messages: HELLO })
				.catch((error: unknown) => error);
			expect(upstream).toBeInstanceOf(Anthropic.BadRequestError);
			expect((upstream as ApiError).error).toMatchObject({
				type: "error",
				error: { type: "invalid_request_error", message: BAD_REQUEST_MESSAGE },
			});
		});
	});

	it("records usage per model, cache reads and writes priced apart, count_tokens not billed", async () => {
		const cost = (
			prompt: number,
			completion: number,
			cacheRead = 0,
			cacheWrite = 0,
			cachedPrice = 1,
			writePrice = 1,
		) =>
			(prompt - cacheRead - cacheWrite) * 1 +
			cacheRead * cachedPrice +
			cacheWrite * writePrice +
			completion * 2;
		const row = (
			model: string,
			requests: number,
			prompt: number,
			completion: number,
			usdPerRequest: number,
		) => ({
			group: model,
			requests,
			prompt_tokens: requests * prompt,
			completion_tokens: requests * completion,
			total_tokens: requests * (prompt + completion),
			cost: round((requests * usdPerRequest) / 1e6),
			errors: 0,
		});
		const cachedPrompt =
			CACHED_USAGE.input_tokens +
			CACHED_USAGE.cache_read_input_tokens +
			CACHED_USAGE.cache_creation_input_tokens;
		const textPrompt = TEXT_USAGE.input_tokens;
		const loop = THINKING_TOOL_LOOP;
		const expected = [
			// create, stream and the raw client's two answered; the 400 for an empty message list is
			// recorded without tokens; the two count_tokens calls are not recorded at all.
			{
				...row(
					"anthropic/e2e-text",
					4,
					textPrompt,
					TEXT_USAGE.output_tokens,
					cost(textPrompt, TEXT_USAGE.output_tokens),
				),
				requests: 5,
				errors: 1,
			},
			row(
				"anthropic/e2e-cached",
				2,
				cachedPrompt,
				CACHED_USAGE.output_tokens,
				cost(
					cachedPrompt,
					CACHED_USAGE.output_tokens,
					CACHED_USAGE.cache_read_input_tokens,
					CACHED_USAGE.cache_creation_input_tokens,
					0.5,
					1.25,
				),
			),
			row(
				"anthropic/e2e-tools",
				1,
				TOOLS_PARALLEL.usage.input_tokens,
				TOOLS_PARALLEL.usage.output_tokens,
				cost(TOOLS_PARALLEL.usage.input_tokens, TOOLS_PARALLEL.usage.output_tokens),
			),
			{
				group: "anthropic/e2e-think",
				requests: 2,
				errors: 0,
				prompt_tokens: loop.callUsage.input_tokens + loop.answerUsage.input_tokens,
				completion_tokens: loop.callUsage.output_tokens + loop.answerUsage.output_tokens,
				total_tokens:
					loop.callUsage.input_tokens +
					loop.answerUsage.input_tokens +
					loop.callUsage.output_tokens +
					loop.answerUsage.output_tokens,
				cost: round(
					(cost(loop.callUsage.input_tokens, loop.callUsage.output_tokens) +
						cost(loop.answerUsage.input_tokens, loop.answerUsage.output_tokens)) /
						1e6,
				),
			},
			// create and stream; and the 400 for a missing max_tokens, without tokens
			{
				...row(
					"openai/e2e-text",
					2,
					OPENAI_USAGE.prompt_tokens,
					OPENAI_USAGE.completion_tokens,
					cost(OPENAI_USAGE.prompt_tokens, OPENAI_USAGE.completion_tokens),
				),
				requests: 3,
				errors: 1,
			},
			row(
				"openai/e2e-tools",
				1,
				OPENAI_USAGE.prompt_tokens,
				OPENAI_USAGE.completion_tokens,
				cost(OPENAI_USAGE.prompt_tokens, OPENAI_USAGE.completion_tokens),
			),
			row(
				"google/e2e-text",
				2,
				GEMINI_TOKENS.prompt,
				GEMINI_TOKENS.candidates + GEMINI_TOKENS.thoughts,
				cost(GEMINI_TOKENS.prompt, GEMINI_TOKENS.candidates + GEMINI_TOKENS.thoughts),
			),
			row("google/e2e-tools", 1, 30, 50, cost(30, 50)),
		];
		const rowsOf = async (model: string) => {
			const res = await admin.request(`/admin/usage?group_by=model&key_id=${clientKeyId}&model=${model}`);
			expect(res.status, res.text).toBe(200);
			return (JSON.parse(res.text) as { data: Array<{ requests: number }> }).data;
		};
		// Rows are written after the response (waitUntil): poll until all of them are in.
		const got: unknown[] = [];
		for (const want of expected) {
			let rows = await rowsOf(want.group);
			for (let i = 0; i < 50 && (rows[0]?.requests ?? 0) < want.requests; i++) {
				await sleep(100);
				rows = await rowsOf(want.group);
			}
			got.push(...rows);
		}
		expect(got).toEqual(expected);
	});

	it("logs every billed request under the messages ingress, and no secret", async () => {
		const lineOf = (id: string) =>
			gateway
				.logs()
				.split("\n")
				.find((line) => line.includes(`"gate_id":"${id}"`));
		for (let i = 0; i < 50 && !gateIds.every(lineOf); i++) await sleep(100);
		expect(gateIds.length).toBeGreaterThan(10);
		for (const id of gateIds) {
			const line = lineOf(id);
			expect(line, `no log line for ${id}`).toBeDefined();
			const fields = JSON.parse(line?.slice(line.indexOf("{"), line.lastIndexOf("}") + 1) ?? "{}") as Record<
				string,
				unknown
			>;
			expect(fields, id).toMatchObject({
				gate_id: id,
				key_id: clientKeyId,
				ingress: "messages",
				status: 200,
			});
		}
		const logs = gateway.logs();
		for (const secret of [
			ANTHROPIC_KEY,
			OPENAI_KEY,
			GEMINI_KEY,
			ADMIN_TOKEN,
			clientKey,
			clientKey.slice(10),
		]) {
			expect(logs).not.toContain(secret);
		}
		expect(logs).not.toContain(new URL(anthropicUrl).host);
		expect(logs).not.toContain("Uncaught");
		expect(logs).not.toContain("had hung");
		expect(logs).not.toContain("from a different request context");
	});
});
