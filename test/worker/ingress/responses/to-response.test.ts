import { describe, expect, it } from "vitest";
import { type ResponsesRequest, responsesRequest } from "../../../../src/ingress/responses/schema";
import { itemId, mapUsage, toResponse } from "../../../../src/ingress/responses/to-response";
import type {
	Completion,
	CompletionMessage,
	FinishReason,
	Usage,
} from "../../../../src/schemas/chat-response";
import { validated } from "../../../../src/schemas/zod-error";

const request = (body: Record<string, unknown> = {}): ResponsesRequest =>
	validated(responsesRequest, { model: "claude-x", input: "Hi", ...body });
const context = (body?: Record<string, unknown>) => ({
	id: "resp_abc",
	model: "claude-x-2025",
	createdAt: 1_700_000_000,
	request: request(body),
});
const usage: Usage = {
	prompt_tokens: 40,
	completion_tokens: 25,
	total_tokens: 65,
	prompt_tokens_details: { cached_tokens: 10, cache_creation_tokens: 5 },
	completion_tokens_details: { reasoning_tokens: 7 },
};
const completion = (
	message: Partial<CompletionMessage>,
	finish_reason: FinishReason | null = "stop",
	withUsage: Usage | null = usage,
): Completion => ({
	id: "gate-1",
	object: "chat.completion",
	created: 1,
	model: "claude-x-2025",
	choices: [{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason }],
	...(withUsage ? { usage: withUsage } : {}),
});

/** The echoed request fields of a response to `request()` with no settings. */
const defaults = {
	instructions: null,
	max_output_tokens: null,
	parallel_tool_calls: true,
	previous_response_id: null,
	reasoning: { effort: null, summary: null },
	store: true,
	temperature: 1,
	text: { format: { type: "text" } },
	tool_choice: "auto",
	tools: [],
	top_p: 1,
	truncation: "disabled",
	user: null,
	metadata: {},
};

describe("toResponse", () => {
	it("writes a text answer as a whole response object", () => {
		expect(toResponse(completion({ content: "Hello." }), context())).toEqual({
			id: "resp_abc",
			object: "response",
			created_at: 1_700_000_000,
			status: "completed",
			error: null,
			incomplete_details: null,
			model: "claude-x-2025",
			output: [
				{
					type: "message",
					id: "msg_abc_0",
					status: "completed",
					role: "assistant",
					content: [{ type: "output_text", text: "Hello.", annotations: [] }],
				},
			],
			usage: {
				input_tokens: 40,
				input_tokens_details: { cached_tokens: 10, cache_write_tokens: 5 },
				output_tokens: 25,
				output_tokens_details: { reasoning_tokens: 7 },
				total_tokens: 65,
			},
			...defaults,
		});
	});

	it("orders reasoning, the message (text, refusal), images and function calls, with ids from the response's", () => {
		const response = toResponse(
			completion(
				{
					reasoning_content: "Two lookups.",
					content: "Checking.",
					refusal: "Not the third.",
					images: [{ type: "image_url", image_url: { url: "https://gw/i.png" } }],
					tool_calls: [
						{ id: "call_a", type: "function", function: { name: "weather", arguments: '{"c":"P"}' } },
						{ id: "call_b", type: "function", function: { name: "clock", arguments: "" } },
					],
				},
				"tool_calls",
			),
			context(),
		);
		expect(response.output).toEqual([
			{ type: "reasoning", id: "rs_abc_0", summary: [{ type: "summary_text", text: "Two lookups." }] },
			{
				type: "message",
				id: "msg_abc_1",
				status: "completed",
				role: "assistant",
				content: [
					{ type: "output_text", text: "Checking.", annotations: [] },
					{ type: "refusal", refusal: "Not the third." },
				],
			},
			{
				type: "image_generation_call",
				id: "ig_abc_2",
				status: "completed",
				result: null,
				image_url: "https://gw/i.png",
			},
			{
				type: "function_call",
				id: "fc_abc_3",
				call_id: "call_a",
				name: "weather",
				arguments: '{"c":"P"}',
				status: "completed",
			},
			{
				type: "function_call",
				id: "fc_abc_4",
				call_id: "call_b",
				name: "clock",
				arguments: "",
				status: "completed",
			},
		]);
		expect(response.status).toBe("completed");
	});

	it("reads length and content_filter as incomplete, with the reason", () => {
		const cut = toResponse(completion({ content: "Hal" }, "length"), context());
		expect([
			cut.status,
			cut.incomplete_details,
			cut.output[0]?.type === "message" && cut.output[0].status,
		]).toEqual(["incomplete", { reason: "max_output_tokens" }, "incomplete"]);
		const filtered = toResponse(completion({ content: null }, "content_filter"), context());
		expect([filtered.status, filtered.incomplete_details, filtered.output]).toEqual([
			"incomplete",
			{ reason: "content_filter" },
			[],
		]);
	});

	it("echoes the request's settings", () => {
		const settings = {
			instructions: "Be brief.",
			max_output_tokens: 99,
			parallel_tool_calls: false,
			previous_response_id: "resp_prev",
			reasoning: { effort: "low", summary: "auto" },
			store: false,
			temperature: 0.2,
			text: { format: { type: "json_object" }, verbosity: "low" },
			tool_choice: "required",
			tools: [{ type: "function", name: "f", parameters: { type: "object" }, strict: true }],
			top_p: 0.5,
			truncation: "auto",
			user: "u1",
			metadata: { team: "a" },
		};
		const response = toResponse(
			completion({ content: "x" }),
			context({ ...settings, safety_identifier: "s1" }),
		);
		expect(response).toMatchObject({ ...settings, safety_identifier: "s1" });
	});

	it("has null usage when the upstream reported none, and keeps the gateway's cost", () => {
		expect(toResponse(completion({ content: "x" }, "stop", null), context()).usage).toBeNull();
		expect(mapUsage({ prompt_tokens: 3, completion_tokens: 2, total_tokens: 0, cost: 0.001 })).toEqual({
			input_tokens: 3,
			input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
			output_tokens: 2,
			output_tokens_details: { reasoning_tokens: 0 },
			total_tokens: 5,
			cost: 0.001,
		});
	});

	it("derives item ids from any response id", () => {
		expect(itemId("msg", "resp_x1", 2)).toBe("msg_x1_2");
		expect(itemId("fc", "gate-7", 0)).toBe("fc_gate-7_0");
	});
});
