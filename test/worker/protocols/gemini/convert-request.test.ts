import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import type { BuildContext, UpstreamTarget } from "../../../../src/protocols/adapter";
import { adapter as geminiAdapter } from "../../../../src/protocols/gemini";
import { mintToolCallId } from "../../../../src/protocols/gemini/thought-signature";
import { type ChatRequest, chatRequest } from "../../../../src/schemas/chat-request";

const target: UpstreamTarget = {
	baseUrl: "https://gemini.example/",
	apiKey: "AIza-test-key",
	upstreamModel: "gemini-test",
	defaultMaxTokens: 8192,
	capabilities: { vision: true, tools: true, json: true, image_output: false },
};
const imageTarget: UpstreamTarget = {
	...target,
	capabilities: { ...target.capabilities, image_output: true },
};
const noFetch: BuildContext = { fetch: () => Promise.reject(new Error("the adapter must not fetch")) };

const request = (body: Record<string, unknown>): ChatRequest =>
	chatRequest.parse({ model: "google/gemini", messages: [{ role: "user", content: "Hi" }], ...body });

async function build(body: Record<string, unknown>, to: UpstreamTarget = target, ctx = noFetch) {
	const upstream = await geminiAdapter.buildRequest(request(body), to, ctx);
	return { ...upstream, body: JSON.parse(upstream.body) as Record<string, unknown> };
}

async function rejection(body: Record<string, unknown>, ctx = noFetch) {
	try {
		await geminiAdapter.buildRequest(request(body), target, ctx);
	} catch (error) {
		if (error instanceof GatewayError) return { status: error.status, ...error.toBody().error };
		throw error;
	}
	throw new Error("expected a 400");
}

const user = (content: unknown) => ({ role: "user", content });
const SIGNATURE = "EpwICpkIAXLI2nx+lU6g/sWZ==";

describe("gemini request: endpoint", () => {
	it("posts to generateContent with the key in x-goog-api-key", async () => {
		const built = await build({});
		expect(built.url).toBe("https://gemini.example/v1beta/models/gemini-test:generateContent");
		expect(built.headers).toEqual({ "content-type": "application/json", "x-goog-api-key": "AIza-test-key" });
		expect(built.body).toEqual({ contents: [{ role: "user", parts: [{ text: "Hi" }] }] });
	});

	it("streams with streamGenerateContent?alt=sse and accepts a models/ prefixed upstream name", async () => {
		const built = await build({ stream: true }, { ...target, upstreamModel: "models/gemini-2.5-flash" });
		expect(built.url).toBe(
			"https://gemini.example/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
		);
	});
});

describe("gemini request: messages", () => {
	it("moves system and developer messages to systemInstruction and merges turns of one role", async () => {
		const built = await build({
			messages: [
				{ role: "system", content: "Be terse." },
				user("One"),
				{ role: "developer", content: [{ type: "text", text: "Use metric." }] },
				user([{ type: "text", text: "Two" }]),
				{ role: "assistant", content: "Answer" },
				{ role: "assistant", content: [{ type: "text", text: "More" }] },
				user(""),
				user("Three"),
			],
		});
		expect(built.body).toEqual({
			systemInstruction: { parts: [{ text: "Be terse." }, { text: "Use metric." }] },
			contents: [
				{ role: "user", parts: [{ text: "One" }, { text: "Two" }] },
				{ role: "model", parts: [{ text: "Answer" }, { text: "More" }] },
				{ role: "user", parts: [{ text: "Three" }] },
			],
		});
	});

	it("sends a system-only prompt as the user's words, since Gemini needs contents", async () => {
		const built = await build({ messages: [{ role: "system", content: "Say hi." }] });
		expect(built.body).toEqual({ contents: [{ role: "user", parts: [{ text: "Say hi." }] }] });
	});

	it("turns tool calls into functionCall parts, restoring the signature the id carries", async () => {
		const signed = mintToolCallId(SIGNATURE);
		const built = await build({
			messages: [
				user("Weather in Paris and Tokyo?"),
				{
					role: "assistant",
					content: null,
					tool_calls: [
						{
							id: signed,
							type: "function",
							function: { name: "get_weather", arguments: '{"location":"Paris"}' },
						},
						{ id: "call_client_made", type: "function", function: { name: "get_weather", arguments: "" } },
					],
				},
				{ role: "tool", tool_call_id: signed, content: "18C" },
				{ role: "tool", tool_call_id: "call_client_made", content: [{ type: "text", text: "25C" }] },
				user("Thanks"),
			],
		});
		expect(built.body.contents).toEqual([
			{ role: "user", parts: [{ text: "Weather in Paris and Tokyo?" }] },
			{
				role: "model",
				parts: [
					{ functionCall: { name: "get_weather", args: { location: "Paris" } }, thoughtSignature: SIGNATURE },
					{ functionCall: { name: "get_weather", args: {} } },
				],
			},
			{
				role: "user",
				parts: [
					{ functionResponse: { name: "get_weather", response: { result: "18C" } } },
					{ functionResponse: { name: "get_weather", response: { result: "25C" } } },
					{ text: "Thanks" },
				],
			},
		]);
	});

	it("answers a legacy function message with a functionResponse of its name", async () => {
		const built = await build({
			messages: [user("x"), { role: "function", name: "lookup", content: "found" }],
		});
		expect(built.body.contents).toEqual([
			{
				role: "user",
				parts: [{ text: "x" }, { functionResponse: { name: "lookup", response: { result: "found" } } }],
			},
		]);
	});

	it("refuses a tool result for a call no assistant made, and arguments that are not a JSON object", async () => {
		expect(
			await rejection({ messages: [user("x"), { role: "tool", tool_call_id: "call_nope", content: "1" }] }),
		).toEqual({
			status: 400,
			message: 'messages[1] answers tool call "call_nope", which no earlier assistant message made',
			type: "invalid_request_error",
			param: "messages[1].tool_call_id",
			code: null,
		});
		const call = (args: string) => ({
			messages: [
				user("x"),
				{
					role: "assistant",
					tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: args } }],
				},
			],
		});
		expect(await rejection(call("{nope"))).toMatchObject({
			status: 400,
			message: "tool call arguments are not valid JSON",
			param: "messages[1].tool_calls[0].function.arguments",
		});
		expect(await rejection(call("[1]"))).toMatchObject({
			message: "tool call arguments must be a JSON object",
		});
	});

	it("inlines data URLs, audio and file data", async () => {
		const built = await build({
			messages: [
				user([
					{ type: "text", text: "What is this?" },
					{ type: "image_url", image_url: { url: "data:image/PNG;base64,iVBORw0KGgo=" } },
					{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
					{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
				]),
			],
		});
		expect(built.body.contents).toEqual([
			{
				role: "user",
				parts: [
					{ text: "What is this?" },
					{ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
					{ inlineData: { mimeType: "audio/wav", data: "UklGRg==" } },
					{ inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
				],
			},
		]);
	});

	it("refuses malformed data URLs and non-image data in image_url", async () => {
		const image = (url: string) => ({ messages: [user([{ type: "image_url", image_url: { url } }])] });
		expect(await rejection(image("data:image/png,rawbytes"))).toEqual({
			status: 400,
			message: "a data URL must look like data:<media type>;base64,<data>",
			type: "invalid_request_error",
			param: "messages[0].content[0].image_url.url",
			code: "invalid_image_url",
		});
		expect(await rejection(image("data:text/html;base64,PGI+"))).toMatchObject({
			message: 'a data URL of type "text/html" is not an image',
		});
	});

	it("fetches https images through the context's fetch and inlines them", async () => {
		const seen: string[] = [];
		const fetcher = async (input: RequestInfo | URL) => {
			seen.push(String(input));
			return new Response(new Uint8Array([1, 2, 3]), { headers: { "content-type": "image/webp" } });
		};
		const built = await build(
			{ messages: [user([{ type: "image_url", image_url: { url: "https://images.example/cat.webp" } }])] },
			target,
			{ fetch: fetcher as typeof fetch },
		);
		expect(seen).toEqual(["https://images.example/cat.webp"]);
		expect(built.body.contents).toEqual([
			{ role: "user", parts: [{ inlineData: { mimeType: "image/webp", data: "AQID" } }] },
		]);
	});

	it("refuses image URLs on private addresses with a clear 400, without fetching", async () => {
		for (const url of [
			"https://127.0.0.1/a.png",
			"https://localhost/a.png",
			"https://[::1]/a.png",
			"http://images.example/a.png",
		]) {
			const error = await rejection({ messages: [user([{ type: "image_url", image_url: { url } }])] });
			expect(error.status).toBe(400);
			expect(error.code).toBe("invalid_image_url");
			expect(error.param).toBe("messages[0].content[0].image_url.url");
		}
	});
});

describe("gemini request: generation settings", () => {
	it("maps sampling, length, stop, n, seed and penalties", async () => {
		const built = await build({
			temperature: 0.3,
			top_p: 0.9,
			max_tokens: 100,
			max_completion_tokens: 200,
			stop: "END",
			n: 2,
			seed: 7,
			presence_penalty: 0.5,
			frequency_penalty: -0.5,
			user: "someone",
			parallel_tool_calls: false,
		});
		expect(built.body.generationConfig).toEqual({
			temperature: 0.3,
			topP: 0.9,
			maxOutputTokens: 200,
			stopSequences: ["END"],
			candidateCount: 2,
			seed: 7,
			presencePenalty: 0.5,
			frequencyPenalty: -0.5,
		});
		expect(Object.keys(built.body)).toEqual(["contents", "generationConfig"]);
	});

	it("uses max_tokens when it is the only cap, keeps stop lists, and leaves n=1 to the default", async () => {
		const built = await build({ max_tokens: 50, stop: ["a", "b"], n: 1 });
		expect(built.body.generationConfig).toEqual({ maxOutputTokens: 50, stopSequences: ["a", "b"] });
	});

	it("asks for JSON, with a cleaned-up JSON Schema when one is given", async () => {
		expect((await build({ response_format: { type: "json_object" } })).body.generationConfig).toEqual({
			responseMimeType: "application/json",
		});
		const schema = {
			$schema: "https://json-schema.org/draft/2020-12/schema",
			type: "object",
			properties: { pet: { $ref: "#/$defs/Pet", description: "the pet" } },
			required: ["pet"],
			$defs: { Pet: { type: "object", properties: { name: { type: "string" } } } },
		};
		const built = await build({
			response_format: { type: "json_schema", json_schema: { name: "out", schema, strict: true } },
		});
		expect(built.body.generationConfig).toEqual({
			responseMimeType: "application/json",
			responseJsonSchema: {
				type: "object",
				properties: {
					pet: { type: "object", properties: { name: { type: "string" } }, description: "the pet" },
				},
				required: ["pet"],
			},
		});
	});

	it("asks for images when the client says so or the catalog model draws, unless the client says text only", async () => {
		const modalities = async (body: Record<string, unknown>, to: UpstreamTarget) =>
			((await build(body, to)).body.generationConfig as Record<string, unknown> | undefined)
				?.responseModalities;
		expect(await modalities({}, imageTarget)).toEqual(["TEXT", "IMAGE"]);
		expect(await modalities({ modalities: ["image", "text"] }, target)).toEqual(["TEXT", "IMAGE"]);
		expect(await modalities({ modalities: ["text"] }, imageTarget)).toEqual(["TEXT"]);
		expect(await modalities({ modalities: ["text"] }, target)).toBeUndefined();
		expect(await modalities({}, target)).toBeUndefined();
	});

	it("refuses logprobs, which Gemini would not return in OpenAI's shape", async () => {
		expect(await rejection({ logprobs: true })).toEqual({
			status: 400,
			message: "logprobs are not supported for Gemini models",
			type: "invalid_request_error",
			param: "logprobs",
			code: "unsupported_parameter",
		});
	});
});

describe("gemini request: tools", () => {
	const tools = [
		{
			type: "function",
			function: {
				name: "get_weather",
				description: "Weather for a place",
				parameters: {
					type: "object",
					properties: { location: { anyOf: [{ type: "string" }, { type: "null" }] } },
					additionalProperties: false,
				},
				strict: true,
			},
		},
		{ type: "function", function: { name: "now", parameters: {} } },
	];

	it("declares functions with their full JSON Schema in parametersJsonSchema", async () => {
		const built = await build({ tools });
		expect(built.body.tools).toEqual([
			{
				functionDeclarations: [
					{
						name: "get_weather",
						description: "Weather for a place",
						parametersJsonSchema: {
							type: "object",
							properties: { location: { anyOf: [{ type: "string" }, { type: "null" }] } },
							additionalProperties: false,
						},
					},
					{ name: "now" },
				],
			},
		]);
		expect(built.body.toolConfig).toBeUndefined();
	});

	it("maps tool_choice to functionCallingConfig", async () => {
		const config = async (choice: unknown) => (await build({ tools, tool_choice: choice })).body.toolConfig;
		expect(await config("auto")).toEqual({ functionCallingConfig: { mode: "AUTO" } });
		expect(await config("none")).toEqual({ functionCallingConfig: { mode: "NONE" } });
		expect(await config("required")).toEqual({ functionCallingConfig: { mode: "ANY" } });
		expect(await config({ type: "function", function: { name: "now" } })).toEqual({
			functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["now"] },
		});
	});

	it("refuses a forced function that is not declared, and tool_choice kinds Gemini lacks", async () => {
		expect(
			await rejection({ tools, tool_choice: { type: "function", function: { name: "other" } } }),
		).toMatchObject({
			status: 400,
			message: "tool_choice names a function that is not in tools: other",
			param: "tool_choice",
		});
		expect(await rejection({ tools, tool_choice: { type: "allowed_tools" } })).toMatchObject({
			message: 'tool_choice type "allowed_tools" is not supported by Gemini models',
		});
	});
});
