import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	BAD_REQUEST_MESSAGE,
	CACHED_USAGE,
	JSON_TOOL_INPUT,
	PARTIAL_USAGE,
	RATE_LIMITED_RETRY_AFTER,
	signatureOf,
	TEXT,
	TEXT_USAGE,
	THINKING,
	THINKING_TOOL_LOOP,
	TOOL_LOOP,
	TOOL_NO_ARGS,
	TOOLS_PARALLEL,
} from "../fakes/scenarios/anthropic";
import { replayIt } from "../shared/replay";
import { chat, createKey, putModel, readSse, uniqueModelId, usageRow } from "./helpers";

/**
 * Claude models through the whole gateway, against the fake Anthropic API (test/fakes/anthropic-fake.ts,
 * whose header lists the scenarios chosen by upstream_model).
 */

const MAX_OUTPUT = 1234;
// input 1 $/M, output 2 $/M, cache reads 0.5 $/M (catalog prices of every model below).
const cost = (prompt: number, cached: number, completion: number) =>
	Math.round((((prompt - cached) * 1 + cached * 0.5 + completion * 2) / 1e6) * 1e9) / 1e9;
const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => {
	const prompt = input + cacheRead + cacheWrite;
	return {
		prompt_tokens: prompt,
		completion_tokens: output,
		total_tokens: prompt + output,
		prompt_tokens_details: { cached_tokens: cacheRead, cache_creation_tokens: cacheWrite },
		completion_tokens_details: { reasoning_tokens: 0 },
		cost: cost(prompt, cacheRead, output),
	};
};
/** The OpenAI usage the gateway must report for one of the fake's Anthropic usages. */
const usageOf = (u: {
	input_tokens: number;
	output_tokens: number;
	cache_read_input_tokens?: number;
	cache_creation_input_tokens?: number;
}) => usage(u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens);

let key: string;
const models = new Map<string, string>();

async function model(scenario: string): Promise<string> {
	let id = models.get(scenario);
	if (!id) {
		id = uniqueModelId("anthropic", scenario);
		await putModel(id, {
			provider: "anthropic",
			upstream_model: scenario,
			input_price: 1,
			output_price: 2,
			cached_input_price: 0.5,
			max_output_tokens: MAX_OUTPUT,
			capabilities: { vision: true, tools: true, json: true },
		});
		models.set(scenario, id);
	}
	return id;
}

const user = [{ role: "user", content: "Hello" }];
/** The one tool of the tool-loop scenarios. */
const WEATHER_TOOLS = [
	{
		type: "function",
		function: {
			name: "get_weather",
			parameters: { type: "object", properties: { city: { type: "string" } } },
		},
	},
];

beforeAll(async () => {
	({ key } = await createKey());
});

interface ToolCallDelta {
	index: number;
	id?: string;
	type?: string;
	function?: { name?: string; arguments?: string };
}
interface ChunkShape {
	id: string;
	object: string;
	model: string;
	choices: Array<{
		index: number;
		delta: {
			role?: string;
			content?: string | null;
			reasoning_content?: string;
			tool_calls?: ToolCallDelta[];
		};
		finish_reason: string | null;
	}>;
	usage?: unknown;
}
interface CompletionShape {
	choices: Array<{ message: Record<string, unknown> & { content: string | null }; finish_reason: string }>;
	usage: unknown;
}

/** Streams a request; returns the chunks (without [DONE]), the raw text and the gate id. */
async function streamed(scenario: string, body: Record<string, unknown> = {}) {
	const id = await model(scenario);
	const res = await chat(key, { model: id, messages: user, stream: true, ...body });
	expect(res.status).toBe(200);
	const gateId = res.headers.get("x-request-id") ?? "";
	const { events, raw } = await readSse(res);
	expect(raw).not.toContain("event:");
	expect(raw).not.toMatch(/SECRET|127\.0\.0\.1/);
	const done = events.at(-1) === "[DONE]";
	const chunks = (done ? events.slice(0, -1) : events) as ChunkShape[];
	return { id, gateId, chunks, done, events };
}

async function completed(scenario: string, body: Record<string, unknown> = {}) {
	const id = await model(scenario);
	const res = await chat(key, { model: id, messages: user, ...body });
	const text = await res.text();
	expect(text).not.toMatch(/SECRET|127\.0\.0\.1/);
	return { res, gateId: res.headers.get("x-request-id") ?? "", body: JSON.parse(text) as CompletionShape };
}

/** Rebuilds the final message from deltas the way the openai package's stream helper does. */
function reassemble(chunks: ChunkShape[]) {
	let content: string | null = null;
	let reasoning: string | undefined;
	let finish: string | null = null;
	const calls: Array<{ id: string; type: string; function: { name: string; arguments: string } }> = [];
	for (const chunk of chunks) {
		for (const choice of chunk.choices) {
			const { delta } = choice;
			if (typeof delta.content === "string") content = (content ?? "") + delta.content;
			if (delta.reasoning_content) reasoning = (reasoning ?? "") + delta.reasoning_content;
			for (const call of delta.tool_calls ?? []) {
				const existing = calls[call.index];
				if (!existing) {
					expect(call.index, "tool calls arrive in index order").toBe(calls.length);
					calls.push({
						id: call.id ?? "",
						type: call.type ?? "",
						function: { name: call.function?.name ?? "", arguments: call.function?.arguments ?? "" },
					});
				} else {
					expect(call.id, "only the first delta of a call carries its id").toBeUndefined();
					existing.function.arguments += call.function?.arguments ?? "";
				}
			}
			finish = choice.finish_reason ?? finish;
		}
	}
	const message: Record<string, unknown> = { role: "assistant", content: content === "" ? null : content };
	if (reasoning !== undefined) message.reasoning_content = reasoning;
	if (calls.length > 0) message.tool_calls = calls;
	return { message, finish };
}

const deltas = (chunks: ChunkShape[]) => chunks.map((chunk) => chunk.choices[0]?.delta);

/** The tool calls of `tools-parallel`, as the gateway must give them: arguments as JSON strings. */
const PARALLEL_CALLS = TOOLS_PARALLEL.calls.map(({ id, name, input }) => ({
	id,
	type: "function",
	function: { name, arguments: JSON.stringify(input) },
}));

describe("Claude through the gateway, non-streamed", () => {
	it("answers in OpenAI's shape with usage and cost, and records the usage row", async () => {
		const { res, gateId, body } = await completed("text");
		expect(res.status).toBe(200);
		expect(body).toEqual({
			id: gateId,
			object: "chat.completion",
			created: expect.any(Number),
			model: models.get("text"),
			choices: [
				{
					index: 0,
					message: { role: "assistant", content: TEXT, refusal: null },
					logprobs: null,
					finish_reason: "stop",
				},
			],
			usage: usageOf(TEXT_USAGE),
		});
		expect(await usageRow(gateId)).toMatchObject({
			provider: "anthropic",
			upstream_model: "text",
			prompt_tokens: TEXT_USAGE.input_tokens,
			completion_tokens: TEXT_USAGE.output_tokens,
			total_tokens: TEXT_USAGE.input_tokens + TEXT_USAGE.output_tokens,
			cost_usd: cost(TEXT_USAGE.input_tokens, 0, TEXT_USAGE.output_tokens),
			outcome: "ok",
			streamed: 0,
		});
	});

	it("counts cache reads and writes into prompt tokens and prices reads at the cached price", async () => {
		const { gateId, body } = await completed("cached");
		const withCache = usageOf(CACHED_USAGE);
		// The writes to a 1-hour cache are counted apart, for their own price.
		expect(body.usage).toEqual({
			...withCache,
			prompt_tokens_details: {
				...withCache.prompt_tokens_details,
				cache_creation_1h_tokens: CACHED_USAGE.cache_creation.ephemeral_1h_input_tokens,
			},
		});
		const { input_tokens, cache_creation_input_tokens, cache_read_input_tokens, output_tokens } =
			CACHED_USAGE;
		const prompt = input_tokens + cache_creation_input_tokens + cache_read_input_tokens;
		expect(await usageRow(gateId)).toMatchObject({
			prompt_tokens: prompt,
			cached_tokens: cache_read_input_tokens,
			cost_usd: cost(prompt, cache_read_input_tokens, output_tokens),
		});
	});

	it("returns parallel tool calls with their ids and JSON-string arguments", async () => {
		const { body } = await completed("tools-parallel");
		expect(body.choices[0]).toEqual({
			index: 0,
			message: {
				role: "assistant",
				content: TOOLS_PARALLEL.text,
				refusal: null,
				tool_calls: PARALLEL_CALLS,
			},
			logprobs: null,
			finish_reason: "tool_calls",
		});
	});

	it("exposes thinking as reasoning_content and maps refusal, max_tokens and stop_sequence", async () => {
		const thinking = await completed("thinking");
		expect(thinking.body.choices[0]?.message).toEqual({
			role: "assistant",
			content: THINKING.text,
			refusal: null,
			reasoning_content: THINKING.thinking,
		});
		const refusal = await completed("refusal");
		expect([refusal.body.choices[0]?.message.content, refusal.body.choices[0]?.finish_reason]).toEqual([
			null,
			"content_filter",
		]);
		expect((await completed("max-tokens")).body.choices[0]?.finish_reason).toBe("length");
		expect((await completed("stop-sequence")).body.choices[0]?.finish_reason).toBe("stop");
	});

	it("returns JSON content for response_format, not a tool call", async () => {
		const schema = { type: "object", properties: { answer: { type: "integer" }, unit: { type: "string" } } };
		for (const response_format of [
			{ type: "json_object" },
			{ type: "json_schema", json_schema: { name: "reading", schema, strict: true } },
		]) {
			const { res, body } = await completed("json-tool", { response_format });
			expect(res.status).toBe(200);
			expect(body.choices[0]).toEqual({
				index: 0,
				message: { role: "assistant", content: JSON.stringify(JSON_TOOL_INPUT), refusal: null },
				logprobs: null,
				finish_reason: "stop",
			});
		}
	});
});

describe("the translated request", () => {
	async function echoed(body: Record<string, unknown>) {
		const { res, body: completion } = await completed("echo-request", body);
		expect(res.status).toBe(200);
		return JSON.parse(completion.choices[0]?.message.content ?? "") as {
			headers: unknown;
			body: Record<string, unknown>;
		};
	}

	it("carries the version header and the catalog's max_tokens when the client gives none", async () => {
		expect(await echoed({})).toEqual({
			headers: {
				"anthropic-version": "2023-06-01",
				"content-type": "application/json",
				"anthropic-beta": null,
			},
			body: {
				model: "echo-request",
				max_tokens: MAX_OUTPUT,
				messages: [{ role: "user", content: [{ type: "text", text: "Hello" }] }],
			},
		});
	});

	it("maps every field a real client sends", async () => {
		const png =
			"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";
		const { body } = await echoed({
			messages: [
				{ role: "system", content: "Be brief." },
				{ role: "developer", content: [{ type: "text", text: "Use metric units." }] },
				{
					role: "user",
					content: [
						{ type: "text", text: "What is this?" },
						{ type: "image_url", image_url: { url: `data:image/png;base64,${png}`, detail: "high" } },
						{ type: "image_url", image_url: { url: "https://images.example/a.webp" } },
					],
				},
				{ role: "user", content: "And the weather?" },
			],
			max_completion_tokens: 300,
			temperature: 0.4,
			top_p: 0.8,
			stop: ["STOP"],
			user: "end-user-7",
			seed: 1,
			stream_options: null,
			tools: [
				{
					type: "function",
					function: {
						name: "get_weather",
						description: "Weather",
						parameters: { type: "object", properties: { city: { type: "string" } } },
					},
				},
			],
			tool_choice: "auto",
			parallel_tool_calls: false,
		});
		expect(body).toEqual({
			model: "echo-request",
			max_tokens: 300,
			messages: [
				{
					role: "user",
					content: [
						{ type: "text", text: "What is this?" },
						{ type: "image", source: { type: "base64", media_type: "image/png", data: png } },
						{ type: "image", source: { type: "url", url: "https://images.example/a.webp" } },
						{ type: "text", text: "And the weather?" },
					],
				},
			],
			system: [
				{ type: "text", text: "Be brief." },
				{ type: "text", text: "Use metric units." },
			],
			temperature: 0.4,
			top_p: 0.8,
			stop_sequences: ["STOP"],
			tools: [
				{
					name: "get_weather",
					description: "Weather",
					input_schema: { type: "object", properties: { city: { type: "string" } } },
				},
			],
			tool_choice: { type: "auto", disable_parallel_tool_use: true },
			metadata: { user_id: "end-user-7" },
		});
	});

	it("rejects what Claude cannot honour with a 400 naming the parameter", async () => {
		const id = await model("echo-request");
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ n: 3 }, "n"],
			[{ logprobs: true }, "logprobs"],
			[{ presence_penalty: 1 }, "presence_penalty"],
			[{ temperature: 1.7 }, "temperature"],
			[
				{
					messages: [
						{
							role: "user",
							content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } }],
						},
					],
				},
				"messages[0].content[0].image_url",
			],
			[
				{
					messages: [
						{
							role: "user",
							content: [{ type: "image_url", image_url: { url: "http://images.example/a.png" } }],
						},
					],
				},
				"messages[0].content[0].image_url",
			],
		];
		for (const [extra, param] of cases) {
			const res = await chat(key, { model: id, messages: user, ...extra });
			expect(res.status, param).toBe(400);
			const body = (await res.json()) as { error: { param: string; type: string } };
			expect(body.error, param).toMatchObject({ param, type: "invalid_request_error" });
			expect(await usageRow(res.headers.get("x-request-id") ?? "")).toMatchObject({
				status: 400,
				prompt_tokens: 0,
			});
		}
	});

	it("completes a multi-turn tool conversation whose second request the fake checks field by field", async () => {
		const id = await model("tool-loop");
		const tools = WEATHER_TOOLS;
		const first = [{ role: "user", content: TOOL_LOOP.question }];
		const res1 = await chat(key, { model: id, messages: first, tools });
		expect(res1.status).toBe(200);
		const turn1 = (await res1.json()) as CompletionShape;
		const assistant = turn1.choices[0]?.message;
		expect(assistant).toEqual({
			role: "assistant",
			content: null,
			refusal: null,
			tool_calls: [
				{
					id: TOOL_LOOP.call.id,
					type: "function",
					function: { name: TOOL_LOOP.call.name, arguments: JSON.stringify(TOOL_LOOP.call.input) },
				},
			],
		});
		const { chunks, done } = await streamed("tool-loop", {
			messages: [
				...first,
				assistant,
				{ role: "tool", tool_call_id: TOOL_LOOP.call.id, content: TOOL_LOOP.result },
			],
			tools,
		});
		expect(done).toBe(true);
		expect(reassemble(chunks)).toEqual({
			message: { role: "assistant", content: TOOL_LOOP.answer },
			finish: "stop",
		});
	});
});

describe("Claude's thinking through a tool loop", () => {
	const loop = THINKING_TOOL_LOOP;
	const tools = WEATHER_TOOLS;
	const first = [{ role: "user", content: loop.question }];
	const call = {
		id: loop.call.id,
		type: "function",
		function: { name: loop.call.name, arguments: JSON.stringify(loop.call.input) },
	};
	/** What the client sends back: the assistant message as OpenAI clients keep it, then the tool result. */
	const second = (assistant: Record<string, unknown>) => [
		...first,
		assistant,
		{ role: "tool", tool_call_id: loop.call.id, content: loop.result },
	];
	const kept = {
		anthropic: {
			thinking: [
				{ type: "thinking", thinking: loop.thinking, signature: signatureOf(loop.thinking) },
				{ type: "redacted_thinking", data: loop.redacted },
			],
		},
	};
	const keptRow = (keyId: string) =>
		env.DB.prepare("SELECT provider_metadata FROM turn_state WHERE key_id = ? AND tool_call_id = ?")
			.bind(keyId, loop.call.id)
			.first<{ provider_metadata: string }>();

	it("keeps the signed thinking of a non-streamed turn and sends it back on the streamed next one", async () => {
		const owner = await createKey();
		const id = await model("thinking-tool-loop");
		const res1 = await chat(owner.key, { model: id, messages: first, tools, reasoning_effort: "low" });
		expect(res1.status).toBe(200);
		const assistant = ((await res1.json()) as CompletionShape).choices[0]?.message;
		expect(assistant).toEqual({
			role: "assistant",
			content: null,
			refusal: null,
			reasoning_content: loop.thinking,
			tool_calls: [call],
		});
		expect(JSON.parse((await keptRow(owner.id))?.provider_metadata ?? "null")).toEqual(kept);

		// The fake answers only if both blocks come back unchanged, first, with thinking on.
		const res2 = await chat(owner.key, {
			model: id,
			messages: second(assistant ?? {}),
			tools,
			reasoning_effort: "low",
			stream: true,
		});
		expect(res2.status).toBe(200);
		const { events } = await readSse(res2);
		expect(events.at(-1)).toBe("[DONE]");
		expect(reassemble(events.slice(0, -1) as ChunkShape[])).toEqual({
			message: { role: "assistant", content: loop.answer, reasoning_content: loop.answerThinking },
			finish: "stop",
		});
	});

	it("keeps it from a streamed turn before the finish chunk, for a non-streamed next one", async () => {
		const owner = await createKey();
		const id = await model("thinking-tool-loop");
		const res1 = await chat(owner.key, {
			model: id,
			messages: first,
			tools,
			reasoning_effort: "low",
			stream: true,
		});
		const { events } = await readSse(res1);
		const assistant = reassemble(events.slice(0, -1) as ChunkShape[]).message;
		expect(assistant).toEqual({
			role: "assistant",
			content: null,
			reasoning_content: loop.thinking,
			tool_calls: [call],
		});
		expect(JSON.parse((await keptRow(owner.id))?.provider_metadata ?? "null")).toEqual(kept);

		const res2 = await chat(owner.key, {
			model: id,
			messages: second(assistant),
			tools,
			reasoning_effort: "low",
		});
		expect(res2.status).toBe(200);
		expect(((await res2.json()) as CompletionShape).choices[0]?.message).toEqual({
			role: "assistant",
			content: loop.answer,
			refusal: null,
			reasoning_content: loop.answerThinking,
		});
	});

	it("never hands one key's kept thinking to another key", async () => {
		const owner = await createKey();
		const stranger = await createKey();
		const id = await model("thinking-tool-loop");
		const res1 = await chat(owner.key, { model: id, messages: first, tools, reasoning_effort: "low" });
		const assistant = ((await res1.json()) as CompletionShape).choices[0]?.message ?? {};
		expect(await keptRow(stranger.id)).toBeNull();

		// Without the blocks the gateway leaves thinking off, which this scenario refuses.
		const res2 = await chat(stranger.key, {
			model: id,
			messages: second(assistant),
			tools,
			reasoning_effort: "low",
		});
		expect(res2.status).toBe(400);
		expect(((await res2.json()) as { error: { message: string } }).error.message).toContain(
			"thinking must be enabled",
		);
	});
});

describe("Claude through the gateway, streamed", () => {
	it("streams text as OpenAI chunks with usage on the finish chunk when asked", async () => {
		const { id, gateId, chunks, done } = await streamed("text", { stream_options: { include_usage: true } });
		expect(done).toBe(true);
		for (const chunk of chunks)
			expect([chunk.id, chunk.model, chunk.object]).toEqual([gateId, id, "chat.completion.chunk"]);
		expect(deltas(chunks)).toEqual([
			{ role: "assistant", content: "" },
			{ content: "Héllo," },
			{ content: " wörld" },
			{ content: "! 👋 Ho" },
			{ content: "w can " },
			{ content: "I help" },
			{ content: "?" },
			{},
		]);
		expect(chunks.slice(0, -1).every((chunk) => !("usage" in chunk))).toBe(true);
		expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
		expect(chunks.at(-1)?.usage).toEqual(usageOf(TEXT_USAGE));
		expect(await usageRow(gateId)).toMatchObject({
			outcome: "ok",
			streamed: 1,
			prompt_tokens: TEXT_USAGE.input_tokens,
			completion_tokens: TEXT_USAGE.output_tokens,
		});
	});

	it("keeps usage from a client that did not ask, and still records it", async () => {
		const { gateId, chunks } = await streamed("text");
		expect(chunks.every((chunk) => !("usage" in chunk))).toBe(true);
		expect(await usageRow(gateId)).toMatchObject({
			outcome: "ok",
			total_tokens: TEXT_USAGE.input_tokens + TEXT_USAGE.output_tokens,
		});
	});

	it("streams text followed by two parallel tool calls that reassemble into the exact message", async () => {
		const { chunks } = await streamed("tools-parallel", { stream_options: { include_usage: true } });
		expect(deltas(chunks)).toEqual([
			{ role: "assistant", content: "" },
			{ content: "Let me" },
			{ content: " check" },
			{ content: " both." },
			{
				tool_calls: [
					{
						index: 0,
						id: "toolu_fake_weather",
						type: "function",
						function: { name: "get_weather", arguments: "" },
					},
				],
			},
			{ tool_calls: [{ index: 0, function: { arguments: '{"cit' } }] },
			{ tool_calls: [{ index: 0, function: { arguments: 'y":"P' } }] },
			{ tool_calls: [{ index: 0, function: { arguments: 'aris"' } }] },
			{ tool_calls: [{ index: 0, function: { arguments: "}" } }] },
			{
				tool_calls: [
					{
						index: 1,
						id: "toolu_fake_time",
						type: "function",
						function: { name: "get_time", arguments: "" },
					},
				],
			},
			{ tool_calls: [{ index: 1, function: { arguments: '{"zon' } }] },
			{ tool_calls: [{ index: 1, function: { arguments: 'e":"E' } }] },
			{ tool_calls: [{ index: 1, function: { arguments: "urope" } }] },
			{ tool_calls: [{ index: 1, function: { arguments: "/Rome" } }] },
			{ tool_calls: [{ index: 1, function: { arguments: '"}' } }] },
			{},
		]);
		expect(chunks.at(-1)?.usage).toEqual(usageOf(TOOLS_PARALLEL.usage));
		expect(reassemble(chunks)).toEqual({
			message: { role: "assistant", content: TOOLS_PARALLEL.text, tool_calls: PARALLEL_CALLS },
			finish: "tool_calls",
		});
	});

	it("gives a tool call without arguments the arguments {}", async () => {
		const { chunks } = await streamed("tool-no-args");
		expect(reassemble(chunks)).toEqual({
			message: {
				role: "assistant",
				content: TOOL_NO_ARGS.text,
				tool_calls: [
					{
						id: TOOL_NO_ARGS.call.id,
						type: "function",
						function: { name: TOOL_NO_ARGS.call.name, arguments: "{}" },
					},
				],
			},
			finish: "tool_calls",
		});
	});

	it("streams thinking as reasoning_content", async () => {
		const { chunks } = await streamed("thinking");
		expect(reassemble(chunks)).toEqual({
			message: { role: "assistant", content: THINKING.text, reasoning_content: THINKING.thinking },
			finish: "stop",
		});
	});

	it("streams the JSON of response_format as content", async () => {
		const { chunks } = await streamed("json-tool", { response_format: { type: "json_object" } });
		expect(deltas(chunks)).toEqual([
			{ role: "assistant", content: "" },
			{ content: '{"ans' },
			{ content: 'wer":' },
			{ content: '42,"u' },
			{ content: 'nit":' },
			{ content: '"°C"}' },
			{},
		]);
		expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
	});

	it("turns a mid-stream error event into one OpenAI error event and records the tokens known so far", async () => {
		const { gateId, chunks, done, events } = await streamed("error-midstream");
		expect(done).toBe(false);
		expect(deltas(chunks.slice(0, -1))).toEqual([
			{ role: "assistant", content: "" },
			{ content: "Partia" },
			{ content: "l answ" },
			{ content: "er tha" },
			{ content: "t" },
		]);
		expect(events.at(-1)).toEqual({
			error: {
				message: "The upstream provider is temporarily overloaded; retry later.",
				type: "server_error",
				param: null,
				code: "overloaded",
			},
		});
		expect(await usageRow(gateId)).toMatchObject({
			outcome: "upstream_error",
			status: 503,
			error_code: "overloaded",
			prompt_tokens: PARTIAL_USAGE.input_tokens,
			streamed: 1,
		});
	});

	it("reports a stream cut before message_delta as truncated, and unreadable events as bad responses", async () => {
		const truncated = await streamed("truncated");
		expect(truncated.events.at(-1)).toMatchObject({ error: { code: "upstream_stream_truncated" } });
		expect(await usageRow(truncated.gateId)).toMatchObject({
			outcome: "upstream_error",
			prompt_tokens: PARTIAL_USAGE.input_tokens,
		});
		const garbage = await streamed("garbage");
		expect(garbage.events.at(-1)).toMatchObject({ error: { code: "upstream_bad_response" } });
	});
});

describe("Anthropic errors", () => {
	const cases: Array<[string, number, Record<string, unknown>]> = [
		[
			"bad-request",
			400,
			{
				type: "invalid_request_error",
				message: BAD_REQUEST_MESSAGE,
			},
		],
		["rate-limited", 429, { type: "rate_limit_error", code: "rate_limit_exceeded" }],
		["overloaded", 503, { type: "server_error", code: "overloaded" }],
		["server-error", 502, { type: "server_error", code: "upstream_error" }],
		["forbidden", 502, { code: "upstream_auth_failed" }],
		["no-such-model", 404, { code: "model_not_found" }],
		["too-large", 413, {}],
		["garbage", 502, { code: "upstream_bad_response" }],
	];
	for (const [scenario, status, error] of cases) {
		it(`maps ${scenario} to ${status}`, async () => {
			for (const stream of [false, true]) {
				const id = await model(scenario);
				const res = await chat(key, { model: id, messages: user, stream });
				const text = await res.text();
				if (scenario === "garbage" && stream) continue;
				expect(res.status, `${scenario} stream=${stream}`).toBe(status);
				expect(JSON.parse(text).error).toMatchObject(error);
				expect(text).not.toMatch(/SECRET|127\.0\.0\.1|organization/);
				if (scenario === "rate-limited")
					expect(res.headers.get("retry-after")).toBe(RATE_LIMITED_RETRY_AFTER);
				if (scenario === "forbidden")
					expect(JSON.parse(text).error.message).toMatch(/rejected the gateway's credentials/);
			}
		});
	}
});

describe("recorded Anthropic streams", () => {
	replayIt("replays a plain text stream", async () => {
		const { chunks, done } = await streamed("replay-text");
		expect(done).toBe(true);
		const { message, finish } = reassemble(chunks);
		expect(message.content).toBe("2");
		expect(finish).toBe("stop");
	});

	replayIt("replays a tool call with no arguments", async () => {
		const { message, finish } = reassemble((await streamed("replay-tool-no-args")).chunks);
		expect(message.tool_calls).toEqual([
			{
				id: expect.stringMatching(/^toolu_/),
				type: "function",
				function: { name: "updateIssueList", arguments: "{}" },
			},
		]);
		expect(finish).toBe("tool_calls");
	});

	replayIt("replays tool input split inside escaped quotes", async () => {
		const { message } = reassemble((await streamed("replay-quoted-tool")).chunks);
		const calls = message.tool_calls as Array<{ function: { arguments: string } }>;
		expect(calls).toHaveLength(1);
		expect(JSON.parse(calls[0]?.function.arguments ?? "")).toEqual(expect.any(Object));
	});

	replayIt("replays thinking then text", async () => {
		const { message, finish } = reassemble((await streamed("replay-thinking")).chunks);
		expect(message.reasoning_content).toEqual(expect.stringContaining("185"));
		expect(message.content).toEqual(expect.stringContaining("185"));
		expect(finish).toBe("stop");
	});

	replayIt("replays server-tool blocks without turning them into tool calls", async () => {
		const { message, finish } = reassemble((await streamed("replay-server-tools")).chunks);
		expect(message.tool_calls).toEqual([
			{
				id: expect.stringMatching(/^toolu_/),
				type: "function",
				function: { name: "get_exchange_rate", arguments: expect.any(String) },
			},
		]);
		const args =
			(message.tool_calls as Array<{ function: { arguments: string } }>)[0]?.function.arguments ?? "";
		expect(JSON.parse(args)).toEqual({ from_currency: "USD", to_currency: "EUR" });
		expect(finish).toBe("tool_calls");
	});
});
