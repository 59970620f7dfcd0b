import OpenAI from "openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
	ANTHROPIC_KEY,
	JSON_TOOL_INPUT,
	PARTIAL_TEXT,
	RATE_LIMITED_RETRY_AFTER,
	TEXT,
	TEXT_USAGE,
	TOOL_LOOP,
	TOOLS_PARALLEL,
} from "../fakes/scenarios/anthropic";
import { GATE_ID } from "../shared/patterns";
import { adminClient } from "./admin-client";
import { type RunningGateway, startGateway } from "./wrangler-dev";

/**
 * Claude models behind the real gateway (`npm run dev` → wrangler dev), driven by the official
 * `openai` package against the fake Anthropic API (test/fakes/anthropic-fake.ts): the client must
 * not be able to tell that Claude answered.
 */

const ADMIN_TOKEN = "e2e-anthropic-admin-token";
const UPSTREAM_KEY = ANTHROPIC_KEY;
const PRICES = { input_price: 1, output_price: 2 };
const MODELS: Array<[string, string]> = [
	["anthropic/e2e-text", "text"],
	["anthropic/e2e-tools", "tools-parallel"],
	["anthropic/e2e-loop", "tool-loop"],
	["anthropic/e2e-json", "json-tool"],
	["anthropic/e2e-midstream", "error-midstream"],
	["anthropic/e2e-ratelimited", "rate-limited"],
];
const WEATHER_PARAMETERS = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };

describe("Claude models under wrangler dev, through the openai package", () => {
	const fakeUrl = inject("anthropicUrl");
	let gateway: RunningGateway;
	let client: OpenAI;

	beforeAll(async () => {
		gateway = await startGateway({
			vars: { ANTHROPIC_BASE_URL: fakeUrl, ANTHROPIC_API_KEY: UPSTREAM_KEY, ADMIN_TOKEN, LOG_REQUESTS: "on" },
		});
		const admin = adminClient(gateway.baseUrl, ADMIN_TOKEN);
		const created = await admin.createKey({ name: "e2e anthropic client" });
		client = new OpenAI({
			apiKey: created.key,
			baseURL: `${gateway.baseUrl}/v1`,
			maxRetries: 0,
		});
		for (const [id, upstream_model] of MODELS) {
			await admin.putModel(id, {
				provider: "anthropic",
				upstream_model,
				...PRICES,
				capabilities: { tools: true, json: true },
			});
		}
	});

	afterAll(async () => {
		await gateway?.stop();
	});

	it("streams text the SDK reads like any OpenAI stream", async () => {
		const stream = await client.chat.completions.create({
			model: "anthropic/e2e-text",
			messages: [{ role: "user", content: "Hello" }],
			stream: true,
			stream_options: { include_usage: true },
		});
		const chunks: ChatCompletionChunk[] = [];
		for await (const chunk of stream) chunks.push(chunk);
		expect(chunks[0]?.id).toMatch(GATE_ID);
		expect(chunks.every((chunk) => chunk.model === "anthropic/e2e-text")).toBe(true);
		expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(TEXT);
		expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
		expect(chunks.at(-1)?.usage).toMatchObject({
			prompt_tokens: TEXT_USAGE.input_tokens,
			completion_tokens: TEXT_USAGE.output_tokens,
			total_tokens: TEXT_USAGE.input_tokens + TEXT_USAGE.output_tokens,
		});
	});

	it("reassembles text followed by two parallel tool calls with the SDK's stream helper", async () => {
		const final = await client.chat.completions
			.stream({
				model: "anthropic/e2e-tools",
				messages: [{ role: "user", content: "Weather in Paris and the time in Rome?" }],
				tools: [
					{ type: "function", function: { name: "get_weather", parameters: WEATHER_PARAMETERS } },
					{
						type: "function",
						function: { name: "get_time", parameters: { type: "object", properties: {} } },
					},
				],
			})
			.finalChatCompletion();
		expect(final.id).toMatch(GATE_ID);
		expect(final.choices).toHaveLength(1);
		expect(final.choices[0]?.finish_reason).toBe("tool_calls");
		const message = final.choices[0]?.message;
		expect(message?.content).toBe(TOOLS_PARALLEL.text);
		expect(
			(message?.tool_calls ?? []).map((call) =>
				call.type === "function"
					? { id: call.id, type: call.type, name: call.function.name, arguments: call.function.arguments }
					: call,
			),
		).toEqual(
			TOOLS_PARALLEL.calls.map(({ id, name, input }) => ({
				id,
				type: "function",
				name,
				arguments: JSON.stringify(input),
			})),
		);
	});

	it("runs a tool loop with the SDK's runner; the fake checks the second request field by field", async () => {
		const calls: unknown[] = [];
		const runner = client.chat.completions.runTools({
			model: "anthropic/e2e-loop",
			messages: [{ role: "user", content: TOOL_LOOP.question }],
			stream: true,
			tools: [
				{
					type: "function",
					function: {
						name: "get_weather",
						description: "Current weather for a city",
						parameters: WEATHER_PARAMETERS,
						parse: (input: string) => JSON.parse(input) as { city: string },
						function: (args: { city: string }) => {
							calls.push(args);
							return TOOL_LOOP.result;
						},
					},
				},
			],
		});
		expect(await runner.finalContent()).toBe(TOOL_LOOP.answer);
		expect(calls).toEqual([TOOL_LOOP.call.input]);
	});

	it("returns schema-shaped JSON as the message content for response_format", async () => {
		const completion = await client.chat.completions.create({
			model: "anthropic/e2e-json",
			messages: [{ role: "user", content: "Temperature reading, as JSON" }],
			response_format: {
				type: "json_schema",
				json_schema: {
					name: "reading",
					schema: { type: "object", properties: { answer: { type: "integer" }, unit: { type: "string" } } },
				},
			},
		});
		expect(completion.choices[0]?.finish_reason).toBe("stop");
		expect(completion.choices[0]?.message.tool_calls ?? []).toEqual([]);
		expect(JSON.parse(completion.choices[0]?.message.content ?? "")).toEqual(JSON_TOOL_INPUT);
	});

	it("raises the SDK's APIError for an error Claude reports mid-stream", async () => {
		const stream = await client.chat.completions.create({
			model: "anthropic/e2e-midstream",
			messages: [{ role: "user", content: "Hello" }],
			stream: true,
		});
		let text = "";
		const failure = await (async () => {
			for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
		})().catch((error: unknown) => error);
		expect(text).toBe(PARTIAL_TEXT);
		expect(failure).toBeInstanceOf(OpenAI.APIError);
		expect(failure).toMatchObject({
			error: { message: "The upstream provider is temporarily overloaded; retry later.", code: "overloaded" },
		});
	});

	it("maps Anthropic's 429 to the SDK's RateLimitError with retry-after", async () => {
		const limited = await client.chat.completions
			.create({ model: "anthropic/e2e-ratelimited", messages: [{ role: "user", content: "Hello" }] })
			.catch((error: unknown) => error);
		expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
		expect(limited).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
		expect((limited as InstanceType<typeof OpenAI.APIError>).headers?.get("retry-after")).toBe(
			RATE_LIMITED_RETRY_AFTER,
		);
	});

	it("never writes the provider key or the upstream address to its logs", () => {
		const logs = gateway.logs();
		expect(logs).not.toContain(UPSTREAM_KEY);
		expect(logs).not.toContain(new URL(fakeUrl).host);
		expect(logs).not.toContain("had hung");
		expect(logs).not.toContain("from a different request context");
	});
});
