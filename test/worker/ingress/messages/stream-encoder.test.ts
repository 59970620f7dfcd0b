import { describe, expect, it } from "vitest";
import type { OutboundEvent } from "../../../../src/engine/stream/sse-encode";
import { GatewayError } from "../../../../src/errors";
import { createStreamEncoder } from "../../../../src/ingress/messages/stream-encoder";
import type { ChunkDelta, FinishReason, Usage } from "../../../../src/schemas/chat-response";
import { accumulate, parseEvents } from "./sse";

const options = { id: "gate-1", model: "gpt-4o", estimateInputTokens: () => 42, stopSequences: ["END"] };

const chunk = (
	delta: ChunkDelta,
	finish_reason: FinishReason | null = null,
	usage?: Usage,
	extra: Record<string, unknown> = {},
): OutboundEvent => ({
	type: "chunk",
	chunk: {
		id: "gate-1",
		object: "chat.completion.chunk",
		created: 1,
		model: "gpt-4o",
		choices: [{ index: 0, delta, finish_reason, ...extra }],
		...(usage ? { usage } : {}),
	},
});
const finish = (reason: FinishReason, usage?: Usage, extra?: Record<string, unknown>) =>
	chunk({}, reason, usage, extra);
const usageOf = (prompt: number, completion: number, cached = 0, written = 0): Usage => ({
	prompt_tokens: prompt,
	completion_tokens: completion,
	total_tokens: prompt + completion,
	prompt_tokens_details: { cached_tokens: cached, cache_creation_tokens: written },
});
const role: OutboundEvent = chunk({ role: "assistant", content: "" });
const done: OutboundEvent = { type: "done" };
const call = (index: number, id?: string, name?: string, args?: string) => ({
	index,
	...(id ? { id, type: "function" as const } : {}),
	function: { ...(name ? { name } : {}), ...(args !== undefined ? { arguments: args } : {}) },
});

/** Feeds the events one call at a time, as the pipeline does, and returns the whole text. */
function encode(events: OutboundEvent[], overrides: Partial<typeof options> = {}): string {
	const encoder = createStreamEncoder({ ...options, ...overrides });
	return events.map((event) => encoder([event])).join("");
}
const run = (events: OutboundEvent[], overrides: Partial<typeof options> = {}) =>
	accumulate(parseEvents(encode(events, overrides)));

describe("createStreamEncoder", () => {
	it("writes a text answer as Anthropic's events, byte for byte", () => {
		const text = encode([
			role,
			chunk({ content: "Hel" }),
			chunk({ content: "lo." }),
			finish("stop", usageOf(12, 3, 2)),
			done,
		]);
		const usage =
			'"usage":{"input_tokens":10,"cache_creation_input_tokens":0,"cache_read_input_tokens":2,"output_tokens":3}';
		expect(text).toBe(
			[
				'event: message_start\ndata: {"type":"message_start","message":{"id":"gate-1","type":"message","role":"assistant","model":"gpt-4o","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":42,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\n',
				'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
				'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n',
				'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo."}}\n\n',
				'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
				`event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},${usage}}\n\n`,
				'event: message_stop\ndata: {"type":"message_stop"}\n\n',
			].join(""),
		);
	});

	it("writes nothing for the role-only first chunk or a usage event", () => {
		const encoder = createStreamEncoder(options);
		expect(encoder([role, { type: "usage", usage: usageOf(1, 1) }])).toBe("");
	});

	it("puts the upstream's input usage on message_start when it came first", () => {
		const { message } = run([
			{ type: "usage", usage: usageOf(100, 0, 30, 20) },
			role,
			chunk({ content: "x" }),
		]);
		expect(message.usage).toEqual({
			input_tokens: 50,
			cache_creation_input_tokens: 20,
			cache_read_input_tokens: 30,
			output_tokens: 1,
		});
	});

	it("streams OpenAI's first chunk that carries the role and the first tool call", () => {
		const { message, names } = run([
			chunk({ role: "assistant", content: null, tool_calls: [call(0, "call_a", "get_capital", "")] }),
			chunk({ tool_calls: [call(0, undefined, undefined, '{"country":')] }),
			chunk({ tool_calls: [call(0, undefined, undefined, '"France"}')] }),
			finish("tool_calls"),
			{ type: "usage", usage: usageOf(30, 9) },
			done,
		]);
		expect(names).toEqual([
			"message_start",
			"content_block_start",
			"content_block_delta",
			"content_block_delta",
			"content_block_stop",
			"message_delta",
			"message_stop",
		]);
		expect(message).toEqual({
			id: "gate-1",
			type: "message",
			role: "assistant",
			model: "gpt-4o",
			content: [{ type: "tool_use", id: "call_a", name: "get_capital", input: { country: "France" } }],
			stop_reason: "tool_use",
			stop_sequence: null,
			// A usage event after the finish chunk still counts: message_delta is written at the end.
			usage: {
				input_tokens: 30,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
				output_tokens: 9,
			},
		});
	});

	it("streams parallel tool calls as blocks in order, keeping a `{` sent beside the name", () => {
		const { message } = run([
			chunk({ role: "assistant", content: null }),
			chunk({ content: "Two calls." }),
			chunk({ tool_calls: [call(0, "call_a", "weather", '{"city"')] }),
			chunk({ tool_calls: [call(0, undefined, undefined, ':"Paris"}')] }),
			chunk({ tool_calls: [call(1, "call_b", "weather", "{")] }),
			// Some upstreams repeat the id on every fragment: still the same call.
			chunk({ tool_calls: [call(1, "call_b", undefined, '"city":"Oslo"}')] }),
			chunk({ tool_calls: [call(2, "call_c", "clock")] }),
			finish("tool_calls", usageOf(50, 20)),
			done,
		]);
		expect(message.content).toEqual([
			{ type: "text", text: "Two calls." },
			{ type: "tool_use", id: "call_a", name: "weather", input: { city: "Paris" } },
			{ type: "tool_use", id: "call_b", name: "weather", input: { city: "Oslo" } },
			{ type: "tool_use", id: "call_c", name: "clock", input: {} },
		]);
	});

	it("streams Gemini's shape: reasoning, then text, then calls arriving whole in one chunk", () => {
		const { message } = run([
			role,
			chunk({ reasoning_content: "Let me " }),
			chunk({ reasoning_content: "think." }),
			chunk({ content: "Answer" }),
			chunk({ tool_calls: [call(0, "gem_1", "a", '{"x":1}')] }),
			chunk({ tool_calls: [call(1, "gem_2", "b", "{}")] }),
			{ type: "usage", usage: usageOf(8, 4) },
			finish("tool_calls", { ...usageOf(8, 4), cost: 0.0001 }),
			done,
		]);
		expect(message.content).toEqual([
			{ type: "thinking", thinking: "Let me think.", signature: "" },
			{ type: "text", text: "Answer" },
			{ type: "tool_use", id: "gem_1", name: "a", input: { x: 1 } },
			{ type: "tool_use", id: "gem_2", name: "b", input: {} },
		]);
		expect(message.usage).toEqual({
			input_tokens: 8,
			cache_creation_input_tokens: 0,
			cache_read_input_tokens: 0,
			output_tokens: 4,
		});
	});

	it("writes a generated image as an image block of its own", () => {
		const url = "https://gw.example/v1/images/abc.png";
		const events = parseEvents(
			encode([
				role,
				chunk({ content: "Here:" }),
				chunk({ images: [{ type: "image_url", image_url: { url } }] }),
				chunk({ content: `\n\n![image](${url})` }),
				finish("stop"),
				done,
			]),
		);
		expect(events.slice(3, 6).map(({ data }) => data)).toEqual([
			{ type: "content_block_stop", index: 0 },
			{
				type: "content_block_start",
				index: 1,
				content_block: { type: "image", source: { type: "url", url } },
			},
			{ type: "content_block_stop", index: 1 },
		]);
		expect(accumulate(events).message.content).toEqual([
			{ type: "text", text: "Here:" },
			{ type: "image", source: { type: "url", url } },
			{ type: "text", text: `\n\n![image](${url})` },
		]);
	});

	it("ends with an error event mid-stream, closing nothing and ignoring what follows", () => {
		const error = new GatewayError(503, "The upstream provider is temporarily overloaded; retry later.", {
			code: "overloaded",
		});
		const text = encode([
			role,
			chunk({ content: "Hal" }),
			{ type: "error", error },
			chunk({ content: "f" }),
			done,
		]);
		const events = parseEvents(text);
		expect(events.map(({ event }) => event)).toEqual([
			"message_start",
			"content_block_start",
			"content_block_delta",
			"error",
		]);
		expect(events.at(-1)?.data).toEqual({
			type: "error",
			error: {
				type: "overloaded_error",
				message: "The upstream provider is temporarily overloaded; retry later.",
			},
		});
		expect(accumulate(events).error).toEqual(events.at(-1)?.data.error);
	});

	it("writes only the error when the stream fails before any output", () => {
		const error = new GatewayError(504, "The upstream stopped sending for 30000 ms.");
		expect(encode([role, { type: "error", error }])).toBe(
			'event: error\ndata: {"type":"error","error":{"type":"timeout_error","message":"The upstream stopped sending for 30000 ms."}}\n\n',
		);
	});

	it("closes properly when the finish chunk is missing, and for an empty answer", () => {
		const cut = run([role, chunk({ content: "x" }), done]);
		expect([cut.names, cut.message.stop_reason, cut.message.usage]).toEqual([
			[
				"message_start",
				"content_block_start",
				"content_block_delta",
				"content_block_stop",
				"message_delta",
				"message_stop",
			],
			"end_turn",
			{ input_tokens: 42, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
		]);
		const empty = run([role, finish("length"), done]);
		expect([empty.names, empty.message.content, empty.message.stop_reason]).toEqual([
			["message_start", "message_delta", "message_stop"],
			[],
			"max_tokens",
		]);
		expect(run([done]).names).toEqual(["message_start", "message_delta", "message_stop"]);
	});

	it("maps finish reasons, and reports a matched stop sequence", () => {
		const stop = (event: OutboundEvent) => {
			const { message } = run([role, chunk({ content: "x" }), event, done]);
			return [message.stop_reason, message.stop_sequence];
		};
		expect(stop(finish("stop", undefined, { stop_reason: "END" }))).toEqual(["stop_sequence", "END"]);
		expect(stop(finish("stop", undefined, { stop_reason: "NOT_ASKED" }))).toEqual(["end_turn", null]);
		expect(stop(finish("content_filter"))).toEqual(["refusal", null]);
		expect(stop(finish("length"))).toEqual(["max_tokens", null]);
	});

	it("writes the text a finish chunk carries before closing", () => {
		const { message, names } = run([chunk({ content: "Hi" }), chunk({ content: " there" }, "stop"), done]);
		expect([message.content, names.length]).toEqual([[{ type: "text", text: "Hi there" }], 7]);
	});

	it("writes a refusal as text", () => {
		const { message } = run([role, chunk({ refusal: "Blocked." }), finish("content_filter"), done]);
		expect(message.content).toEqual([{ type: "text", text: "Blocked." }]);
	});

	it("fails, as the engine learns, rather than reopen a tool call that was already closed", () => {
		const encoder = createStreamEncoder(options);
		let thrown: unknown;
		try {
			encoder([
				role,
				chunk({ tool_calls: [call(0, "call_a", "f", '{"a":')] }),
				chunk({ tool_calls: [call(1, "call_b", "g", "{}")] }),
				chunk({ tool_calls: [call(0, undefined, undefined, "1}")] }),
				finish("tool_calls"),
				done,
			]);
		} catch (error) {
			thrown = error;
		}
		// The engine records the failure, stops reading the upstream and asks for the error event,
		// which goes out after what the failed call had written.
		expect(thrown).toBeInstanceOf(GatewayError);
		const error = thrown as GatewayError;
		expect([error.status, error.code]).toEqual([502, "stream_translation_failed"]);
		const events = parseEvents(encoder([{ type: "error", error }]));
		expect(events.map(({ event }) => event)).toEqual([
			"message_start",
			"content_block_start",
			"content_block_delta",
			"content_block_stop",
			"content_block_start",
			"content_block_delta",
			"error",
		]);
		expect(events.at(-1)?.data).toEqual({
			type: "error",
			error: {
				type: "api_error",
				message: "The upstream interleaved the arguments of parallel tool calls, which cannot be streamed.",
			},
		});
	});

	it("names a tool call whose upstream gave no id", () => {
		const { message } = run([
			role,
			chunk({ tool_calls: [call(0, undefined, "f", "{}")] }),
			finish("tool_calls"),
			done,
		]);
		expect(message.content).toEqual([{ type: "tool_use", id: "toolu_gate-1_0", name: "f", input: {} }]);
	});

	it("reads only the first choice", () => {
		const other: OutboundEvent = {
			type: "chunk",
			chunk: {
				id: "gate-1",
				object: "chat.completion.chunk",
				created: 1,
				model: "gpt-4o",
				choices: [{ index: 1, delta: { content: "other" }, finish_reason: null }],
			},
		};
		expect(run([role, other, chunk({ content: "mine" }), finish("stop"), done]).message.content).toEqual([
			{ type: "text", text: "mine" },
		]);
	});

	it("writes pass-through events as they came, and nothing more at the end", () => {
		const encoder = createStreamEncoder(options);
		const text = encoder([
			{ type: "native", event: "message_start", data: '{"type":"message_start","message":{}}' },
			{ type: "native", event: "ping", data: '{"type": "ping"}' },
			{ type: "native", event: undefined, data: '{"type":"message_stop"}   ' },
			{ type: "native", event: "odd", data: "line one\nline two" },
			done,
		]);
		expect(text).toBe(
			'event: message_start\ndata: {"type":"message_start","message":{}}\n\n' +
				'event: ping\ndata: {"type": "ping"}\n\n' +
				'data: {"type":"message_stop"}   \n\n' +
				"event: odd\ndata: line one\ndata: line two\n\n",
		);
		expect(encoder([done])).toBe("");
	});

	it("writes an error after pass-through events", () => {
		const encoder = createStreamEncoder(options);
		encoder([{ type: "native", event: "message_start", data: "{}" }]);
		expect(encoder([{ type: "error", error: new GatewayError(502, "Lost.") }])).toBe(
			'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Lost."}}\n\n',
		);
	});

	it("writes nothing after the end", () => {
		const encoder = createStreamEncoder(options);
		encoder([role, chunk({ content: "x" }), finish("stop"), done]);
		expect(
			encoder([chunk({ content: "late" }), done, { type: "error", error: new GatewayError(502, "x") }]),
		).toBe("");
	});
});
