import { describe, expect, it } from "vitest";
import { toMessage, toolInput } from "../../../../src/ingress/messages/to-message";
import type {
	Completion,
	CompletionMessage,
	FinishReason,
	Usage,
} from "../../../../src/schemas/chat-response";

const ids = { id: "gate-1", model: "gpt-4o" };

function completion(
	message: Partial<CompletionMessage>,
	finish_reason: FinishReason | null = "stop",
	usage?: Usage,
	extra: Record<string, unknown> = {},
): Completion {
	return {
		id: "chatcmpl-x",
		object: "chat.completion",
		created: 1,
		model: "gpt-4o-2024-08-06",
		choices: [
			{ index: 0, message: { role: "assistant", content: null, ...message }, finish_reason, ...extra },
		],
		...(usage ? { usage } : {}),
	};
}

const usage: Usage = {
	prompt_tokens: 120,
	completion_tokens: 30,
	total_tokens: 150,
	prompt_tokens_details: { cached_tokens: 50, cache_creation_tokens: 20 },
	completion_tokens_details: { reasoning_tokens: 10 },
	cost: 0.001,
};

describe("toMessage", () => {
	it("writes text with usage split into plain input and cache reads and writes", () => {
		expect(toMessage(completion({ content: "Hello." }, "stop", usage), ids, [])).toEqual({
			id: "gate-1",
			type: "message",
			role: "assistant",
			model: "gpt-4o",
			content: [{ type: "text", text: "Hello." }],
			stop_reason: "end_turn",
			stop_sequence: null,
			usage: {
				input_tokens: 50,
				cache_creation_input_tokens: 20,
				cache_read_input_tokens: 50,
				output_tokens: 30,
			},
		});
	});

	it("orders thinking, text, images and tool calls", () => {
		const message = completion(
			{
				reasoning_content: "Think.",
				content: "Here.",
				images: [{ type: "image_url", image_url: { url: "https://gw.example/v1/images/abc.png" } }],
				tool_calls: [
					{ id: "call_1", type: "function", function: { name: "weather", arguments: '{"city":"Paris"}' } },
					{ id: "call_2", type: "function", function: { name: "clock", arguments: "" } },
				],
			},
			"tool_calls",
			{ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
		);
		expect(toMessage(message, ids, [])).toEqual({
			id: "gate-1",
			type: "message",
			role: "assistant",
			model: "gpt-4o",
			content: [
				{ type: "thinking", thinking: "Think.", signature: "" },
				{ type: "text", text: "Here." },
				{ type: "image", source: { type: "url", url: "https://gw.example/v1/images/abc.png" } },
				{ type: "tool_use", id: "call_1", name: "weather", input: { city: "Paris" } },
				{ type: "tool_use", id: "call_2", name: "clock", input: {} },
			],
			stop_reason: "tool_use",
			stop_sequence: null,
			usage: {
				input_tokens: 10,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				output_tokens: 5,
			},
		});
	});

	it("writes no block for empty content and reports zero usage when there is none", () => {
		expect(toMessage(completion({ content: "", reasoning_content: "" }, "length"), ids, [])).toEqual({
			id: "gate-1",
			type: "message",
			role: "assistant",
			model: "gpt-4o",
			content: [],
			stop_reason: "max_tokens",
			stop_sequence: null,
			usage: {
				input_tokens: 0,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				output_tokens: 0,
			},
		});
	});

	it("writes a refusal as text with stop_reason refusal", () => {
		const message = toMessage(completion({ refusal: "I can't help with that." }, "content_filter"), ids, []);
		expect([message.content, message.stop_reason]).toEqual([
			[{ type: "text", text: "I can't help with that." }],
			"refusal",
		]);
	});

	it("maps every finish reason", () => {
		const reason = (finish: FinishReason | null) =>
			toMessage(completion({ content: "x" }, finish), ids, []).stop_reason;
		expect([
			reason("stop"),
			reason("length"),
			reason("tool_calls"),
			reason("function_call"),
			reason("content_filter"),
			reason(null),
		]).toEqual(["end_turn", "max_tokens", "tool_use", "tool_use", "refusal", "end_turn"]);
	});

	it("reports the stop sequence vLLM names, when it is one of the request's", () => {
		const stopped = (stop_reason: unknown, finish: FinishReason = "stop") => {
			const message = toMessage(completion({ content: "x" }, finish, undefined, { stop_reason }), ids, [
				"END",
			]);
			return [message.stop_reason, message.stop_sequence];
		};
		expect(stopped("END")).toEqual(["stop_sequence", "END"]);
		expect(stopped("OTHER")).toEqual(["end_turn", null]);
		expect(stopped(128001)).toEqual(["end_turn", null]);
		expect(stopped(null)).toEqual(["end_turn", null]);
		expect(stopped("END", "length")).toEqual(["max_tokens", null]);
	});

	it("never reports negative input tokens", () => {
		const odd = {
			prompt_tokens: 5,
			completion_tokens: 1,
			total_tokens: 6,
			prompt_tokens_details: { cached_tokens: 9 },
		};
		expect(toMessage(completion({ content: "x" }, "stop", odd), ids, []).usage).toEqual({
			input_tokens: 0,
			cache_creation_input_tokens: 0,
			cache_read_input_tokens: 9,
			output_tokens: 1,
		});
	});
});

describe("toolInput", () => {
	it("parses a JSON object, and reads empty arguments as {}", () => {
		expect(toolInput('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
		expect(toolInput("")).toEqual({});
		expect(toolInput("  ")).toEqual({});
	});

	it("keeps arguments that are not a JSON object whole, under _raw_arguments", () => {
		expect(toolInput('{"city": "Par')).toEqual({ _raw_arguments: '{"city": "Par' });
		expect(toolInput("[1,2]")).toEqual({ _raw_arguments: "[1,2]" });
		expect(toolInput('"Paris"')).toEqual({ _raw_arguments: '"Paris"' });
	});
});
