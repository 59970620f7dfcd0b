import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../../src/errors";
import { adapter as anthropicAdapter } from "../../../../src/protocols/anthropic";
import type { AnthropicResponseContext } from "../../../../src/protocols/anthropic/json-mode";
import type { ChatRequest } from "../../../../src/schemas/chat-request";

const plain: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }] };
const ctx = (request: ChatRequest = plain): AnthropicResponseContext => ({
	storeImage: () => Promise.reject(new Error("Claude returns no images")),
	request,
});

const usage = {
	input_tokens: 423,
	output_tokens: 202,
	cache_creation_input_tokens: 0,
	cache_read_input_tokens: 0,
	cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
	service_tier: "standard",
};
const message = (content: unknown[], stop_reason: string, extra: Record<string, unknown> = {}) => ({
	id: "msg_test",
	type: "message",
	role: "assistant",
	model: "claude-test",
	content,
	stop_reason,
	stop_sequence: null,
	usage,
	...extra,
});
const completion = (msg: Record<string, unknown>, finish: string, u: Record<string, unknown>) => ({
	id: "",
	object: "chat.completion",
	created: 0,
	model: "",
	choices: [
		{
			index: 0,
			message: { role: "assistant", refusal: null, ...msg },
			logprobs: null,
			finish_reason: finish,
		},
	],
	usage: u,
});
const openaiUsage = {
	prompt_tokens: 423,
	completion_tokens: 202,
	total_tokens: 625,
	prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
	completion_tokens_details: { reasoning_tokens: 0 },
};

describe("anthropic response translation", () => {
	it("turns text and parallel tool_use blocks into content and tool_calls", async () => {
		const result = await anthropicAdapter.parseResponse(
			message(
				[
					{ type: "text", text: "Let me look them up." },
					{ type: "tool_use", id: "toolu_A", name: "lookup", input: { name: "Ada" } },
					{
						type: "tool_use",
						id: "toolu_B",
						name: "lookup",
						input: { name: "Bo", tags: ["x"] },
						caller: { type: "direct" },
					},
				],
				"tool_use",
			),
			ctx(),
		);
		expect(result).toEqual(
			completion(
				{
					content: "Let me look them up.",
					tool_calls: [
						{ id: "toolu_A", type: "function", function: { name: "lookup", arguments: '{"name":"Ada"}' } },
						{
							id: "toolu_B",
							type: "function",
							function: { name: "lookup", arguments: '{"name":"Bo","tags":["x"]}' },
						},
					],
				},
				"tool_calls",
				openaiUsage,
			),
		);
	});

	it("joins text blocks, keeps thinking out of content and drops redacted thinking and server tools", async () => {
		const result = await anthropicAdapter.parseResponse(
			message(
				[
					{ type: "thinking", thinking: "Think A.", signature: "sig" },
					{ type: "redacted_thinking", data: "enc" },
					{ type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } },
					{ type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [] },
					{ type: "thinking", thinking: "Think B.", signature: "sig" },
					{ type: "text", text: "The answer ", citations: [] },
					{ type: "text", text: "is 4." },
				],
				"end_turn",
			),
			ctx(),
		);
		expect(result).toEqual(
			completion(
				{ content: "The answer is 4.", reasoning_content: "Think A.\n\nThink B." },
				"stop",
				openaiUsage,
			),
		);
	});

	it("maps usage with cache reads and writes and thinking tokens", async () => {
		const result = await anthropicAdapter.parseResponse(
			message([{ type: "text", text: "ok" }], "max_tokens", {
				usage: {
					input_tokens: 10,
					output_tokens: 50,
					cache_creation_input_tokens: 300,
					cache_read_input_tokens: 2000,
					output_tokens_details: { thinking_tokens: 40 },
				},
			}),
			ctx(),
		);
		expect(result.choices[0]?.finish_reason).toBe("length");
		expect(result.usage).toEqual({
			prompt_tokens: 2310,
			completion_tokens: 50,
			total_tokens: 2360,
			prompt_tokens_details: { cached_tokens: 2000, cache_creation_tokens: 300 },
			completion_tokens_details: { reasoning_tokens: 40 },
		});
	});

	it("gives a refusal without content the content_filter finish reason", async () => {
		const result = await anthropicAdapter.parseResponse(
			message([], "refusal", { stop_details: { type: "refusal", category: "x", explanation: "y" } }),
			ctx(),
		);
		expect(result).toEqual(completion({ content: null }, "content_filter", openaiUsage));
	});

	it("returns the forced tool's input as content with finish_reason stop in JSON mode", async () => {
		const json: ChatRequest = { ...plain, response_format: { type: "json_object" } };
		const result = await anthropicAdapter.parseResponse(
			message(
				[
					{ type: "text", text: "Here it is:" },
					{ type: "tool_use", id: "toolu_J", name: "json_response", input: { answer: 42, unit: "°C" } },
				],
				"tool_use",
			),
			ctx(json),
		);
		expect(result).toEqual(completion({ content: '{"answer":42,"unit":"°C"}' }, "stop", openaiUsage));
	});

	it("rejects a body that is not a message as an upstream error", async () => {
		const error = await anthropicAdapter.parseResponse({ content: "nope" }, ctx()).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(GatewayError);
		expect(error instanceof GatewayError ? [error.status, error.code] : null).toEqual([
			502,
			"upstream_bad_response",
		]);
	});
});
