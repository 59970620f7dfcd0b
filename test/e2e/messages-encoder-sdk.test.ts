import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import type { OutboundEvent } from "../../src/engine/stream/sse-encode";
import { GatewayError } from "../../src/errors";
import { createStreamEncoder } from "../../src/ingress/messages/stream-encoder";
import type { ChunkDelta, FinishReason, Usage } from "../../src/schemas/chat-response";

/**
 * The Messages ingress's stream encoder against the official SDK's stream reader (MessageStream):
 * the encoder's text is served by a fake fetch, with no network, and the SDK must build the
 * message the events describe.
 */

const chunk = (
	delta: ChunkDelta,
	finish_reason: FinishReason | null = null,
	usage?: Usage,
): OutboundEvent => ({
	type: "chunk",
	chunk: {
		id: "gate-1",
		object: "chat.completion.chunk",
		created: 1,
		model: "gpt-4o",
		choices: [{ index: 0, delta, finish_reason }],
		...(usage ? { usage } : {}),
	},
});
const usage: Usage = {
	prompt_tokens: 40,
	completion_tokens: 25,
	total_tokens: 65,
	prompt_tokens_details: { cached_tokens: 10 },
};

function clientServing(events: OutboundEvent[]): Anthropic {
	const encode = createStreamEncoder({
		id: "gate-1",
		model: "gpt-4o",
		estimateInputTokens: () => 33,
		stopSequences: [],
	});
	// One encoder call per event, as the engine's pipeline makes them.
	const text = events.map((event) => encode([event])).join("");
	return new Anthropic({
		apiKey: "test",
		baseURL: "http://gateway.invalid",
		maxRetries: 0,
		fetch: async () => new Response(text, { headers: { "content-type": "text/event-stream" } }),
	});
}

const request = { model: "gpt-4o", max_tokens: 100, messages: [{ role: "user" as const, content: "Go" }] };

describe("the Messages stream encoder, read by @anthropic-ai/sdk", () => {
	it("builds thinking, text, parallel tool calls and an image into the final message", async () => {
		const url = "https://gw.example/v1/images/abc.png";
		const client = clientServing([
			chunk({ role: "assistant", content: "" }),
			chunk({ reasoning_content: "Two lookups." }),
			chunk({ content: "Checking " }),
			chunk({ content: "both." }),
			chunk({ images: [{ type: "image_url", image_url: { url } }] }),
			chunk({
				tool_calls: [
					{ index: 0, id: "call_a", type: "function", function: { name: "weather", arguments: "{" } },
				],
			}),
			chunk({ tool_calls: [{ index: 0, function: { arguments: '"city":"Paris"}' } }] }),
			chunk({
				tool_calls: [
					{ index: 1, id: "call_b", type: "function", function: { name: "clock", arguments: "" } },
				],
			}),
			{ type: "usage", usage },
			chunk({}, "tool_calls", usage),
			{ type: "done" },
		]);
		const message = await client.messages.stream(request).finalMessage();
		expect(message).toEqual({
			id: "gate-1",
			type: "message",
			role: "assistant",
			model: "gpt-4o",
			content: [
				{ type: "thinking", thinking: "Two lookups.", signature: "" },
				{ type: "text", text: "Checking both." },
				{ type: "image", source: { type: "url", url } },
				{ type: "tool_use", id: "call_a", name: "weather", input: { city: "Paris" } },
				{ type: "tool_use", id: "call_b", name: "clock", input: {} },
			],
			stop_reason: "tool_use",
			stop_sequence: null,
			usage: {
				input_tokens: 30,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 10,
				output_tokens: 25,
			},
			// Added by the SDK's structured-output parser.
			parsed_output: null,
		});
	});

	it("reads a stream cut without a finish chunk as a complete end_turn answer", async () => {
		const client = clientServing([chunk({ content: "Hi" }), { type: "done" }]);
		const message = await client.messages.stream(request).finalMessage();
		expect([message.content, message.stop_reason, message.usage.input_tokens]).toEqual([
			[{ type: "text", text: "Hi" }],
			"end_turn",
			33,
		]);
	});

	it("raises a mid-stream error as the SDK's APIError of that type", async () => {
		const error = new GatewayError(503, "Overloaded; retry later.", { code: "overloaded" });
		const client = clientServing([chunk({ content: "Hal" }), { type: "error", error }]);
		const failure = await client.messages
			.stream(request)
			.finalMessage()
			.then(
				() => undefined,
				(cause: unknown) => cause,
			);
		expect(failure).toBeInstanceOf(Anthropic.APIError);
		expect((failure as InstanceType<typeof Anthropic.APIError>).error).toEqual({
			type: "error",
			error: { type: "overloaded_error", message: "Overloaded; retry later." },
		});
	});
});
