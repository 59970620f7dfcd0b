import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { readSignature } from "../../src/protocols/gemini/thought-signature";
import {
	BAD_REQUEST_MESSAGE,
	IMAGE,
	MAX_TOKENS_PIECES,
	PARALLEL,
	PROMPT_BLOCK_REASON,
	RATE_LIMITED_RETRY_DELAY_S,
	SAFETY_TEXT,
	STREAM_BREAK_AFTER,
	TEXT,
	TEXT_PIECES,
	TEXT_TOKENS,
	THINKING,
	TOOL_ANSWER_PREFIX,
	TOOL_CALL_ARGS,
	USAGE_TAIL,
} from "../fakes/scenarios/gemini";
import { replayIt } from "../shared/replay";
import { chat, createKey, gateway, putModel, readSse, uniqueModelId, usageRow } from "./helpers";

/**
 * Google models through the whole gateway, against the fake Gemini API (test/fakes/gemini-fake.ts),
 * whose `{model}` path segment picks the scenario.
 */

type Json = Record<string, unknown>;
type ImageRefs = Array<{ image_url: { url: string } }>;
type Capabilities = Partial<{ vision: boolean; tools: boolean; json: boolean; image_output: boolean }>;

let key: string;
let keyId: string;
const models = new Map<string, string>();

async function model(
	scenario: string,
	capabilities: Capabilities = { vision: true, tools: true, json: true },
): Promise<string> {
	const cacheKey = `${scenario}:${JSON.stringify(capabilities)}`;
	const known = models.get(cacheKey);
	if (known) return known;
	const id = uniqueModelId("google", scenario.replace(/[^a-z0-9-]/g, "").slice(0, 40));
	await putModel(id, {
		provider: "google",
		upstream_model: scenario,
		input_price: 1,
		output_price: 2,
		cached_input_price: 0.5,
		capabilities,
	});
	models.set(cacheKey, id);
	return id;
}
const imageModel = (scenario: string) => model(scenario, { vision: true, image_output: true });

const fake = (path: string) => fetch(`${env.GEMINI_BASE_URL}${path}`);
const user = (content: unknown) => ({ role: "user", content });
const hello = [user("Say hello")];

/** The usage the gateway reports for the fake's `text`: thinking tokens count as completion tokens. */
const TEXT_COMPLETION = TEXT_TOKENS.candidates + TEXT_TOKENS.thoughts;
const TEXT_USAGE = {
	prompt_tokens: TEXT_TOKENS.prompt,
	completion_tokens: TEXT_COMPLETION,
	total_tokens: TEXT_TOKENS.prompt + TEXT_COMPLETION,
	prompt_tokens_details: { cached_tokens: 0 },
	completion_tokens_details: { reasoning_tokens: TEXT_TOKENS.thoughts },
	cost: (TEXT_TOKENS.prompt * 1 + TEXT_COMPLETION * 2) / 1e6,
};

async function completion(res: Response) {
	expect(res.status, await res.clone().text()).toBe(200);
	return { gateId: res.headers.get("x-request-id") ?? "", body: (await res.json()) as Json };
}

async function streamed(res: Response) {
	expect(res.status, await res.clone().text()).toBe(200);
	expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
	const gateId = res.headers.get("x-request-id") ?? "";
	const { events } = await readSse(res);
	return { gateId, events: events as Array<Json | "[DONE]"> };
}

/** The chunk the gateway sends: gate id, the client's model id, choices. */
const chunk = (gateId: string, modelId: string, choices: unknown[], usage?: unknown) => ({
	id: gateId,
	object: "chat.completion.chunk",
	created: expect.any(Number),
	model: modelId,
	choices,
	...(usage ? { usage } : {}),
});
const deltaChoice = (delta: Json, index = 0) => ({ index, delta, finish_reason: null });
const finishChoice = (reason: string, index = 0) => ({ index, delta: {}, finish_reason: reason });
const roleChoice = (index = 0) => deltaChoice({ role: "assistant", content: "" }, index);

const choicesOf = (events: Array<Json | "[DONE]">) =>
	events.flatMap((e) =>
		e === "[DONE]" ? [] : ((e.choices as Array<{ delta: Json; finish_reason: string | null }>) ?? []),
	);
const contentOf = (events: Array<Json | "[DONE]">) =>
	choicesOf(events)
		.map((c) => (typeof c.delta.content === "string" ? c.delta.content : ""))
		.join("");

beforeAll(async () => {
	({ key, id: keyId } = await createKey());
});

describe("google models: text", () => {
	it("answers a non-streamed request in OpenAI's shape, with usage, cost and a usage row", async () => {
		const id = await model("text");
		const { gateId, body } = await completion(await chat(key, { model: id, messages: hello }));
		expect(body).toEqual({
			id: gateId,
			object: "chat.completion",
			created: expect.any(Number),
			model: id,
			choices: [
				{
					index: 0,
					message: { role: "assistant", content: TEXT },
					finish_reason: "stop",
				},
			],
			usage: TEXT_USAGE,
		});
		expect(await usageRow(gateId)).toMatchObject({
			key_id: keyId,
			model: id,
			provider: "google",
			upstream_model: "text",
			prompt_tokens: TEXT_USAGE.prompt_tokens,
			completion_tokens: TEXT_USAGE.completion_tokens,
			total_tokens: TEXT_USAGE.total_tokens,
			reasoning_tokens: TEXT_TOKENS.thoughts,
			cost_usd: TEXT_USAGE.cost,
			outcome: "ok",
			status: 200,
		});
	});

	it("streams role, content, then the finish chunk carrying usage when asked, then [DONE]", async () => {
		const id = await model("text");
		const res = await chat(key, {
			model: id,
			messages: hello,
			stream: true,
			stream_options: { include_usage: true },
		});
		const { gateId, events } = await streamed(res);
		expect(events).toEqual([
			chunk(gateId, id, [roleChoice()]),
			...TEXT_PIECES.map((content) => chunk(gateId, id, [deltaChoice({ content })])),
			chunk(gateId, id, [finishChoice("stop")], TEXT_USAGE),
			"[DONE]",
		]);
		expect(await usageRow(gateId)).toMatchObject({
			streamed: 1,
			prompt_tokens: TEXT_USAGE.prompt_tokens,
			completion_tokens: TEXT_USAGE.completion_tokens,
			outcome: "ok",
		});
	});

	it("gives n candidates as n choices", async () => {
		const id = await model("text");
		const { body } = await completion(await chat(key, { model: id, messages: hello, n: 2 }));
		expect(body.choices).toEqual([
			{
				index: 0,
				message: { role: "assistant", content: TEXT },
				finish_reason: "stop",
			},
			{
				index: 1,
				message: { role: "assistant", content: `${TEXT_PIECES[0]} #1${TEXT_PIECES.slice(1).join("")}` },
				finish_reason: "stop",
			},
		]);
		const { events } = await streamed(await chat(key, { model: id, messages: hello, n: 2, stream: true }));
		const finishes = choicesOf(events).filter((c) => c.finish_reason !== null);
		expect(finishes).toEqual([finishChoice("stop", 0), finishChoice("stop", 1)]);
	});

	it("exposes thought summaries as reasoning_content", async () => {
		const id = await model("thinking");
		const { body } = await completion(await chat(key, { model: id, messages: hello }));
		expect((body.choices as Json[])[0]).toEqual({
			index: 0,
			message: {
				role: "assistant",
				content: THINKING.text,
				reasoning_content: THINKING.thought,
			},
			finish_reason: "stop",
		});
	});

	it("reports usage that arrives after the finish event", async () => {
		const id = await model("usage-tail");
		const res = await chat(key, {
			model: id,
			messages: hello,
			stream: true,
			stream_options: { include_usage: true },
		});
		const { gateId, events } = await streamed(res);
		const last = events.at(-2) as Json;
		// Tool-use prompt tokens count as prompt tokens, thinking tokens as completion tokens.
		const prompt = USAGE_TAIL.prompt + USAGE_TAIL.toolUsePrompt;
		const completion = USAGE_TAIL.candidates + USAGE_TAIL.thoughts;
		expect(last.usage).toEqual({
			prompt_tokens: prompt,
			completion_tokens: completion,
			total_tokens: prompt + completion,
			prompt_tokens_details: { cached_tokens: USAGE_TAIL.cached },
			completion_tokens_details: { reasoning_tokens: USAGE_TAIL.thoughts },
			cost: ((prompt - USAGE_TAIL.cached) * 1 + USAGE_TAIL.cached * 0.5 + completion * 2) / 1e6,
		});
		expect(await usageRow(gateId)).toMatchObject({
			prompt_tokens: prompt,
			completion_tokens: completion,
			cached_tokens: USAGE_TAIL.cached,
		});
	});
});

describe("google models: request translation", () => {
	it("sends Gemini exactly the translated request", async () => {
		const id = await model("echo-request");
		const { body } = await completion(
			await chat(key, {
				model: id,
				messages: [
					{ role: "system", content: "Be terse." },
					user("Hi"),
					user([{ type: "text", text: "What is 2+2?" }]),
					{ role: "assistant", content: "4" },
					{ role: "developer", content: "Answer in JSON." },
					user([{ type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } }]),
				],
				temperature: 0.2,
				top_p: 0.8,
				max_completion_tokens: 300,
				stop: ["END"],
				seed: 42,
				presence_penalty: 0.1,
				frequency_penalty: 0.2,
				user: "end-user-1",
				tools: [
					{
						type: "function",
						function: {
							name: "lookup",
							description: "Look a word up",
							parameters: {
								$schema: "http://json-schema.org/draft-07/schema#",
								type: "object",
								properties: { word: { $ref: "#/definitions/Word", description: "the word" } },
								definitions: { Word: { type: "string", minLength: 1 } },
								required: ["word"],
							},
						},
					},
				],
				tool_choice: "auto",
				response_format: {
					type: "json_schema",
					json_schema: { name: "answer", schema: { type: "object", properties: { n: { type: "integer" } } } },
				},
			}),
		);
		const message = (body.choices as Array<{ message: { content: string } }>)[0]?.message;
		expect(JSON.parse(message?.content ?? "")).toEqual({
			contents: [
				{ role: "user", parts: [{ text: "Hi" }, { text: "What is 2+2?" }] },
				{ role: "model", parts: [{ text: "4" }] },
				{ role: "user", parts: [{ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }] },
			],
			systemInstruction: { parts: [{ text: "Be terse." }, { text: "Answer in JSON." }] },
			tools: [
				{
					functionDeclarations: [
						{
							name: "lookup",
							description: "Look a word up",
							parametersJsonSchema: {
								type: "object",
								properties: { word: { type: "string", minLength: 1, description: "the word" } },
								required: ["word"],
							},
						},
					],
				},
			],
			toolConfig: { functionCallingConfig: { mode: "AUTO" } },
			generationConfig: {
				temperature: 0.2,
				topP: 0.8,
				maxOutputTokens: 300,
				stopSequences: ["END"],
				seed: 42,
				presencePenalty: 0.1,
				frequencyPenalty: 0.2,
				responseMimeType: "application/json",
				responseJsonSchema: { type: "object", properties: { n: { type: "integer" } } },
			},
		});
	});

	it("forces a named function, which Gemini refuses together with JSON output", async () => {
		const id = await model("echo-request");
		const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];
		const tool_choice = { type: "function", function: { name: "lookup" } };
		const { body } = await completion(await chat(key, { model: id, messages: hello, tools, tool_choice }));
		const text = (body.choices as Array<{ message: { content: string } }>)[0]?.message.content ?? "";
		expect((JSON.parse(text) as Json).toolConfig).toEqual({
			functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["lookup"] },
		});
		const res = await chat(key, {
			model: id,
			messages: hello,
			tools,
			tool_choice,
			response_format: { type: "json_object" },
		});
		expect(res.status).toBe(400);
		expect(await res.json()).toEqual({
			error: {
				message:
					"Forced function calling (ANY mode) with a response mime type: 'application/json' is unsupported",
				type: "invalid_request_error",
				param: null,
				code: "invalid_argument",
			},
		});
	});

	it("asks image models for images by default and for text only when the client says so", async () => {
		const echo = async (modelId: string, extra: Json) => {
			const { body } = await completion(await chat(key, { model: modelId, messages: hello, ...extra }));
			const text = (body.choices as Array<{ message: { content: string } }>)[0]?.message.content ?? "";
			return (JSON.parse(text) as { generationConfig?: Json }).generationConfig;
		};
		expect(await echo(await imageModel("echo-request"), {})).toEqual({
			responseModalities: ["TEXT", "IMAGE"],
		});
		expect(await echo(await imageModel("echo-request"), { modalities: ["text"] })).toEqual({
			responseModalities: ["TEXT"],
		});
		expect(await echo(await model("echo-request"), { modalities: ["image", "text"] })).toEqual({
			responseModalities: ["TEXT", "IMAGE"],
		});
		expect(await echo(await model("echo-request"), {})).toBeUndefined();
	});

	it("refuses image URLs on private or loopback addresses with a clear 400", async () => {
		const id = await model("echo-request");
		for (const url of [
			"https://127.0.0.1/cat.png",
			"https://localhost:8443/cat.png",
			"https://169.254.169.254/x.png",
			"https://[::1]/a.png",
		]) {
			const res = await chat(key, {
				model: id,
				messages: [
					user([
						{ type: "text", text: "What is this?" },
						{ type: "image_url", image_url: { url } },
					]),
				],
			});
			expect(res.status, url).toBe(400);
			expect(await res.json()).toEqual({
				error: {
					message: "The image URL was refused: it points to a private, loopback or link-local address.",
					type: "invalid_request_error",
					param: "messages[0].content[1].image_url.url",
					code: "invalid_image_url",
				},
			});
		}
	});
});

describe("google models: tools and thought signatures", () => {
	const tools = [
		{
			type: "function",
			function: {
				name: "get_weather",
				description: "Current weather",
				parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
			},
		},
	];
	const question = user("Weather in Paris?");

	it("runs a two-turn tool conversation; the signature travels in the tool call id", async () => {
		const id = await model("tool-call");
		const first = await completion(await chat(key, { model: id, messages: [question], tools }));
		const choice = (first.body.choices as Array<{ message: Json; finish_reason: string }>)[0];
		expect(choice?.finish_reason).toBe("tool_calls");
		const calls = choice?.message.tool_calls as Array<{ id: string; type: string; function: Json }>;
		expect(choice?.message).toEqual({ role: "assistant", content: null, tool_calls: [calls[0]] });
		expect(calls[0]).toEqual({
			id: expect.stringMatching(/^call_[A-Za-z0-9]{24}_ts_[A-Za-z0-9_-]+$/),
			type: "function",
			function: { name: "get_weather", arguments: JSON.stringify(TOOL_CALL_ARGS) },
		});

		const toolResult = { role: "tool", tool_call_id: calls[0]?.id, content: '{"temp":18}' };
		const second = await completion(
			await chat(key, { model: id, messages: [question, choice?.message, toolResult], tools }),
		);
		expect((second.body.choices as Json[])[0]).toEqual({
			index: 0,
			message: { role: "assistant", content: `${TOOL_ANSWER_PREFIX}{"result":"{\\"temp\\":18}"}` },
			finish_reason: "stop",
		});
	});

	it("fails the second turn when the client lost the signature, with Gemini's message", async () => {
		const id = await model("tool-call");
		const first = await completion(await chat(key, { model: id, messages: [question], tools }));
		const message = (
			first.body.choices as Array<{ message: { tool_calls: Array<{ id: string; function: Json }> } }>
		)[0]?.message;
		const call = message?.tool_calls[0];
		const stripped = { ...call, id: (call?.id ?? "").replace(/_ts_.*$/, "") };
		const res = await chat(key, {
			model: id,
			messages: [
				question,
				{ role: "assistant", content: null, tool_calls: [stripped] },
				{ role: "tool", tool_call_id: stripped.id, content: "18C" },
			],
			tools,
		});
		expect(res.status).toBe(400);
		const error = ((await res.json()) as { error: Json }).error;
		expect(error).toMatchObject({ type: "invalid_request_error", code: "invalid_argument", param: null });
		expect(error.message).toMatch(/^Function call is missing a thought_signature in functionCall parts\./);
	});

	it("streams a tool call as one delta and carries it into the next streamed turn", async () => {
		const id = await model("tool-call");
		const { gateId, events } = await streamed(
			await chat(key, { model: id, messages: [question], tools, stream: true }),
		);
		const callDeltas = (choicesOf(events)[1]?.delta.tool_calls ?? []) as Array<{ id: string }>;
		const callId = callDeltas[0]?.id ?? "";
		expect(events).toEqual([
			chunk(gateId, id, [roleChoice()]),
			chunk(gateId, id, [
				deltaChoice({
					tool_calls: [
						{
							index: 0,
							id: callId,
							type: "function",
							function: { name: "get_weather", arguments: JSON.stringify(TOOL_CALL_ARGS) },
						},
					],
				}),
			]),
			chunk(gateId, id, [finishChoice("tool_calls")]),
			"[DONE]",
		]);
		expect(readSignature(callId)).toBeTruthy();
		const next = await streamed(
			await chat(key, {
				model: id,
				stream: true,
				tools,
				messages: [
					question,
					{
						role: "assistant",
						tool_calls: [
							{
								id: callId,
								type: "function",
								function: { name: "get_weather", arguments: JSON.stringify(TOOL_CALL_ARGS) },
							},
						],
					},
					{ role: "tool", tool_call_id: callId, content: "sunny" },
				],
			}),
		);
		expect(contentOf(next.events)).toBe(`${TOOL_ANSWER_PREFIX}{"result":"sunny"}`);
	});

	it("streams parallel calls with indices 0 and 1; only the first is signed, and both answers go back", async () => {
		const id = await model("tool-parallel");
		const { events } = await streamed(
			await chat(key, { model: id, messages: [user("Paris and Tokyo?")], tools, stream: true }),
		);
		const calls = choicesOf(events).flatMap(
			(c) => (c.delta.tool_calls as Array<{ index: number; id: string; function: Json }>) ?? [],
		);
		expect(calls.map((c) => [c.index, c.function])).toEqual(
			PARALLEL.locations.map((location, i) => [
				i,
				{ name: "get_weather", arguments: JSON.stringify({ location }) },
			]),
		);
		expect(calls.map((c) => readSignature(c.id) !== undefined)).toEqual([true, false]);
		expect(contentOf(events)).toBe(PARALLEL.text);
		expect(choicesOf(events).at(-1)?.finish_reason).toBe("tool_calls");

		const assistant = {
			role: "assistant",
			content: PARALLEL.text,
			tool_calls: calls.map((c) => ({ id: c.id, type: "function", function: c.function })),
		};
		const answers = calls.map((c, i) => ({
			role: "tool",
			tool_call_id: c.id,
			content: i === 0 ? "18C" : "25C",
		}));
		const { body } = await completion(
			await chat(key, { model: id, messages: [user("Paris and Tokyo?"), assistant, ...answers], tools }),
		);
		expect((body.choices as Array<{ message: Json }>)[0]?.message.content).toBe(PARALLEL.answer(2));
	});
});

describe("google models: image output", () => {
	async function expectServed(url: string, gateId: string) {
		const png = new Uint8Array(await (await fake("/__fake/png")).arrayBuffer());
		expect(url).toMatch(/^http:\/\/gateway\.test\/v1\/images\/[A-Za-z0-9_-]{22}\.png$/);
		const path = new URL(url).pathname;
		const res = await gateway(path);
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("image/png");
		expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
		const etag = res.headers.get("etag") ?? "";
		expect(etag).toMatch(/^".+"$/);
		expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);
		const revalidated = await gateway(path, { headers: { "if-none-match": etag } });
		expect(revalidated.status).toBe(304);
		const imageId = /\/v1\/images\/([^.]+)\./.exec(path)?.[1];
		const row = await env.DB.prepare(
			"SELECT gate_id, key_id, media_type, size, provider_metadata FROM images WHERE id = ?",
		)
			.bind(imageId)
			.first();
		expect(row).toEqual({
			gate_id: gateId,
			key_id: keyId,
			media_type: "image/png",
			size: png.byteLength,
			// Kept to send back with the picture when a later request edits it.
			provider_metadata: JSON.stringify({ gemini: { thoughtSignature: IMAGE.signature } }),
		});
	}

	it("streams a picture drawn mid-answer as a delta.images URL serving the identical bytes", async () => {
		const id = await imageModel("image");
		const { gateId, events } = await streamed(
			await chat(key, { model: id, messages: [user("Draw a square")], stream: true }),
		);
		const images = choicesOf(events).flatMap(
			(c) => (c.delta.images as Array<{ image_url: { url: string } }>) ?? [],
		);
		expect(images).toHaveLength(1);
		const url = images[0]?.image_url.url ?? "";
		expect(events).toEqual([
			chunk(gateId, id, [roleChoice()]),
			chunk(gateId, id, [deltaChoice({ content: IMAGE.before })]),
			chunk(gateId, id, [deltaChoice({ images: [{ type: "image_url", image_url: { url } }] })]),
			chunk(gateId, id, [deltaChoice({ content: `\n![image](${url})\n` })]),
			chunk(gateId, id, [deltaChoice({ content: IMAGE.after })]),
			chunk(gateId, id, [finishChoice("stop")]),
			"[DONE]",
		]);
		await expectServed(url, gateId);
	});

	it("returns message.images and a markdown link in a non-streamed answer", async () => {
		const id = await imageModel("image");
		const { gateId, body } = await completion(
			await chat(key, { model: id, messages: [user("Draw a square")] }),
		);
		const message = (body.choices as Array<{ message: { images: Array<{ image_url: { url: string } }> } }>)[0]
			?.message;
		const url = message?.images[0]?.image_url.url ?? "";
		expect(body.choices).toEqual([
			{
				index: 0,
				message: {
					role: "assistant",
					content: `${IMAGE.before}\n![image](${url})\n${IMAGE.after}`,
					images: [{ type: "image_url", image_url: { url } }],
				},
				finish_reason: "stop",
			},
		]);
		await expectServed(url, gateId);
	});

	it("puts a picture it drew back into the history, with its thought signature, for an edit", async () => {
		const { body } = await completion(
			await chat(key, { model: await imageModel("image"), messages: [user("Draw a square")] }),
		);
		const drawn = (body.choices as Array<{ message: { content: string; images: ImageRefs } }>)[0]
			?.message as { content: string; images: ImageRefs };
		const png = new Uint8Array(await (await fake("/__fake/png")).arrayBuffer());
		const picture = {
			inlineData: { mimeType: "image/png", data: btoa(String.fromCharCode(...png)) },
			thoughtSignature: IMAGE.signature,
		};
		const editor = await imageModel("echo-request");
		/** The model turn Gemini receives for this assistant message in the history. */
		const modelTurn = async (assistant: Json) => {
			const { body: echoed } = await completion(
				await chat(key, {
					model: editor,
					messages: [user("Draw a square"), assistant, user("Make it blue")],
				}),
			);
			const text = (echoed.choices as Array<{ message: { content: string } }>)[0]?.message.content ?? "";
			return (JSON.parse(text) as { contents: Json[] }).contents[1];
		};
		const inPlace = {
			role: "model",
			parts: [{ text: `${IMAGE.before}\n` }, picture, { text: IMAGE.after }],
		};
		// Sent back as received; by a client that keeps only role and content; with `images` only.
		expect(await modelTurn({ role: "assistant", ...drawn })).toEqual(inPlace);
		expect(await modelTurn({ role: "assistant", content: drawn.content })).toEqual(inPlace);
		expect(await modelTurn({ role: "assistant", content: "Done.", images: drawn.images })).toEqual({
			role: "model",
			parts: [{ text: "Done." }, picture],
		});
		// A picture that is gone (retention, or another gateway's) keeps its link as text.
		const gone = "http://gateway.test/v1/images/AAAAAAAAAAAAAAAAAAAAAA.png";
		expect(await modelTurn({ role: "assistant", content: `Old:\n![image](${gone})\n` })).toEqual({
			role: "model",
			parts: [{ text: "Old:\n" }, { text: `![image](${gone})\n` }],
		});
	});

	it("restores at most 4 pictures, and only from URLs of this gateway's image route", async () => {
		const drawer = await imageModel("image");
		const urls: string[] = [];
		for (let i = 0; i < 5; i++) {
			const { body } = await completion(await chat(key, { model: drawer, messages: [user("Draw")] }));
			urls.push(
				(body.choices as Array<{ message: { images: ImageRefs } }>)[0]?.message.images[0]?.image_url.url ??
					"",
			);
		}
		const lookalike = (urls[0] ?? "").replace("/v1/images/", "/x/v1/images/");
		const content = [lookalike, ...urls].map((url) => `![image](${url})\n`).join("");
		const { body: echoed } = await completion(
			await chat(key, {
				model: await imageModel("echo-request"),
				messages: [user("Draw"), { role: "assistant", content }, user("Blue, please")],
			}),
		);
		const text = (echoed.choices as Array<{ message: { content: string } }>)[0]?.message.content ?? "";
		const parts = (JSON.parse(text) as { contents: Array<{ parts: Json[] }> }).contents[1]?.parts ?? [];
		expect(parts.map((part) => ("text" in part ? part.text : "picture"))).toEqual([
			`![image](${lookalike})\n`,
			"picture",
			"picture",
			"picture",
			"picture",
			`![image](${urls[4]})\n`,
		]);
	});

	it("restores the pictures of the latest assistant turn only; earlier ones keep their links", async () => {
		const drawer = await imageModel("image");
		const draw = async () => {
			const { body } = await completion(await chat(key, { model: drawer, messages: [user("Draw")] }));
			return (body.choices as Array<{ message: { content: string } }>)[0]?.message.content ?? "";
		};
		const [first, second] = [await draw(), await draw()];
		const { body: echoed } = await completion(
			await chat(key, {
				model: await imageModel("echo-request"),
				messages: [
					user("Draw"),
					{ role: "assistant", content: first },
					user("Again"),
					{ role: "assistant", content: second },
					user("Make the last one blue"),
				],
			}),
		);
		const text = (echoed.choices as Array<{ message: { content: string } }>)[0]?.message.content ?? "";
		const contents = (JSON.parse(text) as { contents: Array<{ parts: Json[] }> }).contents;
		expect(contents[1]?.parts).toEqual([{ text: first }]);
		expect(contents[3]?.parts.map((part) => Object.keys(part))).toEqual([
			["text"],
			["inlineData", "thoughtSignature"],
			["text"],
		]);
	});

	it("draws nothing when the client asks an image model for text only", async () => {
		const id = await imageModel("image");
		const { body } = await completion(
			await chat(key, { model: id, messages: [user("Draw")], modalities: ["text"] }),
		);
		expect((body.choices as Json[])[0]).toEqual({
			index: 0,
			message: { role: "assistant", content: IMAGE.notRequested },
			finish_reason: "stop",
		});
	});

	it("answers NO_IMAGE with empty content and stop", async () => {
		const id = await imageModel("no-image");
		const { body } = await completion(await chat(key, { model: id, messages: [user("Draw")] }));
		expect(body.choices).toEqual([
			{ index: 0, message: { role: "assistant", content: "" }, finish_reason: "stop" },
		]);
	});

	it("answers 404 in OpenAI's shape for unknown image ids", async () => {
		const res = await gateway("/v1/images/AAAAAAAAAAAAAAAAAAAAAA.png");
		expect(res.status).toBe(404);
		expect(await res.json()).toEqual({
			error: {
				message: "No such image.",
				type: "invalid_request_error",
				param: null,
				code: "image_not_found",
			},
		});
	});
});

describe("google models: stops and filters", () => {
	it("reports a blocked prompt as content_filter, streamed or not", async () => {
		const id = await model("prompt-blocked");
		const { body } = await completion(await chat(key, { model: id, messages: hello }));
		expect(body.choices).toEqual([
			{
				index: 0,
				message: {
					role: "assistant",
					content: "",
					refusal: `The provider blocked the prompt (${PROMPT_BLOCK_REASON}).`,
				},
				finish_reason: "content_filter",
			},
		]);
		const { gateId, events } = await streamed(await chat(key, { model: id, messages: hello, stream: true }));
		expect(events).toEqual([
			chunk(gateId, id, [roleChoice()]),
			chunk(gateId, id, [
				deltaChoice({ refusal: `The provider blocked the prompt (${PROMPT_BLOCK_REASON}).` }),
			]),
			chunk(gateId, id, [finishChoice("content_filter")]),
			"[DONE]",
		]);
	});

	it("maps SAFETY to content_filter and MAX_TOKENS to length", async () => {
		const safety = await completion(await chat(key, { model: await model("safety"), messages: hello }));
		expect(safety.body.choices).toEqual([
			{
				index: 0,
				message: { role: "assistant", content: SAFETY_TEXT },
				finish_reason: "content_filter",
			},
		]);
		const { events } = await streamed(
			await chat(key, { model: await model("max-tokens"), messages: hello, stream: true }),
		);
		expect(contentOf(events)).toBe(MAX_TOKENS_PIECES.join(""));
		expect(choicesOf(events).at(-1)?.finish_reason).toBe("length");
	});
});

describe("google models: errors", () => {
	async function error(scenario: string, stream = false) {
		const res = await chat(key, { model: await model(scenario), messages: hello, stream });
		const text = await res.text();
		expect(text).not.toContain("AIza");
		expect(text).not.toContain(String(env.GEMINI_BASE_URL));
		return { status: res.status, headers: res.headers, body: JSON.parse(text) as { error: Json } };
	}

	it("keeps 429 with a retry-after taken from RetryInfo", async () => {
		const { status, headers, body } = await error("rate-limited");
		expect(status).toBe(429);
		expect(headers.get("retry-after")).toBe(String(RATE_LIMITED_RETRY_DELAY_S));
		expect(body).toEqual({
			error: {
				message: "The provider's rate limit or quota was exceeded. Try again later.",
				type: "rate_limit_error",
				param: null,
				code: "rate_limit_exceeded",
			},
		});
	});

	it("passes a 400's message through", async () => {
		expect(await error("bad-request")).toMatchObject({
			status: 400,
			body: {
				error: {
					message: BAD_REQUEST_MESSAGE,
					type: "invalid_request_error",
					param: null,
					code: "invalid_argument",
				},
			},
		});
	});

	it("turns 500 into 502 and 503 into 503", async () => {
		expect((await error("server-error")).status).toBe(502);
		const unavailable = await error("unavailable");
		expect(unavailable.status).toBe(503);
		expect(unavailable.body.error.code).toBe("upstream_unavailable");
	});

	it("hides a key rejection behind a 502 that never shows the key", async () => {
		for (const scenario of ["reject-key", "forbidden"]) {
			expect(await error(scenario)).toMatchObject({
				status: 502,
				body: {
					error: {
						message: "The provider rejected the gateway's credentials.",
						code: "upstream_auth_failed",
					},
				},
			});
		}
	});

	it("answers an unknown upstream model with 404 model_not_found", async () => {
		expect(await error("no-such-scenario")).toMatchObject({
			status: 404,
			body: { error: { code: "model_not_found" } },
		});
	});

	it("ends a stream with an error event when Gemini sends an error mid-stream or drops the connection", async () => {
		for (const scenario of ["stream-error", "stream-drop"]) {
			const id = await model(scenario);
			const res = await chat(key, { model: id, messages: hello, stream: true });
			const { events } = await streamed(res);
			const last = events.at(-1) as { error?: Json };
			expect(last.error, scenario).toMatchObject({ type: "server_error" });
			expect(events).not.toContain("[DONE]");
			expect(contentOf(events)).toBe(TEXT_PIECES.slice(0, STREAM_BREAK_AFTER).join(""));
		}
	});
});

describe("google models: recorded responses", () => {
	/** One recorded file, read through the fake (the worker has no file system). */
	async function recording(file: string): Promise<Response> {
		const res = await fake(`/__fake/fixture/${file}`);
		expect(res.status, res.ok ? file : await res.clone().text()).toBe(200);
		return res;
	}

	replayIt("translates a recorded stream with thought parts", async () => {
		const id = await model("replay-gemini-stream-thought-parts-raw");
		const { events } = await streamed(
			await chat(key, { model: id, messages: hello, stream: true, stream_options: { include_usage: true } }),
		);
		const reasoning = choicesOf(events)
			.map((c) => c.delta.reasoning_content ?? "")
			.join("");
		expect(reasoning).toMatch(/^\*\*Clarifying User Goals\*\*/);
		expect(contentOf(events).length).toBeGreaterThan(100);
		expect(choicesOf(events).at(-1)?.finish_reason).toBe("stop");
		expect((events.at(-2) as { usage: Json }).usage).toMatchObject({
			completion_tokens_details: { reasoning_tokens: expect.any(Number) },
		});
	});

	replayIt("carries a real recorded signature in the tool call id", async () => {
		const raw = await (await recording("gemini-stream-function-call-roundtrip.0.response.sse")).text();
		const recorded = /"thoughtSignature": "([^"]+)"/.exec(raw)?.[1];
		const id = await model("replay-gemini-stream-function-call-roundtrip.0");
		const { events } = await streamed(await chat(key, { model: id, messages: hello, stream: true }));
		const call = choicesOf(events).flatMap(
			(c) => (c.delta.tool_calls as Array<{ id: string; function: Json }>) ?? [],
		)[0];
		expect(call?.function).toEqual({ name: "get_country", arguments: "{}" });
		expect(readSignature(call?.id ?? "")).toBe(recorded);
		expect(choicesOf(events).at(-1)?.finish_reason).toBe("tool_calls");
	});

	replayIt("stores the real 2.5 MB recorded image and serves its exact bytes", async () => {
		const file = "gemini-2.5-flash-image-text-and-image.response.json";
		const response = (await (await recording(file)).json()) as {
			candidates: Array<{ content: { parts: Array<{ inlineData?: { data: string } }> } }>;
		};
		const data = response.candidates[0]?.content.parts.find((p) => p.inlineData)?.inlineData?.data ?? "";
		// Compared by digest: a deep equality over two million array elements takes seconds.
		const digest = async (bytes: BufferSource) =>
			[...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
				.map((b) => b.toString(16).padStart(2, "0"))
				.join("");
		const bytes = await digest(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
		const served = async (url: string | undefined) =>
			digest(await (await gateway(new URL(url ?? "").pathname)).arrayBuffer());
		const id = await imageModel("replay-gemini-2.5-flash-image-text-and-image");

		const { body } = await completion(await chat(key, { model: id, messages: hello }));
		const message = (body.choices as Array<{ message: { content: string; images: ImageRefs } }>)[0]?.message;
		expect(await served(message?.images[0]?.image_url.url)).toEqual(bytes);
		expect(message?.content).toMatch(
			/^Once, in a hidden cenote.*\n!\[image\]\(http:\/\/gateway\.test\/v1\/images\/.+\.png\)\n$/s,
		);

		// Streamed, the whole 3.4 MB response arrives as one SSE line.
		const { events } = await streamed(await chat(key, { model: id, messages: hello, stream: true }));
		const images = choicesOf(events).flatMap((c) => (c.delta.images ?? []) as ImageRefs);
		expect(images).toHaveLength(1);
		expect(await served(images[0]?.image_url.url)).toEqual(bytes);
	});

	replayIt("translates a recorded blocked prompt", async () => {
		const { body } = await completion(
			await chat(key, { model: await model("replay-issue-19758-prompt-block"), messages: hello }),
		);
		expect((body.choices as Json[])[0]).toMatchObject({
			finish_reason: "content_filter",
			message: { content: "" },
		});
		expect(body.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 });
	});
});
