import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import { adapter as geminiAdapter } from "../../../../src/protocols/gemini";
import { readSignature } from "../../../../src/protocols/gemini/thought-signature";
import { recordingContext } from "./context";

const usage = {
	promptTokenCount: 9,
	candidatesTokenCount: 28,
	thoughtsTokenCount: 244,
	totalTokenCount: 281,
};
const mappedUsage = {
	prompt_tokens: 9,
	completion_tokens: 272,
	total_tokens: 281,
	prompt_tokens_details: { cached_tokens: 0 },
	completion_tokens_details: { reasoning_tokens: 244 },
};

async function parse(body: unknown) {
	const { context, stored } = recordingContext();
	return { completion: await geminiAdapter.parseResponse(body, context), stored };
}

describe("gemini response translation", () => {
	it("turns text parts into content and drops text signatures (shape of a recorded gemini-3 answer)", async () => {
		const { completion } = await parse({
			candidates: [
				{
					content: { parts: [{ text: "There are **3** r's.", thoughtSignature: "EtoFCtcF" }], role: "model" },
					finishReason: "STOP",
					index: 0,
				},
			],
			usageMetadata: usage,
			modelVersion: "gemini-3-pro-preview",
			responseId: "Un6LacrVMcjUxs0PmJfWoQc",
		});
		expect(completion).toEqual({
			id: "",
			object: "chat.completion",
			created: 0,
			model: "",
			choices: [
				{ index: 0, message: { role: "assistant", content: "There are **3** r's." }, finish_reason: "stop" },
			],
			usage: mappedUsage,
		});
	});

	it("turns function calls into tool_calls with fresh ids that carry the signature; STOP becomes tool_calls", async () => {
		const { completion } = await parse({
			candidates: [
				{
					content: {
						parts: [
							{ text: "Checking." },
							{
								functionCall: { name: "weather", args: { location: "San Francisco" } },
								thoughtSignature: "EskgCsYg",
							},
							{ functionCall: { name: "weather", args: { location: "Tokyo" } } },
							{ functionCall: { name: "now" } },
						],
						role: "model",
					},
					finishReason: "STOP",
					index: 0,
					finishMessage: "Model generated function call(s).",
				},
			],
		});
		const message = completion.choices[0]?.message;
		const calls = message?.tool_calls ?? [];
		expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
		expect(message?.content).toBe("Checking.");
		expect(calls.map((c) => c.function)).toEqual([
			{ name: "weather", arguments: '{"location":"San Francisco"}' },
			{ name: "weather", arguments: '{"location":"Tokyo"}' },
			{ name: "now", arguments: "{}" },
		]);
		expect(calls.map((c) => c.type)).toEqual(["function", "function", "function"]);
		expect(calls.map((c) => readSignature(c.id))).toEqual(["EskgCsYg", undefined, undefined]);
		expect(new Set(calls.map((c) => c.id)).size).toBe(3);
		expect(completion.usage).toBeUndefined();
	});

	it("uses null content for a turn that only calls functions", async () => {
		const { completion } = await parse({
			candidates: [
				{ content: { parts: [{ functionCall: { name: "now", args: {} } }] }, finishReason: "STOP" },
			],
		});
		expect(completion.choices[0]?.message.content).toBeNull();
	});

	it("stores every generated image and returns URLs in images plus markdown links in content", async () => {
		const { completion, stored } = await parse({
			candidates: [
				{
					content: {
						parts: [
							{ text: "Once upon a time.", thoughtSignature: "EsauMgrC" },
							{ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" }, thoughtSignature: "EoClMgr8" },
							{ inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } },
							{ text: "The end." },
						],
						role: "model",
					},
					finishReason: "STOP",
					index: 0,
				},
			],
		});
		expect(stored).toEqual([
			{ base64: "iVBORw0KGgo=", mimeType: "image/png" },
			{ base64: "/9j/4AAQ", mimeType: "image/jpeg" },
		]);
		expect(completion.choices).toEqual([
			{
				index: 0,
				message: {
					role: "assistant",
					content:
						"Once upon a time.\n![image](https://gw.example/v1/images/img1.png)\n![image](https://gw.example/v1/images/img2.png)\nThe end.",
					images: [
						{ type: "image_url", image_url: { url: "https://gw.example/v1/images/img1.png" } },
						{ type: "image_url", image_url: { url: "https://gw.example/v1/images/img2.png" } },
					],
				},
				finish_reason: "stop",
			},
		]);
	});

	it("keeps thought text as reasoning_content and drops interim thought images and non-image data", async () => {
		const { completion, stored } = await parse({
			candidates: [
				{
					content: {
						parts: [
							{ text: "**Planning**", thought: true },
							{ inlineData: { mimeType: "image/png", data: "AAAA" }, thought: true },
							{ inlineData: { mimeType: "audio/wav", data: "AAAA" } },
							{ text: " more", thought: true },
							{ text: "Answer." },
						],
					},
					finishReason: "STOP",
				},
			],
		});
		expect(stored).toEqual([]);
		expect(completion.choices[0]?.message).toEqual({
			role: "assistant",
			content: "Answer.",
			reasoning_content: "**Planning** more",
		});
	});

	it("answers a NO_IMAGE candidate with empty content (recorded: content {})", async () => {
		const { completion } = await parse({
			candidates: [{ content: {}, finishReason: "NO_IMAGE", index: 0 }],
			usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 },
		});
		expect(completion.choices).toEqual([
			{ index: 0, message: { role: "assistant", content: "" }, finish_reason: "stop" },
		]);
		expect(completion.usage).toEqual({
			prompt_tokens: 9,
			completion_tokens: 0,
			total_tokens: 9,
			prompt_tokens_details: { cached_tokens: 0 },
			completion_tokens_details: { reasoning_tokens: 0 },
		});
	});

	it("maps safety and length stops", async () => {
		const reason = async (finishReason: string) =>
			(await parse({ candidates: [{ content: { parts: [{ text: "x" }] }, finishReason }] })).completion
				.choices[0]?.finish_reason;
		expect(await reason("MAX_TOKENS")).toBe("length");
		expect(await reason("SAFETY")).toBe("content_filter");
		expect(await reason("IMAGE_SAFETY")).toBe("content_filter");
		expect(await reason("RECITATION")).toBe("content_filter");
		expect(await reason("MALFORMED_FUNCTION_CALL")).toBe("stop");
	});

	it("turns a blocked prompt (no candidates) into content_filter with a refusal (recorded shape)", async () => {
		const { completion } = await parse({
			promptFeedback: { blockReason: "PROHIBITED_CONTENT" },
			usageMetadata: { promptTokenCount: 9, totalTokenCount: 9, serviceTier: "standard" },
			modelVersion: "gemini-3.7-flash",
		});
		expect(completion.choices).toEqual([
			{
				index: 0,
				message: {
					role: "assistant",
					content: "",
					refusal: "The provider blocked the prompt (PROHIBITED_CONTENT).",
				},
				finish_reason: "content_filter",
			},
		]);
	});

	it("gives one choice per candidate, by candidate index", async () => {
		const { completion } = await parse({
			candidates: [
				{ content: { parts: [{ text: "B" }] }, finishReason: "STOP", index: 1 },
				{ content: { parts: [{ text: "A" }] }, finishReason: "MAX_TOKENS", index: 0 },
			],
		});
		expect(completion.choices).toEqual([
			{ index: 0, message: { role: "assistant", content: "A" }, finish_reason: "length" },
			{ index: 1, message: { role: "assistant", content: "B" }, finish_reason: "stop" },
		]);
	});

	it("rejects a body that is not a GenerateContentResponse with a 502", async () => {
		const { context } = recordingContext();
		await expect(geminiAdapter.parseResponse({ candidates: "nope" }, context)).rejects.toMatchObject({
			status: 502,
			code: "upstream_bad_response",
		});
	});

	it("fails, rather than dropping the picture, when the image cannot be stored", async () => {
		const failure = new GatewayError(502, "The model produced an image, but it could not be stored.", {
			code: "image_store_failed",
		});
		const { context } = recordingContext(failure);
		const body = {
			candidates: [{ content: { parts: [{ inlineData: { mimeType: "image/png", data: "AAAA" } }] } }],
		};
		await expect(geminiAdapter.parseResponse(body, context)).rejects.toBe(failure);
	});
});
