import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
	TEXT_PIECES as GEMINI_PIECES,
	TEXT as GEMINI_TEXT,
	IMAGE,
	PARALLEL,
	TEXT_TOKENS,
} from "../../fakes/scenarios/gemini";
import {
	OPENAI_KEY,
	PARTIAL,
	STREAMED_TOOL_CALLS,
	TEXT,
	TEXT_PIECES,
	TOOL_CALL,
	USAGE,
} from "../../fakes/scenarios/openai";
import { GATE_ID } from "../../shared/patterns";
import { admin, createKey, gateway, putModel, uniqueModelId, usageRow } from "../helpers";
import { messages, type NamedEvent, readMessagesStream } from "./helpers";

/**
 * /v1/messages for every model that is not Claude: the Messages request is translated to the
 * canonical (OpenAI chat) request and through the model's adapter, against the fake OpenAI and
 * Gemini APIs; the answer comes back as a Messages response or Anthropic event stream.
 */

type Json = Record<string, unknown>;
type Capabilities = Partial<{ vision: boolean; tools: boolean; json: boolean; image_output: boolean }>;

let key: string;
const models = new Map<string, string>();

async function model(provider: string, scenario: string, capabilities?: Capabilities): Promise<string> {
	const cacheKey = `${provider}:${scenario}:${JSON.stringify(capabilities ?? null)}`;
	let id = models.get(cacheKey);
	if (!id) {
		id = uniqueModelId(provider, scenario);
		await putModel(id, { provider, upstream_model: scenario, ...(capabilities ? { capabilities } : {}) });
		models.set(cacheKey, id);
	}
	return id;
}
const imageModel = (scenario: string) => model("google", scenario, { vision: true, image_output: true });

const hello = [{ role: "user", content: "Hello" }];
/**
 * What message_start says before the upstream has reported usage: the gateway's estimate for `hello`
 * (estimate-tokens.ts: "Hello" is 5 characters, one token per 4, rounded up, plus 4 for the message).
 */
const HELLO_ESTIMATE = Math.ceil("Hello".length / 4) + 4;

/** The fake OpenAI's usage (19 prompt tokens, 3 of them cache reads) in Anthropic's terms. */
const OPENAI_MESSAGE_USAGE = {
	input_tokens: USAGE.prompt_tokens - USAGE.prompt_tokens_details.cached_tokens,
	cache_creation_input_tokens: 0,
	cache_read_input_tokens: USAGE.prompt_tokens_details.cached_tokens,
	output_tokens: USAGE.completion_tokens,
};
/** The fake Gemini's `text` usage: thinking tokens are output tokens. */
const GEMINI_OUTPUT = TEXT_TOKENS.candidates + TEXT_TOKENS.thoughts;
const GEMINI_MESSAGE_USAGE = {
	input_tokens: TEXT_TOKENS.prompt,
	cache_creation_input_tokens: 0,
	cache_read_input_tokens: 0,
	output_tokens: GEMINI_OUTPUT,
};
/**
 * Gemini repeats its usage on every event, so a Gemini stream's message_start carries the first
 * event's promptTokenCount, not the estimate (vercel/ai #17326: the real input tokens). The fake's
 * `text` scenario reports the same prompt count on every event, with nothing cached.
 */
const GEMINI_START_INPUT = TEXT_TOKENS.prompt;
/** The fake Gemini's prompt count on every event of `tool-parallel` (first turn) and of `image` (gemini-fake.ts). */
const PARALLEL_PROMPT_TOKENS = 30;
const IMAGE_PROMPT_TOKENS = 12;

beforeAll(async () => {
	key = (await createKey()).key;
});

async function answer(res: Response): Promise<{ gateId: string; body: Json }> {
	expect(res.status, await res.clone().text()).toBe(200);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	const gateId = res.headers.get("x-request-id") ?? "";
	expect(gateId).toMatch(GATE_ID);
	return { gateId, body: (await res.json()) as Json };
}

/** The same event, as a NamedEvent. */
const ev = (type: string, payload: Json = {}): NamedEvent => ({ event: type, data: { type, ...payload } });
const messageStart = (gateId: string, modelId: string, inputTokens: number) =>
	ev("message_start", {
		message: {
			id: gateId,
			type: "message",
			role: "assistant",
			model: modelId,
			content: [],
			stop_reason: null,
			stop_sequence: null,
			usage: {
				input_tokens: inputTokens,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				output_tokens: 1,
			},
		},
	});
const blockStart = (index: number, block: Json) => ev("content_block_start", { index, content_block: block });
const textDelta = (index: number, text: string) =>
	ev("content_block_delta", { index, delta: { type: "text_delta", text } });
const jsonDelta = (index: number, partial: string) =>
	ev("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: partial } });
const blockStop = (index: number) => ev("content_block_stop", { index });
const messageDelta = (stopReason: string, usage: Json) =>
	ev("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage });

/** The upstream's echo (the fakes' `echo-request` scenario), read from a Messages answer's text. */
function echoed(body: Json): Json {
	const content = body.content as Array<{ type: string; text: string }>;
	expect(content).toHaveLength(1);
	expect(content[0]?.type).toBe("text");
	return JSON.parse(content[0]?.text ?? "") as Json;
}

async function errorOf(res: Response): Promise<{ status: number; body: unknown }> {
	return { status: res.status, body: await res.json() };
}
const anthropicError = (type: string, message: string) => ({ type: "error", error: { type, message } });

/** The 8×8 PNG the fake Gemini draws, as base64 (a real image, small enough for every limit). */
let pngBytes: Uint8Array;
let png: string;
beforeAll(async () => {
	pngBytes = new Uint8Array(await (await fetch(`${env.GEMINI_BASE_URL}/__fake/png`)).arrayBuffer());
	png = btoa(String.fromCharCode(...pngBytes));
});

describe("POST /v1/messages to a translated model: answers", () => {
	for (const provider of ["openai", "groq"]) {
		it(`answers in Anthropic's shape from an OpenAI-protocol upstream (${provider}), and records it`, async () => {
			const id = await model(provider, "text");
			const { gateId, body } = await answer(
				await messages(key, { model: id, max_tokens: 50, messages: hello }),
			);
			expect(body).toEqual({
				id: gateId,
				type: "message",
				role: "assistant",
				model: id,
				content: [{ type: "text", text: TEXT }],
				stop_reason: "end_turn",
				stop_sequence: null,
				usage: OPENAI_MESSAGE_USAGE,
			});
			expect(await usageRow(gateId)).toMatchObject({
				ingress: "messages",
				model: id,
				provider,
				upstream_model: "text",
				prompt_tokens: USAGE.prompt_tokens,
				completion_tokens: USAGE.completion_tokens,
				total_tokens: USAGE.total_tokens,
				cached_tokens: USAGE.prompt_tokens_details.cached_tokens,
				cache_creation_tokens: 0,
				reasoning_tokens: USAGE.completion_tokens_details.reasoning_tokens,
				// input 1 $/M, output 2 $/M (putModel's default prices)
				cost_usd: (USAGE.prompt_tokens * 1 + USAGE.completion_tokens * 2) / 1e6,
				outcome: "ok",
				status: 200,
				streamed: 0,
				estimated: 0,
			});
		});
	}

	it("answers in Anthropic's shape from Gemini, and records it", async () => {
		const id = await model("google", "text");
		const { gateId, body } = await answer(
			await messages(key, { model: id, max_tokens: 50, messages: hello }),
		);
		expect(body).toEqual({
			id: gateId,
			type: "message",
			role: "assistant",
			model: id,
			content: [{ type: "text", text: GEMINI_TEXT }],
			stop_reason: "end_turn",
			stop_sequence: null,
			usage: GEMINI_MESSAGE_USAGE,
		});
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "messages",
			model: id,
			provider: "google",
			prompt_tokens: TEXT_TOKENS.prompt,
			completion_tokens: GEMINI_OUTPUT,
			reasoning_tokens: TEXT_TOKENS.thoughts,
			outcome: "ok",
			streamed: 0,
		});
	});

	it("answers a tool call as a tool_use block with its arguments as input, stop_reason tool_use", async () => {
		const id = await model("openai", "tools");
		const { gateId, body } = await answer(
			await messages(key, { model: id, max_tokens: 50, messages: hello }),
		);
		expect(body).toEqual({
			id: gateId,
			type: "message",
			role: "assistant",
			model: id,
			content: [
				{ type: "tool_use", id: TOOL_CALL.id, name: TOOL_CALL.name, input: JSON.parse(TOOL_CALL.arguments) },
			],
			stop_reason: "tool_use",
			stop_sequence: null,
			usage: OPENAI_MESSAGE_USAGE,
		});
	});
});

describe("POST /v1/messages to a translated model: streams", () => {
	it("streams OpenAI's text as Anthropic's events, message_start carrying input tokens that are not 0", async () => {
		const id = await model("openai", "text");
		const { gateId, events } = await readMessagesStream(
			await messages(key, { model: id, max_tokens: 50, messages: hello, stream: true }),
		);
		expect(events).toEqual([
			// OpenAI reports usage only at the end: message_start has the estimate (vercel/ai #17326: never 0).
			messageStart(gateId, id, HELLO_ESTIMATE),
			blockStart(0, { type: "text", text: "" }),
			...TEXT_PIECES.map((piece) => textDelta(0, piece)),
			blockStop(0),
			messageDelta("end_turn", OPENAI_MESSAGE_USAGE),
			ev("message_stop"),
		]);
		expect(HELLO_ESTIMATE).toBeGreaterThan(0);
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "messages",
			prompt_tokens: USAGE.prompt_tokens,
			completion_tokens: USAGE.completion_tokens,
			cached_tokens: USAGE.prompt_tokens_details.cached_tokens,
			outcome: "ok",
			status: 200,
			streamed: 1,
			estimated: 0,
		});
	});

	it("streams Gemini's text as Anthropic's events, message_start carrying Gemini's input count and message_delta its final usage", async () => {
		const id = await model("google", "text");
		const { gateId, events } = await readMessagesStream(
			await messages(key, { model: id, max_tokens: 50, messages: hello, stream: true }),
		);
		expect(events).toEqual([
			// Gemini's own count from its first event, not the gateway's estimate (vercel/ai #17326).
			messageStart(gateId, id, GEMINI_START_INPUT),
			blockStart(0, { type: "text", text: "" }),
			...GEMINI_PIECES.map((piece) => textDelta(0, piece)),
			blockStop(0),
			messageDelta("end_turn", GEMINI_MESSAGE_USAGE),
			ev("message_stop"),
		]);
		expect(GEMINI_START_INPUT).toBeGreaterThan(0);
		expect(GEMINI_START_INPUT).not.toBe(HELLO_ESTIMATE);
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "messages",
			prompt_tokens: TEXT_TOKENS.prompt,
			completion_tokens: GEMINI_OUTPUT,
			streamed: 1,
			outcome: "ok",
		});
	});

	it("streams parallel tool calls as two tool_use blocks whose input_json_delta pieces join to the arguments", async () => {
		const id = await model("openai", "tools");
		const { gateId, events } = await readMessagesStream(
			await messages(key, { model: id, max_tokens: 50, messages: hello, stream: true }),
		);
		expect(events).toEqual([
			messageStart(gateId, id, HELLO_ESTIMATE),
			...STREAMED_TOOL_CALLS.flatMap(({ id: callId, name, pieces }, index) => [
				blockStart(index, { type: "tool_use", id: callId, name, input: {} }),
				...pieces.map((piece) => jsonDelta(index, piece)),
				blockStop(index),
			]),
			messageDelta("tool_use", OPENAI_MESSAGE_USAGE),
			ev("message_stop"),
		]);
		// What a client assembles per block parses to the arguments the upstream streamed.
		const inputs = STREAMED_TOOL_CALLS.map((_, index) =>
			events
				.map((e) => e.data as { type: string; index?: number; delta?: { partial_json?: string } })
				.filter((d) => d.type === "content_block_delta" && d.index === index)
				.map((d) => d.delta?.partial_json ?? "")
				.join(""),
		);
		expect(inputs).toEqual(STREAMED_TOOL_CALLS.map(({ pieces }) => pieces.join("")));
		expect(inputs.map((input) => JSON.parse(input))).toEqual([{ city: 'Paris "France"' }, { tz: "CET" }]);
		expect(await usageRow(gateId)).toMatchObject({ ingress: "messages", outcome: "ok", streamed: 1 });
	});

	it("streams Gemini's text and parallel calls as blocks 0, 1, 2, and takes the calls back with their results next turn", async () => {
		const id = await model("google", "tool-parallel");
		const weather = {
			name: "get_weather",
			input_schema: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
		};
		const ask = { role: "user", content: "Weather in Paris and Tokyo?" };
		const { gateId, events } = await readMessagesStream(
			await messages(key, { model: id, max_tokens: 100, messages: [ask], tools: [weather], stream: true }),
		);
		const starts = events
			.map((e) => e.data as { type: string; content_block?: { type: string; id?: string; name?: string } })
			.filter((d) => d.type === "content_block_start")
			.map((d) => d.content_block);
		const [first, second] = starts.slice(1).map((block) => block?.id ?? "");
		// What the gateway would have estimated (the question and the tool's JSON at 4 characters a
		// token, 4 for the message): message_start has Gemini's own count from its first event instead.
		const estimate = Math.ceil((ask.content.length + JSON.stringify(weather).length) / 4) + 4;
		expect(PARALLEL_PROMPT_TOKENS).not.toBe(estimate);
		expect(events).toEqual([
			messageStart(gateId, id, PARALLEL_PROMPT_TOKENS),
			blockStart(0, { type: "text", text: "" }),
			textDelta(0, PARALLEL.text),
			blockStop(0),
			blockStart(1, { type: "tool_use", id: first, name: "get_weather", input: {} }),
			jsonDelta(1, '{"location":"Paris"}'),
			blockStop(1),
			blockStart(2, { type: "tool_use", id: second, name: "get_weather", input: {} }),
			jsonDelta(2, '{"location":"Tokyo"}'),
			blockStop(2),
			messageDelta("tool_use", {
				input_tokens: PARALLEL_PROMPT_TOKENS,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				output_tokens: 50,
			}),
			ev("message_stop"),
		]);
		expect(first).not.toBe(second);
		// The next turn, as a Messages client writes it: the fake Gemini refuses the first call back
		// without the thought signature it was made with (Gemini 3), which travels in the call's id.
		const { body } = await answer(
			await messages(key, {
				model: id,
				max_tokens: 100,
				tools: [weather],
				messages: [
					ask,
					{
						role: "assistant",
						content: [
							{ type: "text", text: PARALLEL.text },
							{ type: "tool_use", id: first, name: "get_weather", input: { location: "Paris" } },
							{ type: "tool_use", id: second, name: "get_weather", input: { location: "Tokyo" } },
						],
					},
					{
						role: "user",
						content: [
							{ type: "tool_result", tool_use_id: first, content: "18°C" },
							{ type: "tool_result", tool_use_id: second, content: "25°C" },
						],
					},
				],
			}),
		);
		expect(body.content).toEqual([{ type: "text", text: PARALLEL.answer(2) }]);
		expect(body.stop_reason).toBe("end_turn");
	});

	it("ends with one Anthropic error event when the upstream reports an error mid-stream, and records the failure", async () => {
		const id = await model("openai", "error-event");
		const { gateId, events } = await readMessagesStream(
			await messages(key, { model: id, max_tokens: 50, messages: hello, stream: true }),
		);
		expect(events).toEqual([
			messageStart(gateId, id, HELLO_ESTIMATE),
			blockStart(0, { type: "text", text: "" }),
			textDelta(0, PARTIAL),
			ev("error", {
				error: {
					type: "api_error",
					message: "The upstream provider failed (HTTP 500): The model crashed.",
				},
			}),
		]);
		expect(await usageRow(gateId)).toMatchObject({
			ingress: "messages",
			outcome: "upstream_error",
			status: 502,
			error_code: "upstream_error",
			streamed: 1,
		});
	});
});

/** A request using everything the translation carries: system, images, a tool loop, tools, tool_choice. */
function fullRequest(modelId: string): Json {
	return {
		model: modelId,
		max_tokens: 300,
		system: [
			{ type: "text", text: "You are a terse assistant.", cache_control: { type: "ephemeral" } },
			{ type: "text", text: "Answer in English." },
		],
		messages: [
			{
				role: "user",
				content: [
					{ type: "text", text: "What is in this picture? And the weather in Paris?" },
					{ type: "image", source: { type: "base64", media_type: "image/png", data: png } },
				],
			},
			{
				role: "assistant",
				content: [
					{ type: "thinking", thinking: "Two questions.", signature: "c2lnbmVk" },
					{ type: "text", text: "A gradient. Checking the weather." },
					{
						type: "tool_use",
						id: "toolu_01",
						name: "get_weather",
						input: { city: "Paris", unit: "celsius" },
					},
					{ type: "tool_use", id: "toolu_02", name: "get_time", input: {} },
				],
			},
			{
				role: "user",
				content: [
					{ type: "tool_result", tool_use_id: "toolu_01", content: "18°C and sunny" },
					{ type: "tool_result", tool_use_id: "toolu_02", content: [{ type: "text", text: "14:05" }] },
					{ type: "text", text: "Thanks. Anything else?", cache_control: { type: "ephemeral" } },
				],
			},
		],
		tools: [
			{
				name: "get_weather",
				description: "Current weather of a city.",
				input_schema: {
					type: "object",
					properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
					required: ["city"],
				},
			},
			{
				name: "get_time",
				description: "The local time.",
				input_schema: { type: "object", properties: {} },
				cache_control: { type: "ephemeral" },
			},
		],
		temperature: 0.5,
		top_p: 0.9,
		stop_sequences: ["END"],
		metadata: { user_id: "user-42" },
	};
}
const WEATHER_SCHEMA = {
	type: "object",
	properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
	required: ["city"],
};

describe("POST /v1/messages to a translated model: what the upstream receives", () => {
	it("OpenAI gets the exact chat request: system, image, assistant tool calls, tool results, tools, tool_choice, thinking", async () => {
		const id = await model("openai", "echo-request");
		const request = {
			...fullRequest(id),
			tool_choice: { type: "any", disable_parallel_tool_use: true },
			thinking: { type: "enabled", budget_tokens: 2048 },
		};
		const { body } = await answer(await messages(key, request));
		expect(echoed(body)).toEqual({
			headers: { authorization: `Bearer ${OPENAI_KEY}`, "content-type": "application/json" },
			body: {
				model: "echo-request",
				messages: [
					{
						role: "system",
						content: [
							{ type: "text", text: "You are a terse assistant." },
							{ type: "text", text: "Answer in English." },
						],
					},
					{
						role: "user",
						content: [
							{ type: "text", text: "What is in this picture? And the weather in Paris?" },
							{ type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
						],
					},
					{
						// Thinking is Claude's own signed output: no other model can take it back.
						role: "assistant",
						content: [{ type: "text", text: "A gradient. Checking the weather." }],
						tool_calls: [
							{
								id: "toolu_01",
								type: "function",
								function: { name: "get_weather", arguments: '{"city":"Paris","unit":"celsius"}' },
							},
							{ id: "toolu_02", type: "function", function: { name: "get_time", arguments: "{}" } },
						],
					},
					{ role: "tool", tool_call_id: "toolu_01", content: "18°C and sunny" },
					{ role: "tool", tool_call_id: "toolu_02", content: [{ type: "text", text: "14:05" }] },
					{ role: "user", content: [{ type: "text", text: "Thanks. Anything else?" }] },
				],
				max_completion_tokens: 300,
				temperature: 0.5,
				top_p: 0.9,
				stop: ["END"],
				user: "user-42",
				tools: [
					{
						type: "function",
						function: {
							name: "get_weather",
							description: "Current weather of a city.",
							parameters: WEATHER_SCHEMA,
						},
					},
					{
						type: "function",
						function: {
							name: "get_time",
							description: "The local time.",
							parameters: { type: "object", properties: {} },
						},
					},
				],
				tool_choice: "required",
				parallel_tool_calls: false,
				// A thinking budget under 4,096 tokens is OpenAI's "low" effort.
				reasoning_effort: "low",
			},
		});
	});

	it("OpenAI gets stream and include_usage when the client streams", async () => {
		const id = await model("openai", "echo-request");
		const { events } = await readMessagesStream(
			await messages(key, { model: id, max_tokens: 20, messages: hello, stream: true }),
		);
		const text = events
			.map((e) => e.data as { delta?: { text?: string } })
			.map((d) => d.delta?.text ?? "")
			.join("");
		expect((JSON.parse(text) as { body: unknown }).body).toEqual({
			model: "echo-request",
			messages: [{ role: "user", content: "Hello" }],
			max_completion_tokens: 20,
			stream: true,
			stream_options: { include_usage: true },
		});
	});

	it("Gemini gets the exact generateContent request: systemInstruction, inline image, function calls and responses, tools, toolConfig", async () => {
		const id = await model("google", "echo-request");
		const request = { ...fullRequest(id), tool_choice: { type: "tool", name: "get_weather" } };
		const { body } = await answer(await messages(key, request));
		expect(echoed(body)).toEqual({
			systemInstruction: { parts: [{ text: "You are a terse assistant.\nAnswer in English." }] },
			contents: [
				{
					role: "user",
					parts: [
						{ text: "What is in this picture? And the weather in Paris?" },
						{ inlineData: { mimeType: "image/png", data: png } },
					],
				},
				{
					role: "model",
					parts: [
						{ text: "A gradient. Checking the weather." },
						{ functionCall: { name: "get_weather", args: { city: "Paris", unit: "celsius" } } },
						{ functionCall: { name: "get_time", args: {} } },
					],
				},
				{
					role: "user",
					parts: [
						{ functionResponse: { name: "get_weather", response: { result: "18°C and sunny" } } },
						{ functionResponse: { name: "get_time", response: { result: "14:05" } } },
						{ text: "Thanks. Anything else?" },
					],
				},
			],
			tools: [
				{
					functionDeclarations: [
						{
							name: "get_weather",
							description: "Current weather of a city.",
							parametersJsonSchema: WEATHER_SCHEMA,
						},
						{
							name: "get_time",
							description: "The local time.",
							parametersJsonSchema: { type: "object", properties: {} },
						},
					],
				},
			],
			toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } },
			generationConfig: { temperature: 0.5, topP: 0.9, maxOutputTokens: 300, stopSequences: ["END"] },
		});
	});

	it("top_k reaches Gemini as generationConfig.topK", async () => {
		const gemini = await model("google", "echo-request");
		const { body } = await answer(
			await messages(key, { model: gemini, max_tokens: 20, messages: hello, top_k: 40 }),
		);
		expect(echoed(body).generationConfig).toEqual({ maxOutputTokens: 20, topK: 40 });
	});

	it("top_k reaches an OpenAI-protocol upstream as sent", async () => {
		// Forwarded on purpose: OpenAI-protocol upstreams such as vLLM, OpenRouter and Groq accept top_k;
		// OpenAI itself answers a 400 naming the parameter, which the gateway passes on.
		const openai = await model("openai", "echo-request");
		const { body } = await answer(
			await messages(key, { model: openai, max_tokens: 20, messages: hello, top_k: 40 }),
		);
		const sent = echoed(body).body as Json;
		expect(sent.top_k).toBe(40);
		expect(sent.messages).toEqual(hello);
	});
});

describe("POST /v1/messages: input only Claude can take", () => {
	const webSearch = { type: "web_search_20250305", name: "web_search" };
	const weatherTool = {
		name: "get_weather",
		input_schema: { type: "object", properties: { city: { type: "string" } } },
	};
	const withServerTool = (modelId: string) => ({
		model: modelId,
		max_tokens: 50,
		messages: [{ role: "user", content: "Search the news." }],
		tools: [weatherTool, webSearch],
	});
	const withFileImage = (modelId: string) => ({
		model: modelId,
		max_tokens: 50,
		messages: [
			{
				role: "user",
				content: [
					{ type: "text", text: "Describe it." },
					{ type: "image", source: { type: "file", file_id: "file_011CNha8iCJcU1wXNR6q4V8w" } },
				],
			},
		],
	});

	it("a server tool: 400 naming tools[1] for OpenAI and Gemini models; a Claude model gets it as sent", async () => {
		for (const id of [await model("openai", "text"), await model("google", "text")]) {
			expect(await errorOf(await messages(key, withServerTool(id)))).toEqual({
				status: 400,
				body: anthropicError(
					"invalid_request_error",
					"tools[1] is an Anthropic server tool of type 'web_search_20250305', which only Claude models run.",
				),
			});
		}
		const claude = await model("anthropic", "echo-request");
		const { body } = await answer(await messages(key, withServerTool(claude)));
		expect(echoed(body).body).toEqual({ ...withServerTool(claude), model: "echo-request" });
	});

	it("an image with a file source: 400 for translated models, the message saying which block", async () => {
		for (const id of [await model("openai", "text"), await model("google", "text")]) {
			const { status, body } = await errorOf(await messages(key, withFileImage(id)));
			expect(status).toBe(400);
			expect(body).toEqual(anthropicError("invalid_request_error", expect.any(String) as unknown as string));
			// Anthropic's error shape has no `param`: the message itself says where the block is, and why.
			expect((body as { error: { message: string } }).error.message).toMatch(
				/^messages\[0\]\.content\[1\]\.source: an image with a 'file' source cannot be translated for this model/i,
			);
		}
	});

	it("an image with a file source reaches a Claude model untranslated (Anthropic, not the gateway, judges it)", async () => {
		const claude = await model("anthropic", "echo-request");
		const res = await messages(key, withFileImage(claude));
		// The fake Anthropic API knows no Files API: its own validation message proves the block went upstream.
		expect(await errorOf(res)).toEqual({
			status: 400,
			body: anthropicError(
				"invalid_request_error",
				"messages.0.content.1.source.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
			),
		});
	});

	it("a fallback that would need a translation it cannot make is passed over: the client hears of the Claude model's failure", async () => {
		const claude = await model("anthropic", "overloaded");
		const openai = await model("openai", "text");
		const res = await messages(key, withServerTool(claude), { headers: { "x-aigate-fallbacks": openai } });
		expect(res.status).toBe(529);
		expect(await res.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
		const row = await usageRow(res.headers.get("x-request-id") ?? "");
		expect(row).toMatchObject({ ingress: "messages", model: claude, outcome: "upstream_error" });
		const attempts = JSON.parse(String(row.attempts)) as Array<{ model: string; status: number }>;
		expect(attempts.map((a) => [a.model, a.status])).toEqual([[claude, 503]]);
	});
});

describe("POST /v1/messages: a Gemini image model's pictures", () => {
	it("answers a picture as an image block with a URL source that serves the picture", async () => {
		const id = await imageModel("image");
		const { gateId, body } = await answer(
			await messages(key, { model: id, max_tokens: 100, messages: [{ role: "user", content: "Draw" }] }),
		);
		const content = body.content as Array<{ type: string; source?: { url: string } }>;
		const url = content.find((block) => block.type === "image")?.source?.url ?? "";
		expect(url).toMatch(/^http:\/\/gateway\.test\/v1\/images\/[A-Za-z0-9_-]{22}\.png$/);
		expect(body).toEqual({
			id: gateId,
			type: "message",
			role: "assistant",
			model: id,
			content: [
				// The text keeps the markdown link chat UIs show (render-image.ts).
				{ type: "text", text: `${IMAGE.before}\n![image](${url})\n${IMAGE.after}` },
				{ type: "image", source: { type: "url", url } },
			],
			stop_reason: "end_turn",
			stop_sequence: null,
			usage: {
				input_tokens: IMAGE_PROMPT_TOKENS,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				output_tokens: 1301,
			},
		});
		const served = await gateway(new URL(url).pathname);
		expect(served.status).toBe(200);
		expect(served.headers.get("content-type")).toBe("image/png");
		expect(new Uint8Array(await served.arrayBuffer())).toEqual(pngBytes);
	});

	it("streams a picture as an image block that starts and stops at once, between the text blocks", async () => {
		const id = await imageModel("image");
		const { gateId, events } = await readMessagesStream(
			await messages(key, {
				model: id,
				max_tokens: 100,
				messages: [{ role: "user", content: "Draw" }],
				stream: true,
			}),
		);
		const url =
			events
				.map((e) => e.data as { content_block?: { type: string; source?: { url: string } } })
				.find((d) => d.content_block?.type === "image")?.content_block?.source?.url ?? "";
		expect(url).toMatch(/^http:\/\/gateway\.test\/v1\/images\/[A-Za-z0-9_-]{22}\.png$/);
		expect(events).toEqual([
			// Gemini's count from the first event, not the estimate for "Draw".
			messageStart(gateId, id, IMAGE_PROMPT_TOKENS),
			blockStart(0, { type: "text", text: "" }),
			textDelta(0, IMAGE.before),
			blockStop(0),
			blockStart(1, { type: "image", source: { type: "url", url } }),
			blockStop(1),
			blockStart(2, { type: "text", text: "" }),
			textDelta(2, `\n![image](${url})\n`),
			textDelta(2, IMAGE.after),
			blockStop(2),
			messageDelta("end_turn", {
				input_tokens: IMAGE_PROMPT_TOKENS,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				output_tokens: 1301,
			}),
			ev("message_stop"),
		]);
		const served = await gateway(new URL(url).pathname);
		expect(new Uint8Array(await served.arrayBuffer())).toEqual(pngBytes);
	});

	it("takes its own answer back as history: Gemini gets the picture itself, signed, for an edit", async () => {
		const first = await answer(
			await messages(key, {
				model: await imageModel("image"),
				max_tokens: 100,
				messages: [{ role: "user", content: "Draw" }],
			}),
		);
		const res = await messages(key, {
			model: await imageModel("echo-request"),
			max_tokens: 100,
			messages: [
				{ role: "user", content: "Draw" },
				{ role: "assistant", content: first.body.content },
				{ role: "user", content: "Make it bluer." },
			],
		});
		expect(res.status, await res.clone().text()).toBe(200);
		const sent = echoed((await res.json()) as Json) as { contents: Array<{ role: string; parts: Json[] }> };
		expect(sent.contents.map((c) => c.role)).toEqual(["user", "model", "user"]);
		expect(sent.contents[1]?.parts).toContainEqual({
			inlineData: { mimeType: "image/png", data: png },
			thoughtSignature: IMAGE.signature,
		});
	});
});

describe("POST /v1/messages: fallbacks (x-aigate-fallbacks)", () => {
	it("falls over from an overloaded Claude model to an OpenAI model, whose answer is translated", async () => {
		const claude = await model("anthropic", "overloaded");
		const openai = await model("openai", "text");
		const { gateId, body } = await answer(
			await messages(
				key,
				{ model: claude, max_tokens: 50, messages: hello },
				{ headers: { "x-aigate-fallbacks": openai } },
			),
		);
		expect(body).toEqual({
			id: gateId,
			type: "message",
			role: "assistant",
			model: openai,
			content: [{ type: "text", text: TEXT }],
			stop_reason: "end_turn",
			stop_sequence: null,
			usage: OPENAI_MESSAGE_USAGE,
		});
		const row = await usageRow(gateId);
		expect(row).toMatchObject({
			ingress: "messages",
			model: openai,
			provider: "openai",
			prompt_tokens: USAGE.prompt_tokens,
			outcome: "ok",
		});
		const attempts = JSON.parse(String(row.attempts)) as Array<{
			model: string;
			status: number;
			code: unknown;
		}>;
		expect(attempts.map(({ model: m, status, code }) => ({ model: m, status, code }))).toEqual([
			{ model: claude, status: 503, code: "overloaded" },
			{ model: openai, status: 200, code: null },
		]);
	});

	it("falls over the same way when streaming: the stream is the translated one, well-formed", async () => {
		const claude = await model("anthropic", "overloaded");
		const gemini = await model("google", "text");
		const { gateId, events } = await readMessagesStream(
			await messages(
				key,
				{ model: claude, max_tokens: 50, messages: hello, stream: true },
				{ headers: { "x-aigate-fallbacks": `  ${gemini} ` } },
			),
		);
		expect(events).toEqual([
			// The fallback's usage: Gemini's count from its first event.
			messageStart(gateId, gemini, GEMINI_START_INPUT),
			blockStart(0, { type: "text", text: "" }),
			...GEMINI_PIECES.map((piece) => textDelta(0, piece)),
			blockStop(0),
			messageDelta("end_turn", GEMINI_MESSAGE_USAGE),
			ev("message_stop"),
		]);
		const attempts = JSON.parse(String((await usageRow(gateId)).attempts)) as Array<{ model: string }>;
		expect(attempts.map((a) => a.model)).toEqual([claude, gemini]);
	});

	it("refuses a malformed x-aigate-fallbacks header in Anthropic's shape", async () => {
		const id = await model("openai", "text");
		expect(
			await errorOf(
				await messages(
					key,
					{ model: id, max_tokens: 5, messages: hello },
					{ headers: { "x-aigate-fallbacks": " , " } },
				),
			),
		).toEqual({
			status: 400,
			body: anthropicError(
				"invalid_request_error",
				"x-aigate-fallbacks must name 1 to 10 comma-separated model ids.",
			),
		});
	});
});

describe("POST /v1/messages: the key's allow-list and limits, in Anthropic's shape", () => {
	it("403 permission_error for a translated model the key may not use; a fallback it may not use is skipped", async () => {
		const allowed = await model("anthropic", "overloaded");
		const gemini = await model("google", "text");
		const limited = await createKey([allowed]);
		expect(
			await errorOf(await messages(limited.key, { model: gemini, max_tokens: 5, messages: hello })),
		).toEqual({
			status: 403,
			body: anthropicError("permission_error", `This API key is not allowed to use the model '${gemini}'.`),
		});
		const res = await messages(
			limited.key,
			{ model: allowed, max_tokens: 5, messages: hello },
			{ headers: { "x-aigate-fallbacks": gemini } },
		);
		expect(res.status).toBe(529);
		expect(await res.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
	});

	it("429 rate_limit_error with retry-after once the key's rpm is used up", async () => {
		const id = await model("openai", "text");
		const created = await admin("/admin/keys", {
			method: "POST",
			body: JSON.stringify({ name: "messages-rpm", rpm: 2 }),
		});
		const { key: limitedKey } = (await created.json()) as { key: string };
		const ask = () => messages(limitedKey, { model: id, max_tokens: 5, messages: hello });
		expect((await ask()).status).toBe(200);
		expect((await ask()).status).toBe(200);
		const refused = await ask();
		expect(refused.status).toBe(429);
		const retryAfter = Number(refused.headers.get("retry-after"));
		expect(retryAfter).toBeGreaterThanOrEqual(1);
		expect(retryAfter).toBeLessThanOrEqual(60);
		expect(await refused.json()).toEqual(
			anthropicError("rate_limit_error", "Rate limit reached: this API key may make 2 requests per minute."),
		);
	});

	it("413 request_too_large for a body over MAX_BODY_BYTES", async () => {
		const id = await model("openai", "text");
		const big = { model: id, max_tokens: 5, messages: [{ role: "user", content: "x".repeat(1_100_000) }] };
		expect(await errorOf(await messages(key, big))).toEqual({
			status: 413,
			body: anthropicError(
				"request_too_large",
				"The request body is larger than the gateway's limit of 1048576 bytes.",
			),
		});
	});

	it("413 for an image over MAX_IMAGE_BYTES, for translated and Claude models alike", async () => {
		// 87,384 base64 characters carry 65,538 bytes: 2 over the limit.
		const image = {
			type: "image",
			source: { type: "base64", media_type: "image/png", data: "A".repeat(87_384) },
		};
		for (const id of [await model("openai", "text"), await model("anthropic", "text")]) {
			const res = await messages(key, {
				model: id,
				max_tokens: 5,
				messages: [{ role: "user", content: [{ type: "text", text: "Look" }, image] }],
			});
			expect(await errorOf(res)).toEqual({
				status: 413,
				body: anthropicError("request_too_large", "An image is larger than the limit of 65536 bytes."),
			});
		}
	});

	it("400 for more than MAX_IMAGES images, those inside tool results counted too", async () => {
		const id = await model("openai", "text");
		const image = { type: "image", source: { type: "base64", media_type: "image/png", data: png } };
		const res = await messages(key, {
			model: id,
			max_tokens: 5,
			messages: [
				{ role: "user", content: "Take screenshots." },
				{ role: "assistant", content: [{ type: "tool_use", id: "toolu_s", name: "shoot", input: {} }] },
				{
					role: "user",
					content: [
						{ type: "tool_result", tool_use_id: "toolu_s", content: [image] },
						...Array.from({ length: 8 }, () => image),
					],
				},
			],
		});
		expect(await errorOf(res)).toEqual({
			status: 400,
			body: anthropicError("invalid_request_error", "Too many images: the limit is 8 per request."),
		});
	});

	it("400 for more than MAX_MESSAGES messages", async () => {
		const id = await model("openai", "text");
		const many = Array.from({ length: 101 }, (_, i) => ({
			role: i % 2 ? "assistant" : "user",
			content: "x",
		}));
		expect(await errorOf(await messages(key, { model: id, max_tokens: 5, messages: many }))).toEqual({
			status: 400,
			body: anthropicError("invalid_request_error", "Too many messages: 101, the limit is 100."),
		});
	});
});
