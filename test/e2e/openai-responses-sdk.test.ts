import {
	Agent,
	Runner,
	setDefaultOpenAIClient,
	setOpenAIAPI,
	setTracingDisabled,
	tool,
} from "@openai/agents";
import OpenAI from "openai";
import type {
	FunctionTool,
	Response,
	ResponseInputItem,
	ResponseOutputItem,
	ResponseStreamEvent,
} from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import * as z from "zod";
import {
	ANTHROPIC_KEY,
	TOOL_LOOP as ANTHROPIC_LOOP,
	PARTIAL_TEXT as ANTHROPIC_PARTIAL_TEXT,
	TEXT as ANTHROPIC_TEXT,
	TEXT_USAGE as ANTHROPIC_USAGE,
} from "../fakes/scenarios/anthropic";
import {
	GEMINI_KEY,
	TEXT as GEMINI_TEXT,
	TEXT_TOKENS as GEMINI_TOKENS,
	TOOL_ANSWER_PREFIX as GEMINI_TOOL_ANSWER_PREFIX,
	TOOL_CALL_ARGS as GEMINI_TOOL_CALL_ARGS,
} from "../fakes/scenarios/gemini";
import {
	OPENAI_KEY,
	RATE_LIMITED_RETRY_AFTER,
	TEXT,
	TEXT_PIECES,
	TOOL_CALLS,
	TOOL_LOOP_CALL,
	toolLoopAnswer,
	USAGE,
} from "../fakes/scenarios/openai-responses";
import { GATE_ID } from "../shared/patterns";
import { type AdminClient, adminClient } from "./admin-client";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * The Responses API of the real gateway (`npm run dev` → wrangler dev, local D1), driven by the
 * official `openai` package (`client.responses.create`, `client.responses.stream` with its own event
 * accumulation) and by the `@openai/agents` SDK, as client applications would: OpenAI models passed
 * through to the fake OpenAI Responses API (test/fakes/openai-responses-fake.ts), Anthropic and
 * Gemini models translated from their fakes. Every multi-turn loop here sends the whole conversation
 * as `input` (the stateless way, as the Agents SDK does by default); previous_response_id has its
 * own tests.
 */

const ADMIN_TOKEN = "e2e-responses-admin-token";
// USD per million tokens, for every model; no cached-input price, so cached tokens cost the input price.
const PRICES = { input_price: 1, output_price: 2 };
const round = (usd: number) => Math.round(usd * 1e9) / 1e9;

/** catalog id → [provider, upstream model (the fake's scenario)]. */
const MODELS: Record<string, [string, string]> = {
	"openai/e2e-text": ["openai", "text"],
	"openai/e2e-tools": ["openai", "tools"],
	"openai/e2e-loop": ["openai", "tool-loop"],
	"openai/e2e-ratelimited": ["openai", "rate-limited"],
	"anthropic/e2e-text": ["anthropic", "text"],
	"anthropic/e2e-loop": ["anthropic", "tool-loop"],
	"anthropic/e2e-agent": ["anthropic", "tool-loop"],
	"google/e2e-text": ["google", "text"],
	"google/e2e-loop": ["google", "tool-call"],
	"anthropic/e2e-midstream": ["anthropic", "error-midstream"],
	"anthropic/e2e-cut": ["anthropic", "max-tokens"],
};

const WEATHER: FunctionTool = {
	type: "function",
	name: "get_weather",
	description: "Current weather for a city",
	parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
	strict: false,
};
const TIME: FunctionTool = {
	type: "function",
	name: "get_time",
	parameters: { type: "object", properties: { tz: { type: "string" } }, required: ["tz"] },
	strict: false,
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type ApiError = InstanceType<typeof OpenAI.APIError>;

/** The gate id behind a response id: `resp_<x>` answers the request `gate-<x>`. */
const gateIdOf = (responseId: string) => `gate-${responseId.replace(/^resp_/, "")}`;

/** A response's output items sent back as input (the ones this test's loops produce). */
function asInput(output: ResponseOutputItem[]): ResponseInputItem[] {
	return output.map((item) => {
		if (item.type === "message" || item.type === "function_call" || item.type === "reasoning") return item;
		throw new Error(`unexpected output item ${item.type}`);
	});
}

const functionCalls = (response: Response) =>
	response.output.flatMap((item) =>
		item.type === "function_call"
			? [{ call_id: item.call_id, name: item.name, arguments: item.arguments }]
			: [],
	);

describe("the Responses API under wrangler dev, through the openai package", () => {
	let gateway: RunningGateway;
	let admin: AdminClient;
	let clientKey = "";
	let clientKeyId = "";
	let client: OpenAI;
	/** The gate ids of the requests that reached an upstream and answered, to find their log lines. */
	const gateIds: string[] = [];

	// No retries anywhere: every request the SDK sends is one the test counts.
	const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });

	beforeAll(async () => {
		gateway = await startGateway({
			vars: {
				OPENAI_BASE_URL: `${inject("openaiUrl")}/v1`,
				OPENAI_API_KEY: OPENAI_KEY,
				ANTHROPIC_BASE_URL: inject("anthropicUrl"),
				ANTHROPIC_API_KEY: ANTHROPIC_KEY,
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
				...PRICES,
				capabilities: { tools: true },
			});
		}
		const created = await admin.createKey({ name: "e2e responses client" });
		clientKey = created.key;
		clientKeyId = created.id;
		client = sdk(clientKey);
	});

	afterAll(async () => {
		await gateway?.stop();
	});

	describe("an OpenAI model, passed through to the fake's /v1/responses", () => {
		it("answers responses.create under resp_<gate id> and the catalog id, with the upstream's output and usage", async () => {
			const { data, response } = await client.responses
				.create({ model: "openai/e2e-text", input: "Say hello" })
				.withResponse();
			expect(response.status).toBe(200);
			const gateId = response.headers.get("x-request-id") ?? "";
			expect(gateId).toMatch(GATE_ID);
			expect(data.id).toBe(`resp_${gateId.slice("gate-".length)}`);
			expect(data).toMatchObject({
				object: "response",
				status: "completed",
				model: "openai/e2e-text",
				usage: USAGE,
			});
			expect(data.output_text).toBe(TEXT);
			expect(data.output).toHaveLength(1);
			expect(data.output[0]).toMatchObject({
				type: "message",
				role: "assistant",
				content: [{ type: "output_text", text: TEXT }],
			});
			gateIds.push(gateId);
		});

		it("streams with responses.stream: the SDK's accumulation builds output_text; every event under the gate's id", async () => {
			const stream = client.responses.stream({ model: "openai/e2e-text", input: "Say hello" });
			const events: ResponseStreamEvent[] = [];
			stream.on("event", (event) => events.push(structuredClone(event)));
			const deltas: string[] = [];
			stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
			const final = await stream.finalResponse();
			expect(final.output_text).toBe(TEXT);
			expect(deltas).toEqual(TEXT_PIECES);
			expect(final.id).toMatch(/^resp_/);
			expect(gateIdOf(final.id)).toMatch(GATE_ID);
			expect(final).toMatchObject({ status: "completed", model: "openai/e2e-text", usage: USAGE });
			expect(events[0]?.type).toBe("response.created");
			expect(events.at(-1)?.type).toBe("response.completed");
			for (const event of events) {
				if ("response" in event) {
					expect(event.response.id, event.type).toBe(final.id);
					expect(event.response.model, event.type).toBe("openai/e2e-text");
				}
			}
			const sequence = events.map((event) => event.sequence_number);
			expect(sequence).toEqual(sequence.map((_, i) => i));
			gateIds.push(gateIdOf(final.id));
		});

		it("brings back the fake's two function calls, streamed (arguments split mid-escape) and not", async () => {
			const expected = TOOL_CALLS.map(({ call_id, name, arguments: args }) => ({
				call_id,
				name,
				arguments: args,
			}));
			const params = {
				model: "openai/e2e-tools",
				input: "Weather in Paris, and the time in CET?",
				tools: [WEATHER, TIME],
			};
			const created = await client.responses.create(params);
			expect(functionCalls(created)).toEqual(expected);
			expect(created.model).toBe("openai/e2e-tools");

			const stream = client.responses.stream(params);
			const argumentDeltas: string[] = [];
			stream.on("response.function_call_arguments.delta", (event) => argumentDeltas.push(event.delta));
			const final = await stream.finalResponse();
			expect(argumentDeltas).toEqual(TOOL_CALLS.flatMap((call) => call.pieces));
			expect(functionCalls(final)).toEqual(expected);
			expect(final.output.map((item) => item.type)).toEqual(["function_call", "function_call"]);
			expect(JSON.parse(functionCalls(final)[0]?.arguments ?? "")).toEqual({ city: 'Paris "France"' });
			expect(final.output_text).toBe("");
			gateIds.push(gateIdOf(created.id), gateIdOf(final.id));
		});

		it("runs a two-turn function-calling loop, the whole conversation sent back as input", async () => {
			const question: ResponseInputItem = { role: "user", content: "Weather in Paris?" };
			const first = await client.responses.create({
				model: "openai/e2e-loop",
				input: [question],
				tools: [WEATHER],
			});
			expect(functionCalls(first)).toEqual([TOOL_LOOP_CALL]);
			expect(first.output_text).toBe("");

			const stream = client.responses.stream({
				model: "openai/e2e-loop",
				input: [
					question,
					...asInput(first.output),
					{ type: "function_call_output", call_id: TOOL_LOOP_CALL.call_id, output: "18 °C, sunny" },
				],
				tools: [WEATHER],
			});
			const second = await stream.finalResponse();
			expect(second.output_text).toBe(toolLoopAnswer("18 °C, sunny"));
			expect(second.id).not.toBe(first.id);
			expect(second.model).toBe("openai/e2e-loop");
			gateIds.push(gateIdOf(first.id), gateIdOf(second.id));
		});
	});

	describe("Anthropic and Gemini models, translated", () => {
		const TRANSLATED = [
			{
				model: "anthropic/e2e-text",
				text: ANTHROPIC_TEXT,
				usage: {
					input_tokens: ANTHROPIC_USAGE.input_tokens,
					output_tokens: ANTHROPIC_USAGE.output_tokens,
					total_tokens: ANTHROPIC_USAGE.input_tokens + ANTHROPIC_USAGE.output_tokens,
				},
			},
			{
				model: "google/e2e-text",
				text: GEMINI_TEXT,
				usage: {
					input_tokens: GEMINI_TOKENS.prompt,
					output_tokens: GEMINI_TOKENS.candidates + GEMINI_TOKENS.thoughts,
					output_tokens_details: { reasoning_tokens: GEMINI_TOKENS.thoughts },
					total_tokens: GEMINI_TOKENS.prompt + GEMINI_TOKENS.candidates + GEMINI_TOKENS.thoughts,
				},
			},
		];
		for (const { model, text, usage } of TRANSLATED) {
			it(`answers responses.create on ${model} with a message item and usage`, async () => {
				const { data, response } = await client.responses
					.create({ model, input: "Hello", instructions: "Be brief." })
					.withResponse();
				const gateId = response.headers.get("x-request-id") ?? "";
				expect(gateId).toMatch(GATE_ID);
				expect(data.id).toBe(`resp_${gateId.slice("gate-".length)}`);
				expect(data).toMatchObject({ object: "response", status: "completed", model, usage });
				expect(data.output_text).toBe(text);
				const messages = data.output.filter((item) => item.type === "message");
				expect(messages).toHaveLength(1);
				expect(messages[0]).toMatchObject({
					type: "message",
					role: "assistant",
					status: "completed",
					content: [{ type: "output_text", text }],
				});
				gateIds.push(gateId);
			});

			it(`streams on ${model}: the semantic events in sequence, accumulated by the SDK into output_text`, async () => {
				const stream = client.responses.stream({ model, input: "Hello" });
				const events: ResponseStreamEvent[] = [];
				stream.on("event", (event) => events.push(structuredClone(event)));
				let deltas = "";
				stream.on("response.output_text.delta", (event) => {
					deltas += event.delta;
				});
				const final = await stream.finalResponse();
				expect(final.output_text).toBe(text);
				expect(deltas).toBe(text);
				expect(final).toMatchObject({ status: "completed", model, usage });
				expect(gateIdOf(final.id)).toMatch(GATE_ID);
				const types = events.map((event) => event.type);
				expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
				expect(types.at(-1)).toBe("response.completed");
				for (const type of [
					"response.output_item.added",
					"response.content_part.added",
					"response.output_text.delta",
					"response.output_text.done",
					"response.content_part.done",
					"response.output_item.done",
				]) {
					expect(types, type).toContain(type);
				}
				const sequence = events.map((event) => event.sequence_number);
				expect(sequence).toEqual(sequence.map((_, i) => i));
				gateIds.push(gateIdOf(final.id));
			});
		}

		it("runs a two-turn function-calling loop on Claude: the fake checks the translated history exactly", async () => {
			const question: ResponseInputItem = { role: "user", content: ANTHROPIC_LOOP.question };
			const first = await client.responses
				.stream({ model: "anthropic/e2e-loop", input: [question], tools: [WEATHER] })
				.finalResponse();
			expect(first.status).toBe("completed");
			expect(functionCalls(first)).toEqual([
				{
					call_id: ANTHROPIC_LOOP.call.id,
					name: ANTHROPIC_LOOP.call.name,
					arguments: JSON.stringify(ANTHROPIC_LOOP.call.input),
				},
			]);
			expect(first.usage).toMatchObject({
				input_tokens: ANTHROPIC_LOOP.callUsage.input_tokens,
				output_tokens: ANTHROPIC_LOOP.callUsage.output_tokens,
			});

			const second = await client.responses.create({
				model: "anthropic/e2e-loop",
				input: [
					question,
					...asInput(first.output),
					{ type: "function_call_output", call_id: ANTHROPIC_LOOP.call.id, output: ANTHROPIC_LOOP.result },
				],
				tools: [WEATHER],
			});
			expect(second.status).toBe("completed");
			expect(second.output_text).toBe(ANTHROPIC_LOOP.answer);
			expect(functionCalls(second)).toEqual([]);
			expect(second.usage).toMatchObject({
				input_tokens: ANTHROPIC_LOOP.answerUsage.input_tokens,
				output_tokens: ANTHROPIC_LOOP.answerUsage.output_tokens,
			});
			gateIds.push(gateIdOf(first.id), gateIdOf(second.id));
		});
		it("runs a two-turn function-calling loop on Gemini: the call id carries the thought signature back", async () => {
			const question: ResponseInputItem = { role: "user", content: "Weather in Paris?" };
			const first = await client.responses
				.stream({ model: "google/e2e-loop", input: [question], tools: [WEATHER] })
				.finalResponse();
			const [call] = functionCalls(first);
			expect(call).toMatchObject({ name: "get_weather", arguments: JSON.stringify(GEMINI_TOOL_CALL_ARGS) });
			expect(first.usage).toMatchObject({ input_tokens: 29, output_tokens: 60 });

			const second = await client.responses.create({
				model: "google/e2e-loop",
				input: [
					question,
					...asInput(first.output),
					{ type: "function_call_output", call_id: call?.call_id ?? "", output: "18 °C" },
				],
				tools: [WEATHER],
			});
			// A plain-text output reaches Gemini as {result: <text>}, which the fake quotes.
			expect(second.output_text).toBe(`${GEMINI_TOOL_ANSWER_PREFIX}${JSON.stringify({ result: "18 °C" })}`);
			expect(second.usage).toMatchObject({ input_tokens: 40, output_tokens: 9 });
			gateIds.push(gateIdOf(first.id), gateIdOf(second.id));
		});

		it("streams a cut answer as response.incomplete with its reason", async () => {
			const stream = client.responses.stream({ model: "anthropic/e2e-cut", input: "hi" });
			const types: string[] = [];
			stream.on("event", (event) => types.push(event.type));
			const final = await stream.finalResponse();
			expect(types.at(-1)).toBe("response.incomplete");
			expect(final).toMatchObject({
				status: "incomplete",
				incomplete_details: { reason: "max_output_tokens" },
				output_text: "This answer is cut",
				usage: { input_tokens: 12, output_tokens: 5 },
			});
			gateIds.push(gateIdOf(final.id));
		});

		it("raises a translated mid-stream failure as the SDK's APIError, after the partial text", async () => {
			// Its own key, so the partial usage of the broken stream stays out of the totals below.
			const other = await admin.createKey({ name: "e2e responses, mid-stream failure" });
			const stream = sdk(other.key).responses.stream({ model: "anthropic/e2e-midstream", input: "hi" });
			let partial = "";
			stream.on("response.output_text.delta", (event) => {
				partial += event.delta;
			});
			const failure = await stream.finalResponse().catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(OpenAI.APIError);
			expect(failure).toMatchObject({ code: "overloaded" });
			expect(partial).toBe(ANTHROPIC_PARTIAL_TEXT);
		});
	});

	describe("stored conversations, continued with previous_response_id (another key: its own usage)", () => {
		it("runs a two-turn function-calling loop by reference on OpenAI (pass-through), Claude and Gemini (translated)", async () => {
			const stateful = sdk((await admin.createKey({ name: "e2e responses by reference" })).key);
			const openaiFirst = await stateful.responses.create({
				model: "openai/e2e-loop",
				input: "Weather in Paris?",
				tools: [WEATHER],
			});
			const [openaiCall] = functionCalls(openaiFirst);
			const openaiSecond = await stateful.responses
				.stream({
					model: "openai/e2e-loop",
					previous_response_id: openaiFirst.id,
					input: [
						{ type: "function_call_output", call_id: openaiCall?.call_id ?? "", output: "18 °C, sunny" },
					],
					tools: [WEATHER],
				})
				.finalResponse();
			expect(openaiSecond.output_text).toBe(toolLoopAnswer("18 °C, sunny"));
			expect(openaiSecond.previous_response_id).toBe(openaiFirst.id);

			const claudeFirst = await stateful.responses
				.stream({ model: "anthropic/e2e-loop", input: ANTHROPIC_LOOP.question, tools: [WEATHER] })
				.finalResponse();
			// A streamed response is stored once its stream ended; the SDK has read it to its end.
			let stored = false;
			for (let i = 0; i < 50 && !stored; i++) {
				stored = await stateful.responses.retrieve(claudeFirst.id).then(
					() => true,
					() => false,
				);
				if (!stored) await sleep(50);
			}
			const claudeSecond = await stateful.responses.create({
				model: "anthropic/e2e-loop",
				previous_response_id: claudeFirst.id,
				input: [
					{ type: "function_call_output", call_id: ANTHROPIC_LOOP.call.id, output: ANTHROPIC_LOOP.result },
				],
				tools: [WEATHER],
			});
			expect(claudeSecond.output_text).toBe(ANTHROPIC_LOOP.answer);
			const items = await stateful.responses.inputItems.list(claudeSecond.id);
			expect(items.data.map((item) => item.type)).toEqual(["function_call_output"]);
			await stateful.responses.delete(claudeSecond.id);
			await expect(stateful.responses.retrieve(claudeSecond.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
			// Another key cannot see them.
			await expect(client.responses.retrieve(claudeFirst.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);

			// Gemini: the stored call id carries the thought signature the fake requires back.
			const geminiFirst = await stateful.responses.create({
				model: "google/e2e-loop",
				input: "Weather in Paris?",
				tools: [WEATHER],
			});
			const [geminiCall] = functionCalls(geminiFirst);
			const geminiSecond = await stateful.responses
				.stream({
					model: "google/e2e-loop",
					previous_response_id: geminiFirst.id,
					input: [{ type: "function_call_output", call_id: geminiCall?.call_id ?? "", output: "18 °C" }],
					tools: [WEATHER],
				})
				.finalResponse();
			expect(geminiSecond.output_text).toBe(
				`${GEMINI_TOOL_ANSWER_PREFIX}${JSON.stringify({ result: "18 °C" })}`,
			);
		});
	});

	describe("@openai/agents", () => {
		it("runs one agent with one function tool on a translated model through the gateway", async () => {
			setTracingDisabled(true);
			setOpenAIAPI("responses");
			// The package's own client class (openai is deduped to the project's version).
			setDefaultOpenAIClient(sdk(clientKey));
			const calls: string[] = [];
			const getWeather = tool({
				name: ANTHROPIC_LOOP.call.name,
				description: "Current weather for a city",
				parameters: z.object({ city: z.string() }),
				execute: async ({ city }) => {
					calls.push(city);
					return ANTHROPIC_LOOP.result;
				},
			});
			const agent = new Agent({
				name: "Weather agent",
				instructions: "Answer with the weather tool.",
				model: "anthropic/e2e-agent",
				tools: [getWeather],
			});
			const result = await new Runner({ tracingDisabled: true }).run(agent, ANTHROPIC_LOOP.question);
			expect(calls).toEqual([ANTHROPIC_LOOP.call.input.city]);
			expect(result.finalOutput).toBe(ANTHROPIC_LOOP.answer);
			const responseIds = result.rawResponses.map((response) => response.responseId ?? "");
			expect(responseIds).toHaveLength(2);
			for (const id of responseIds) expect(gateIdOf(id)).toMatch(GATE_ID);
			gateIds.push(...responseIds.map(gateIdOf));
		});
	});

	describe("errors, as the SDK's error classes", () => {
		it("AuthenticationError (401) for a key the gateway does not know", async () => {
			const failure = await sdk("sk-this-key-does-not-exist")
				.responses.create({ model: "openai/e2e-text", input: "hi" })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
			expect(failure).toMatchObject({
				status: 401,
				code: "invalid_api_key",
				error: { message: "Invalid API key." },
			});
		});

		it("PermissionDeniedError (403) for a model the key may not use", async () => {
			const restricted = await admin.createKey({
				name: "e2e responses, text only",
				models: ["openai/e2e-text"],
			});
			const failure = await sdk(restricted.key)
				.responses.create({ model: "anthropic/e2e-text", input: "hi" })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(OpenAI.PermissionDeniedError);
			expect(failure).toMatchObject({
				status: 403,
				type: "permission_error",
				code: "model_not_allowed",
				param: "model",
			});
			expect((failure as ApiError).message).toContain("anthropic/e2e-text");
			expect((failure as ApiError).requestID).toMatch(GATE_ID);
		});

		it("NotFoundError (404) for a model the catalog does not have", async () => {
			const failure = await client.responses
				.create({ model: "openai/does-not-exist", input: "hi" })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(OpenAI.NotFoundError);
			expect(failure).toMatchObject({
				status: 404,
				code: "model_not_found",
				type: "invalid_request_error",
				param: "model",
				error: {
					message: "The model 'openai/does-not-exist' does not exist or is not enabled on this gateway.",
				},
			});
			expect((failure as ApiError).requestID).toMatch(GATE_ID);
		});

		it("RateLimitError (429) from the upstream, with its retry-after", async () => {
			const failure = await client.responses
				.create({ model: "openai/e2e-ratelimited", input: "hi" })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(OpenAI.RateLimitError);
			expect(failure).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
			expect((failure as ApiError).headers?.get("retry-after")).toBe(RATE_LIMITED_RETRY_AFTER);
			expect((failure as ApiError).requestID).toMatch(GATE_ID);

			const streamed = await client.responses
				.stream({ model: "openai/e2e-ratelimited", input: "hi" })
				.finalResponse()
				.catch((error: unknown) => error);
			expect(streamed).toBeInstanceOf(OpenAI.RateLimitError);
			expect(streamed).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
		});

		it("BadRequestError (400) for a previous_response_id the gateway does not hold", async () => {
			const failure = await client.responses
				.create({ model: "anthropic/e2e-text", input: "hi", previous_response_id: "resp_abc" })
				.catch((error: unknown) => error);
			expect(failure).toBeInstanceOf(OpenAI.BadRequestError);
			expect(failure).toMatchObject({
				status: 400,
				code: "previous_response_not_found",
				param: "previous_response_id",
			});
		});
	});

	it("records usage per model for every answered request, and the failures without tokens", async () => {
		const cost = (prompt: number, completion: number) => round((prompt * 1 + completion * 2) / 1e6);
		const row = (model: string, requests: number, turns: Array<[number, number]>) => {
			const prompt = turns.reduce((sum, [p]) => sum + p, 0);
			const completion = turns.reduce((sum, [, c]) => sum + c, 0);
			return {
				group: model,
				requests,
				prompt_tokens: prompt,
				completion_tokens: completion,
				total_tokens: prompt + completion,
				cost: round(turns.reduce((sum, [p, c]) => sum + cost(p, c), 0)),
				// Every request without a turn failed.
				errors: requests - turns.length,
			};
		};
		const openaiTurn: [number, number] = [USAGE.input_tokens, USAGE.output_tokens];
		const claudeTurn: [number, number] = [ANTHROPIC_USAGE.input_tokens, ANTHROPIC_USAGE.output_tokens];
		const geminiTurn: [number, number] = [
			GEMINI_TOKENS.prompt,
			GEMINI_TOKENS.candidates + GEMINI_TOKENS.thoughts,
		];
		const loopTurns: Array<[number, number]> = [
			[ANTHROPIC_LOOP.callUsage.input_tokens, ANTHROPIC_LOOP.callUsage.output_tokens],
			[ANTHROPIC_LOOP.answerUsage.input_tokens, ANTHROPIC_LOOP.answerUsage.output_tokens],
		];
		const expected = [
			row("anthropic/e2e-agent", 2, loopTurns),
			row("anthropic/e2e-cut", 1, [[12, 5]]),
			row("anthropic/e2e-loop", 2, loopTurns),
			// create and stream; the unknown previous_response_id without tokens
			row("anthropic/e2e-text", 3, [claudeTurn, claudeTurn]),
			row("google/e2e-loop", 2, [
				[29, 60],
				[40, 9],
			]),
			row("google/e2e-text", 2, [geminiTurn, geminiTurn]),
			row("openai/does-not-exist", 1, []),
			row("openai/e2e-loop", 2, [openaiTurn, openaiTurn]),
			row("openai/e2e-ratelimited", 2, []),
			row("openai/e2e-text", 2, [openaiTurn, openaiTurn]),
			row("openai/e2e-tools", 2, [openaiTurn, openaiTurn]),
		];
		const total = expected.reduce((sum, want) => sum + want.requests, 0);
		// Rows are written after the response (waitUntil): poll until all of them are in.
		let rows: Array<{ requests: number }> = [];
		for (let i = 0; i < 50; i++) {
			const res = await admin.request(`/admin/usage?group_by=model&key_id=${clientKeyId}`);
			expect(res.status, res.text).toBe(200);
			rows = (JSON.parse(res.text) as { data: Array<{ requests: number }> }).data;
			if (rows.reduce((sum, r) => sum + r.requests, 0) >= total) break;
			await sleep(100);
		}
		expect(rows).toEqual(expected);
	});

	it("logs every answered request under the responses ingress, and no secret", async () => {
		const lineOf = (id: string) =>
			gateway
				.logs()
				.split("\n")
				.find((line) => line.includes(`"gate_id":"${id}"`));
		for (let i = 0; i < 50 && !gateIds.every(lineOf); i++) await sleep(100);
		expect(gateIds).toHaveLength(17);
		expect(new Set(gateIds).size).toBe(gateIds.length);
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
				ingress: "responses",
				status: 200,
			});
		}
		const logs = gateway.logs();
		for (const secret of [
			OPENAI_KEY,
			ANTHROPIC_KEY,
			GEMINI_KEY,
			ADMIN_TOKEN,
			clientKey,
			clientKey.slice(10),
		]) {
			expect(logs).not.toContain(secret);
		}
		expect(logs).not.toContain("Uncaught");
		expect(logs).not.toContain("had hung");
		expect(logs).not.toContain("from a different request context");
	});
});
