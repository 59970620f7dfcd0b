import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import type { ProviderMetadata, UpstreamTarget } from "../../../../src/protocols/adapter";
import { adapter as anthropicAdapter } from "../../../../src/protocols/anthropic";
import { type ChatRequest, chatRequest } from "../../../../src/schemas/chat-request";

const target: UpstreamTarget = {
	baseUrl: "https://api.anthropic.example",
	apiKey: "sk-ant-test",
	upstreamModel: "claude-test-1",
	defaultMaxTokens: 4096,
	capabilities: { vision: true, tools: true, json: true, image_output: false },
};
const noFetch = { fetch: () => Promise.reject(new Error("the adapter must not fetch")) };

/** Validates like the dispatcher does, so tests feed the adapter what it really receives. */
const request = (body: Record<string, unknown>): ChatRequest =>
	chatRequest.parse({ model: "anthropic/claude", messages: [{ role: "user", content: "Hi" }], ...body });

async function build(body: Record<string, unknown>, to: UpstreamTarget = target) {
	const upstream = await anthropicAdapter.buildRequest(request(body), to, noFetch);
	return { ...upstream, body: JSON.parse(upstream.body) as Record<string, unknown> };
}

async function rejection(body: Record<string, unknown>) {
	try {
		await anthropicAdapter.buildRequest(request(body), target, noFetch);
	} catch (error) {
		if (error instanceof GatewayError) return { status: error.status, ...error.toBody().error };
		throw error;
	}
	throw new Error("expected a 400");
}

const PNG =
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==";

describe("anthropic request translation", () => {
	it("posts to /v1/messages with the key, version and the catalog's default max_tokens", async () => {
		const built = await build({});
		expect(built.url).toBe("https://api.anthropic.example/v1/messages");
		expect(built.headers).toEqual({
			"x-api-key": "sk-ant-test",
			"anthropic-version": "2023-06-01",
			"content-type": "application/json",
		});
		expect(built.body).toEqual({
			model: "claude-test-1",
			max_tokens: 4096,
			messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
		});
	});

	it("tolerates a base URL ending in a slash or /v1", async () => {
		expect((await build({}, { ...target, baseUrl: "https://a.example/" })).url).toBe(
			"https://a.example/v1/messages",
		);
		expect((await build({}, { ...target, baseUrl: "https://a.example/v1" })).url).toBe(
			"https://a.example/v1/messages",
		);
	});

	it("maps sampling and bookkeeping fields", async () => {
		const built = await build({
			stream: true,
			stream_options: { include_usage: true },
			max_tokens: 100,
			max_completion_tokens: 200,
			temperature: 0.3,
			top_p: 0.9,
			stop: "END",
			user: "user-42",
			seed: 7,
			service_tier: "auto",
			store: false,
			metadata: { a: "b" },
		});
		expect(built.body).toEqual({
			model: "claude-test-1",
			max_tokens: 200,
			messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
			temperature: 0.3,
			top_p: 0.9,
			stop_sequences: ["END"],
			metadata: { user_id: "user-42" },
			stream: true,
		});
		expect(
			(await build({ max_tokens: 100, stop: ["a", "", "b"], top_k: 40, safety_identifier: "u-9" })).body,
		).toMatchObject({
			max_tokens: 100,
			stop_sequences: ["a", "b"],
			top_k: 40,
			metadata: { user_id: "u-9" },
		});
	});

	it("lifts system and developer messages to the top-level system and merges same-role neighbours", async () => {
		const built = await build({
			messages: [
				{ role: "system", content: "Be terse." },
				{ role: "developer", content: [{ type: "text", text: "Answer in French." }] },
				{ role: "user", content: "One" },
				{ role: "user", content: [{ type: "text", text: "Two" }] },
				{ role: "assistant", content: "Un" },
				{ role: "assistant", content: [{ type: "text", text: "Deux" }] },
				{ role: "user", content: "" },
				{ role: "user", content: "Three" },
			],
		});
		expect(built.body.system).toEqual([
			{ type: "text", text: "Be terse." },
			{ type: "text", text: "Answer in French." },
		]);
		expect(built.body.messages).toEqual([
			{
				role: "user",
				content: [
					{ type: "text", text: "One" },
					{ type: "text", text: "Two" },
				],
			},
			{
				role: "assistant",
				content: [
					{ type: "text", text: "Un" },
					{ type: "text", text: "Deux" },
				],
			},
			{ role: "user", content: [{ type: "text", text: "Three" }] },
		]);
	});

	it("turns images into base64 or URL sources, keeping part order and cache_control", async () => {
		const built = await build({
			messages: [
				{
					role: "user",
					content: [
						{ type: "text", text: "Compare", cache_control: { type: "ephemeral" } },
						{ type: "image_url", image_url: { url: `data:image/png;base64,${PNG}`, detail: "low" } },
						{ type: "text", text: "with" },
						{ type: "image_url", image_url: { url: "https://img.example/cat.jpg" } },
						{ type: "image_url", image_url: { url: "data:image/jpg;base64,AAAA" } },
					],
				},
			],
		});
		expect(built.body.messages).toEqual([
			{
				role: "user",
				content: [
					{ type: "text", text: "Compare", cache_control: { type: "ephemeral" } },
					{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
					{ type: "text", text: "with" },
					{ type: "image", source: { type: "url", url: "https://img.example/cat.jpg" } },
					{ type: "image", source: { type: "base64", media_type: "image/jpeg", data: "AAAA" } },
				],
			},
		]);
	});

	it("rejects images it cannot send, naming the part", async () => {
		const image = (url: string) => ({
			messages: [
				{ role: "user", content: "x" },
				{ role: "assistant", content: "y" },
				{
					role: "user",
					content: [
						{ type: "text", text: "z" },
						{ type: "image_url", image_url: { url } },
					],
				},
			],
		});
		expect(await rejection(image("data:image/svg+xml;base64,PHN2Zz4="))).toMatchObject({
			status: 400,
			type: "invalid_request_error",
			param: "messages[2].content[1].image_url",
		});
		expect(await rejection(image("http://img.example/cat.png"))).toMatchObject({
			status: 400,
			param: "messages[2].content[1].image_url",
		});
		expect(await rejection(image("data:image/png,rawbytes"))).toMatchObject({
			param: "messages[2].content[1].image_url",
		});
	});

	it("sends PDFs as documents and rejects audio and file ids", async () => {
		const built = await build({
			messages: [
				{
					role: "user",
					content: [
						{ type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } },
					],
				},
			],
		});
		expect(built.body.messages).toEqual([
			{
				role: "user",
				content: [
					{
						type: "document",
						source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
						title: "a.pdf",
					},
				],
			},
		]);
		expect(
			await rejection({
				messages: [
					{ role: "user", content: [{ type: "input_audio", input_audio: { data: "AA", format: "wav" } }] },
				],
			}),
		).toMatchObject({ status: 400, param: "messages[0].content[0]" });
		expect(
			await rejection({
				messages: [{ role: "user", content: [{ type: "file", file: { file_id: "file-1" } }] }],
			}),
		).toMatchObject({ status: 400, param: "messages[0].content[0].file" });
	});

	it("translates tools, tool_choice and parallel_tool_calls", async () => {
		const tools = [
			{
				type: "function",
				function: {
					name: "get_weather",
					description: "Weather for a city",
					parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
					strict: true,
				},
			},
			{ type: "function", function: { name: "now" } },
		];
		const built = await build({ tools, tool_choice: "auto" });
		expect(built.body.tools).toEqual([
			{
				name: "get_weather",
				description: "Weather for a city",
				input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
			},
			{ name: "now", input_schema: { type: "object", properties: {} } },
		]);
		expect(built.body.tool_choice).toEqual({ type: "auto" });
		const choice = async (extra: Record<string, unknown>) =>
			(await build({ tools, ...extra })).body.tool_choice;
		expect(await choice({})).toBeUndefined();
		expect(await choice({ tool_choice: "none" })).toEqual({ type: "none" });
		expect(await choice({ tool_choice: "required" })).toEqual({ type: "any" });
		expect(await choice({ tool_choice: { type: "function", function: { name: "now" } } })).toEqual({
			type: "tool",
			name: "now",
		});
		expect(await choice({ parallel_tool_calls: false })).toEqual({
			type: "auto",
			disable_parallel_tool_use: true,
		});
		expect(await choice({ tool_choice: "required", parallel_tool_calls: false })).toEqual({
			type: "any",
			disable_parallel_tool_use: true,
		});
		expect(
			await rejection({ tools, tool_choice: { type: "function", function: { name: "missing" } } }),
		).toMatchObject({ status: 400, param: "tool_choice" });
		expect(await rejection({ tool_choice: "required" })).toMatchObject({ status: 400, param: "tool_choice" });
	});

	it("turns a tool conversation into tool_use and tool_result blocks, results first in one user turn", async () => {
		const built = await build({
			messages: [
				{ role: "user", content: "Weather in Paris and Rome?" },
				{
					role: "assistant",
					content: null,
					tool_calls: [
						{
							id: "toolu_1",
							type: "function",
							function: { name: "get_weather", arguments: '{"city":"Paris"}' },
						},
						{
							id: "toolu_2",
							type: "function",
							function: { name: "get_weather", arguments: '{"city":"Rome"}' },
						},
						{ id: "toolu_3", type: "function", function: { name: "now", arguments: "" } },
					],
				},
				{ role: "tool", tool_call_id: "toolu_1", content: "18°C" },
				{ role: "tool", tool_call_id: "toolu_2", content: [{ type: "text", text: "24°C" }] },
				{ role: "tool", tool_call_id: "toolu_3", content: "" },
				{ role: "user", content: "Thanks, and tomorrow?" },
			],
		});
		expect(built.body.messages).toEqual([
			{ role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
			{
				role: "assistant",
				content: [
					{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
					{ type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "Rome" } },
					{ type: "tool_use", id: "toolu_3", name: "now", input: {} },
				],
			},
			{
				role: "user",
				content: [
					{ type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
					{ type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "24°C" }] },
					{ type: "tool_result", tool_use_id: "toolu_3" },
					{ type: "text", text: "Thanks, and tomorrow?" },
				],
			},
		]);
	});

	it("rejects tool results without a matching call and arguments that are not a JSON object", async () => {
		const call = (args: string) => ({
			role: "assistant",
			tool_calls: [{ id: "toolu_1", type: "function", function: { name: "f", arguments: args } }],
		});
		expect(
			await rejection({
				messages: [
					{ role: "user", content: "x" },
					call("{}"),
					{ role: "tool", tool_call_id: "toolu_9", content: "r" },
				],
			}),
		).toMatchObject({ status: 400, param: "messages[2].tool_call_id" });
		expect(
			await rejection({
				messages: [
					{ role: "user", content: "x" },
					call("{bad"),
					{ role: "tool", tool_call_id: "toolu_1", content: "r" },
				],
			}),
		).toMatchObject({ status: 400, param: "messages[1].tool_calls[0].function.arguments" });
		expect(
			await rejection({
				messages: [
					{ role: "user", content: "x" },
					call("[1]"),
					{ role: "tool", tool_call_id: "toolu_1", content: "r" },
				],
			}),
		).toMatchObject({ status: 400, param: "messages[1].tool_calls[0].function.arguments" });
		expect(await rejection({ messages: [{ role: "function", name: "f", content: "r" }] })).toMatchObject({
			status: 400,
			param: "messages[0].role",
		});
	});

	it("emulates response_format with a forced tool", async () => {
		const schema = { type: "object", properties: { answer: { type: "integer" } }, required: ["answer"] };
		const built = await build({
			response_format: { type: "json_schema", json_schema: { name: "math_answer", schema, strict: true } },
		});
		expect(built.body).toMatchObject({
			tools: [
				{
					name: "math_answer",
					description:
						"Give your complete answer by calling this tool; its input is your answer as JSON following the schema.",
					input_schema: schema,
				},
			],
			tool_choice: { type: "tool", name: "math_answer", disable_parallel_tool_use: true },
		});
		const object = await build({ response_format: { type: "json_object" } });
		expect(object.body.tools).toEqual([
			{
				name: "json_response",
				description:
					"Give your complete answer by calling this tool; its input is your answer as a JSON object.",
				input_schema: { type: "object" },
			},
		]);
		expect(object.body.tool_choice).toEqual({
			type: "tool",
			name: "json_response",
			disable_parallel_tool_use: true,
		});
		expect((await build({ response_format: { type: "text" } })).body.tools).toBeUndefined();
		expect(
			await rejection({
				response_format: { type: "json_object" },
				tools: [{ type: "function", function: { name: "f" } }],
			}),
		).toMatchObject({ status: 400, param: "response_format" });
		expect(
			await rejection({
				response_format: { type: "json_schema", json_schema: { name: "x", schema: { type: "array" } } },
			}),
		).toMatchObject({ status: 400, param: "response_format.json_schema.schema" });
	});

	it("rejects parameters Claude cannot honour, naming them", async () => {
		const cases: Array<[Record<string, unknown>, string]> = [
			[{ n: 2 }, "n"],
			[{ logprobs: true }, "logprobs"],
			[{ top_logprobs: 3 }, "top_logprobs"],
			[{ logit_bias: { "50256": -100 } }, "logit_bias"],
			[{ audio: { voice: "alloy", format: "mp3" } }, "audio"],
			[{ prediction: { type: "content", content: "x" } }, "prediction"],
			[{ modalities: ["text", "audio"] }, "modalities"],
			[{ presence_penalty: 0.5 }, "presence_penalty"],
			[{ frequency_penalty: -1 }, "frequency_penalty"],
			[{ temperature: 1.5 }, "temperature"],
			[{ functions: [{ name: "f" }] }, "functions"],
		];
		for (const [body, param] of cases) {
			expect(await rejection(body), param).toMatchObject({
				status: 400,
				type: "invalid_request_error",
				param,
			});
		}
		const harmless = await build({
			n: 1,
			logprobs: false,
			presence_penalty: 0,
			frequency_penalty: 0,
			modalities: ["text"],
		});
		expect(harmless.body.messages).toHaveLength(1);
	});

	it("maps reasoning_effort to a thinking budget only where Anthropic allows thinking", async () => {
		expect((await build({ reasoning_effort: "low" })).body.thinking).toEqual({
			type: "enabled",
			budget_tokens: 2048,
		});
		expect((await build({ reasoning_effort: "high", max_tokens: 5000 })).body.thinking).toEqual({
			type: "enabled",
			budget_tokens: 4999,
		});
		const off = [
			{ reasoning_effort: "none" },
			{ reasoning_effort: "low", max_tokens: 1024 },
			{ reasoning_effort: "low", temperature: 0.2 },
			{ reasoning_effort: "low", top_p: 0.5 },
			{ reasoning_effort: "low", top_k: 40 },
			{ reasoning_effort: "low", response_format: { type: "json_object" } },
			{
				reasoning_effort: "low",
				tools: [{ type: "function", function: { name: "f" } }],
				tool_choice: "required",
			},
			{
				reasoning_effort: "low",
				messages: [
					{ role: "user", content: "x" },
					{
						role: "assistant",
						tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{}" } }],
					},
					{ role: "tool", tool_call_id: "t1", content: "r" },
				],
			},
		];
		for (const body of off) expect((await build(body)).body.thinking, JSON.stringify(body)).toBeUndefined();
	});

	describe("a tool loop with thinking on", () => {
		const signed = [
			{ type: "thinking", thinking: "The user wants Paris weather; call the tool.", signature: "c2lnLTE=" },
			{ type: "redacted_thinking", data: "ZW5jcnlwdGVk" },
		];
		const loop = {
			reasoning_effort: "low",
			tools: [{ type: "function", function: { name: "get_weather" } }],
			messages: [
				{ role: "user", content: "Weather in Paris?" },
				{
					role: "assistant",
					content: "Checking.",
					tool_calls: [
						{
							id: "toolu_a",
							type: "function",
							function: { name: "get_weather", arguments: '{"city":"Paris"}' },
						},
					],
				},
				{ role: "tool", tool_call_id: "toolu_a", content: "18°C" },
			],
		};
		const withKept = (kept: Record<string, unknown> | Error, asked: string[][] = []) => ({
			...noFetch,
			loadTurnState: async (ids: string[]) => {
				asked.push(ids);
				if (kept instanceof Error) throw kept;
				return new Map(Object.entries(kept)) as Map<string, ProviderMetadata>;
			},
		});
		const buildWith = async (body: Record<string, unknown>, ctx: ReturnType<typeof withKept>) =>
			JSON.parse((await anthropicAdapter.buildRequest(request(body), target, ctx)).body) as Record<
				string,
				unknown
			>;

		it("sends the kept signed thinking back first in the assistant turn and keeps thinking on", async () => {
			const asked: string[][] = [];
			const body = await buildWith(loop, withKept({ toolu_a: { anthropic: { thinking: signed } } }, asked));
			expect(asked).toEqual([["toolu_a"]]);
			expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
			expect((body.messages as unknown[])[1]).toEqual({
				role: "assistant",
				content: [
					...signed,
					{ type: "text", text: "Checking." },
					{ type: "tool_use", id: "toolu_a", name: "get_weather", input: { city: "Paris" } },
				],
			});
		});

		it("leaves thinking off, and sends no thinking, when nothing valid was kept or it cannot be read", async () => {
			const cases = [
				withKept({}),
				// Another provider's state under the same id is not Claude's.
				withKept({ toolu_a: { gemini: { thinking: signed } } }),
				// Unsigned thinking would be refused by Anthropic.
				withKept({
					toolu_a: { anthropic: { thinking: [{ type: "thinking", thinking: "x", signature: "" }] } },
				}),
				withKept(new Error("D1 unavailable")),
			];
			for (const ctx of cases) {
				const body = await buildWith(loop, ctx);
				expect(body.thinking).toBeUndefined();
				expect(JSON.stringify(body.messages)).not.toContain("thinking");
			}
		});

		it("does not look anything up when the request asks for no thinking", async () => {
			const asked: string[][] = [];
			const body = await buildWith(
				{ ...loop, reasoning_effort: undefined },
				withKept({ toolu_a: { anthropic: { thinking: signed } } }, asked),
			);
			expect(asked).toEqual([]);
			expect(JSON.stringify(body.messages)).not.toContain("thinking");
		});
	});
});
