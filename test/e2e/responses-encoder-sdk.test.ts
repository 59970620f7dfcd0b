import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { OutboundEvent } from "../../src/engine/stream/sse-encode";
import { GatewayError } from "../../src/errors";
import { responsesRequest } from "../../src/ingress/responses/schema";
import { createResponsesStreamEncoder } from "../../src/ingress/responses/stream-encoder";
import type { ChunkDelta, FinishReason, Usage } from "../../src/schemas/chat-response";

/**
 * The Responses ingress's stream encoder against the official SDK's stream reader
 * (`client.responses.stream`, openai-node's ResponseStream and ResponseAccumulator): the encoder's
 * text is served by a fake fetch, with no network, and the SDK must build the response the events
 * describe, its `output_text` and function calls included.
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
		model: "claude-x",
		choices: [{ index: 0, delta, finish_reason }],
		...(usage ? { usage } : {}),
	},
});
const usage: Usage = {
	prompt_tokens: 40,
	completion_tokens: 25,
	total_tokens: 65,
	prompt_tokens_details: { cached_tokens: 10 },
	completion_tokens_details: { reasoning_tokens: 5 },
};
const params = {
	model: "claude-x",
	input: "Weather in Paris, and the time?",
	tools: [
		{ type: "function" as const, name: "weather", parameters: { type: "object" }, strict: false },
		{ type: "function" as const, name: "clock", parameters: { type: "object" }, strict: false },
	],
};

function clientServing(events: OutboundEvent[]): OpenAI {
	const encode = createResponsesStreamEncoder({
		id: "resp_gate1",
		model: "claude-x",
		createdAt: 1_700_000_000,
		request: responsesRequest.parse({ ...params, stream: true }),
	});
	// One encoder call per event, as the engine's pipeline makes them.
	const text = events.map((event) => encode([event])).join("");
	return new OpenAI({
		apiKey: "test",
		baseURL: "http://gateway.invalid/v1",
		maxRetries: 0,
		fetch: async () => new Response(text, { headers: { "content-type": "text/event-stream" } }),
	});
}

describe("the Responses stream encoder, read by the openai package", () => {
	it("builds reasoning, output_text and parallel function calls into the final response", async () => {
		const client = clientServing([
			chunk({ role: "assistant", content: "" }),
			chunk({ reasoning_content: "Two lookups." }),
			chunk({ content: "Checking " }),
			chunk({ content: "both." }),
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
		const stream = client.responses.stream(params);
		const deltas: string[] = [];
		stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
		const response = await stream.finalResponse();
		expect(deltas).toEqual(["Checking ", "both."]);
		expect(response.output_text).toBe("Checking both.");
		expect([response.id, response.status, response.model]).toEqual(["resp_gate1", "completed", "claude-x"]);
		expect(response.output.map((item) => item.type)).toEqual([
			"reasoning",
			"message",
			"function_call",
			"function_call",
		]);
		const calls = response.output.flatMap((item) =>
			item.type === "function_call"
				? [{ call_id: item.call_id, name: item.name, arguments: item.arguments }]
				: [],
		);
		expect(calls).toEqual([
			{ call_id: "call_a", name: "weather", arguments: '{"city":"Paris"}' },
			{ call_id: "call_b", name: "clock", arguments: "" },
		]);
		expect(response.output[0]).toEqual({
			type: "reasoning",
			id: "rs_gate1_0",
			summary: [{ type: "summary_text", text: "Two lookups." }],
		});
		expect(response.usage).toEqual({
			input_tokens: 40,
			input_tokens_details: { cached_tokens: 10, cache_write_tokens: 0 },
			output_tokens: 25,
			output_tokens_details: { reasoning_tokens: 5 },
			total_tokens: 65,
		});
	});

	it("reads a cut answer as an incomplete response with its reason", async () => {
		const client = clientServing([chunk({ content: "Hal" }), chunk({}, "length"), { type: "done" }]);
		const response = await client.responses.stream(params).finalResponse();
		expect([response.status, response.incomplete_details, response.output_text]).toEqual([
			"incomplete",
			{ reason: "max_output_tokens" },
			"Hal",
		]);
	});

	it("raises a mid-stream error as the SDK's APIError instead of ending quietly", async () => {
		const error = new GatewayError(503, "Overloaded; retry later.", { code: "overloaded" });
		const client = clientServing([chunk({ content: "Hal" }), { type: "error", error }]);
		const failure = await client.responses
			.stream(params)
			.finalResponse()
			.then(
				() => undefined,
				(cause: unknown) => cause,
			);
		expect(failure).toBeInstanceOf(OpenAI.APIError);
		expect((failure as InstanceType<typeof OpenAI.APIError>).message).toBe("Overloaded; retry later.");
		expect((failure as InstanceType<typeof OpenAI.APIError>).code).toBe("overloaded");
	});
});
