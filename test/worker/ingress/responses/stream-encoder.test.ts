import { describe, expect, it } from "vitest";
import type { OutboundEvent } from "../../../../src/engine/stream/sse-encode";
import { GatewayError } from "../../../../src/errors";
import { responsesRequest } from "../../../../src/ingress/responses/schema";
import { createResponsesStreamEncoder } from "../../../../src/ingress/responses/stream-encoder";
import type { ChunkDelta, FinishReason, Usage } from "../../../../src/schemas/chat-response";
import { validated } from "../../../../src/schemas/zod-error";
import { accumulate, parseEvents } from "./sse";

const options = {
	id: "resp_1",
	model: "m",
	createdAt: 7,
	request: validated(responsesRequest, { model: "m", input: "Hi", stream: true }),
};

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
		model: "m",
		choices: [{ index: 0, delta, finish_reason }],
		...(usage ? { usage } : {}),
	},
});
const usageOf = (prompt: number, completion: number): Usage => ({
	prompt_tokens: prompt,
	completion_tokens: completion,
	total_tokens: prompt + completion,
});
const role = chunk({ role: "assistant", content: "" });
const done: OutboundEvent = { type: "done" };
const call = (index: number, id?: string, name?: string, args?: string) => ({
	index,
	...(id ? { id, type: "function" as const } : {}),
	function: { ...(name ? { name } : {}), ...(args !== undefined ? { arguments: args } : {}) },
});

/** Feeds the events one call at a time, as the pipeline does, and returns the whole text. */
function encode(events: OutboundEvent[]): string {
	const encoder = createResponsesStreamEncoder(options);
	return events.map((event) => encoder([event])).join("");
}
const run = (events: OutboundEvent[]) => accumulate(parseEvents(encode(events)));

const echo =
	'"instructions":null,"max_output_tokens":null,"model":"m","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1,"truncation":"disabled","usage":null,"user":null,"metadata":{}';

describe("createResponsesStreamEncoder", () => {
	it("writes a text answer as the Responses API's events, byte for byte", () => {
		const text = encode([
			role,
			chunk({ content: "Hel" }),
			chunk({ content: "lo." }),
			chunk({}, "stop", usageOf(12, 3)),
			done,
		]);
		const head = '"id":"resp_1","object":"response","created_at":7';
		const item = '"item_id":"msg_1_0","output_index":0';
		const part = '{"type":"output_text","text":"Hello.","annotations":[]}';
		const message = `{"type":"message","id":"msg_1_0","status":"completed","role":"assistant","content":[${part}]}`;
		const usage =
			'{"input_tokens":12,"input_tokens_details":{"cached_tokens":0,"cache_write_tokens":0},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":15}';
		const final = `{${head},"status":"completed","error":null,"incomplete_details":null,${echo}}`
			.replace('"output":[]', `"output":[${message}]`)
			.replace('"usage":null', `"usage":${usage}`);
		expect(text).toBe(
			[
				`event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{${head},"status":"in_progress","error":null,"incomplete_details":null,${echo}}}\n\n`,
				`event: response.in_progress\ndata: {"type":"response.in_progress","sequence_number":1,"response":{${head},"status":"in_progress","error":null,"incomplete_details":null,${echo}}}\n\n`,
				'event: response.output_item.added\ndata: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_1_0","status":"in_progress","role":"assistant","content":[]}}\n\n',
				`event: response.content_part.added\ndata: {"type":"response.content_part.added","sequence_number":3,${item},"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}\n\n`,
				`event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":4,${item},"content_index":0,"delta":"Hel","logprobs":[]}\n\n`,
				`event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":5,${item},"content_index":0,"delta":"lo.","logprobs":[]}\n\n`,
				`event: response.output_text.done\ndata: {"type":"response.output_text.done","sequence_number":6,${item},"content_index":0,"text":"Hello.","logprobs":[]}\n\n`,
				`event: response.content_part.done\ndata: {"type":"response.content_part.done","sequence_number":7,${item},"content_index":0,"part":${part}}\n\n`,
				`event: response.output_item.done\ndata: {"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":${message}}\n\n`,
				`event: response.completed\ndata: {"type":"response.completed","sequence_number":9,"response":${final}}\n\n`,
			].join(""),
		);
	});

	it("starts the response on the first event, before any output", () => {
		const encoder = createResponsesStreamEncoder(options);
		expect(parseEvents(encoder([role])).map((event) => event.type)).toEqual([
			"response.created",
			"response.in_progress",
		]);
		expect(encoder([{ type: "usage", usage: usageOf(1, 1) }])).toBe("");
	});

	it("writes reasoning, text and parallel calls as items, and the final response holds them all", () => {
		const { response, items, names } = run([
			role,
			chunk({ reasoning_content: "Two " }),
			chunk({ reasoning_content: "lookups." }),
			chunk({ content: "Checking." }),
			chunk({ tool_calls: [call(0, "call_a", "weather", '{"c')] }),
			chunk({ tool_calls: [call(0, undefined, undefined, 'ity":"P"}')] }),
			chunk({ tool_calls: [call(1, "call_b", "clock", "")] }),
			{ type: "usage", usage: usageOf(40, 25) },
			chunk({}, "tool_calls"),
			done,
		]);
		expect(items).toEqual(response.output);
		expect(response.output).toEqual([
			{ type: "reasoning", id: "rs_1_0", summary: [{ type: "summary_text", text: "Two lookups." }] },
			{
				type: "message",
				id: "msg_1_1",
				status: "completed",
				role: "assistant",
				content: [{ type: "output_text", text: "Checking.", annotations: [] }],
			},
			{
				type: "function_call",
				id: "fc_1_2",
				call_id: "call_a",
				name: "weather",
				arguments: '{"city":"P"}',
				status: "completed",
			},
			{
				type: "function_call",
				id: "fc_1_3",
				call_id: "call_b",
				name: "clock",
				arguments: "",
				status: "completed",
			},
		]);
		expect([response.status, (response.usage as Usage).output_tokens]).toEqual(["completed", 25]);
		expect(names.slice(2, 9)).toEqual([
			"response.output_item.added",
			"response.reasoning_summary_part.added",
			"response.reasoning_summary_text.delta",
			"response.reasoning_summary_text.delta",
			"response.reasoning_summary_text.done",
			"response.reasoning_summary_part.done",
			"response.output_item.done",
		]);
		expect(names.filter((name) => name === "response.function_call_arguments.done")).toHaveLength(2);
		expect(names.at(-1)).toBe("response.completed");
	});

	it("never starts a call on a continuation without a name, and keeps a name that comes late", () => {
		const { response } = run([
			chunk({ tool_calls: [call(0, "call_a", undefined, "")] }),
			chunk({ tool_calls: [call(0, undefined, "weather", "{")] }),
			chunk({ tool_calls: [call(0, undefined, undefined, "}")] }),
			chunk({}, "tool_calls"),
			done,
		]);
		expect(response.output).toEqual([
			{
				type: "function_call",
				id: "fc_1_0",
				call_id: "call_a",
				name: "weather",
				arguments: "{}",
				status: "completed",
			},
		]);
	});

	it("fails the stream when an upstream interleaves calls, with the error after what was written", () => {
		const encoder = createResponsesStreamEncoder(options);
		let text = encoder([chunk({ tool_calls: [call(0, "a", "f", "{")] })]);
		text += encoder([chunk({ tool_calls: [call(1, "b", "g", "{")] })]);
		expect(() => encoder([chunk({ tool_calls: [call(0, undefined, undefined, "}")] })])).toThrow(
			"interleaved the arguments",
		);
		const error = new GatewayError(502, "interleaved", { code: "stream_translation_failed" });
		text += encoder([{ type: "error", error }]);
		const { response, names } = accumulate(parseEvents(text));
		expect(names.slice(-2)).toEqual(["error", "response.failed"]);
		expect(response.status).toBe("failed");
	});

	it("ends as response.incomplete with the reason when the token limit cut the answer", () => {
		const { response, names } = run([chunk({ content: "Hal" }), chunk({}, "length", usageOf(5, 16)), done]);
		expect(names.at(-1)).toBe("response.incomplete");
		expect([response.status, response.incomplete_details, response.output[0]?.status]).toEqual([
			"incomplete",
			{ reason: "max_output_tokens" },
			"incomplete",
		]);
	});

	it("writes a refusal as a refusal part after the text part", () => {
		const { response, names } = run([
			chunk({ content: "I" }),
			chunk({ refusal: "can't." }),
			chunk({}, "stop"),
			done,
		]);
		expect(response.output[0]?.content).toEqual([
			{ type: "output_text", text: "I", annotations: [] },
			{ type: "refusal", refusal: "can't." },
		]);
		expect(names).toContain("response.refusal.delta");
		expect(names).toContain("response.refusal.done");
	});

	it("counts usage that arrives after the finish chunk, and reads a stream without one as complete", () => {
		const late = run([
			chunk({ content: "Hi" }),
			chunk({}, "stop"),
			{ type: "usage", usage: usageOf(9, 2) },
			done,
		]);
		expect((late.response.usage as Usage).input_tokens).toBe(9);
		const cut = run([chunk({ content: "Hi" }), done]);
		expect([cut.response.status, cut.response.usage, cut.names.at(-1)]).toEqual([
			"completed",
			null,
			"response.completed",
		]);
	});

	it("turns a mid-stream error into an error event and response.failed, and writes nothing after", () => {
		const error = new GatewayError(503, "Overloaded; retry later.", { code: "overloaded" });
		const encoder = createResponsesStreamEncoder(options);
		const text = [chunk({ content: "Hal" }), { type: "error" as const, error }, done, chunk({ content: "x" })]
			.map((event) => encoder([event]))
			.join("");
		const { response, error: event, names } = accumulate(parseEvents(text));
		expect(names.slice(-2)).toEqual(["error", "response.failed"]);
		expect(event).toEqual({
			type: "error",
			sequence_number: 5,
			code: "overloaded",
			message: "Overloaded; retry later.",
			param: null,
			error: { type: "server_error", code: "overloaded", message: "Overloaded; retry later.", param: null },
		});
		expect([response.status, response.error]).toEqual([
			"failed",
			{ code: "server_error", message: "Overloaded; retry later." },
		]);
		expect(response.output[0]).toMatchObject({ type: "message", status: "incomplete" });
		const limited = new GatewayError(429, "Slow down.");
		const failed = accumulate(parseEvents(encode([{ type: "error", error: limited }]))).response;
		expect(failed.error).toEqual({ code: "rate_limit_exceeded", message: "Slow down." });
	});

	it("writes pass-through events verbatim, and numbers an error after them on from the upstream's", () => {
		const encoder = createResponsesStreamEncoder(options);
		const created = '{"type":"response.created","sequence_number":0,"response":{}}';
		const delta = '{"type":"response.output_text.delta","sequence_number":4}';
		expect(encoder([{ type: "native", event: "response.created", data: created }])).toBe(
			`event: response.created\ndata: ${created}\n\n`,
		);
		expect(encoder([{ type: "native", event: undefined, data: "a\nb" }])).toBe("data: a\ndata: b\n\n");
		encoder([{ type: "native", event: "response.output_text.delta", data: delta }]);
		const error = new GatewayError(504, "Upstream timed out.", { code: "timeout" });
		const numbered = [
			...encoder([{ type: "error", error }]).matchAll(/"type":"([a-z.]+)","sequence_number":(\d+)/g),
		];
		expect(numbered.map(([, type, n]) => `${type} ${n}`)).toEqual(["error 5", "response.failed 6"]);
	});

	it("writes nothing of its own at the end of a pass-through", () => {
		const encoder = createResponsesStreamEncoder(options);
		encoder([{ type: "native", event: "response.completed", data: "{}" }]);
		expect(encoder([done])).toBe("");
	});
});
