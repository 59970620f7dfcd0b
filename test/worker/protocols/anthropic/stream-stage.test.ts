import { describe, expect, it } from "vitest";
import type { SseEvent, StreamItem } from "../../../../src/protocols/adapter";
import { adapter as anthropicAdapter } from "../../../../src/protocols/anthropic";
import type { AnthropicResponseContext } from "../../../../src/protocols/anthropic/json-mode";
import type { ChatRequest } from "../../../../src/schemas/chat-request";
import type { Chunk } from "../../../../src/schemas/chat-response";

const plainRequest: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }] };
const jsonRequest: ChatRequest = { ...plainRequest, response_format: { type: "json_object" } };

function context(request: ChatRequest = plainRequest): AnthropicResponseContext {
	return {
		storeImage: () => Promise.reject(new Error("Claude returns no images")),
		request,
	};
}

/** Anthropic's framing: the event name repeats the payload's type; `pad` mimics the recorded trailing spaces. */
const ev = (data: Record<string, unknown> & { type: string }, pad = ""): SseEvent => ({
	event: data.type,
	data: JSON.stringify(data) + pad,
});

async function run(events: SseEvent[], request?: ChatRequest): Promise<StreamItem[]> {
	const stage = new TransformStream(anthropicAdapter.createStreamStage(context(request)));
	const writer = stage.writable.getWriter();
	const written = (async () => {
		for (const event of events) await writer.write(event);
		await writer.close();
	})();
	const items: StreamItem[] = [];
	const reader = stage.readable.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		items.push(value);
	}
	await written;
	return items;
}

const chunk = (choices: Chunk["choices"], usage?: Chunk["usage"]) => ({
	type: "chunk",
	chunk: {
		id: "",
		object: "chat.completion.chunk",
		created: 0,
		model: "",
		choices,
		...(usage ? { usage } : {}),
	},
});
const deltaChunk = (delta: Record<string, unknown>) => chunk([{ index: 0, delta, finish_reason: null }]);
const roleChunk = deltaChunk({ role: "assistant", content: "" });
const usage = (input: number, output: number, cacheRead = 0, cacheWrite = 0) => ({
	prompt_tokens: input + cacheRead + cacheWrite,
	completion_tokens: output,
	total_tokens: input + cacheRead + cacheWrite + output,
	prompt_tokens_details: { cached_tokens: cacheRead, cache_creation_tokens: cacheWrite },
	completion_tokens_details: { reasoning_tokens: 0 },
});
const usageOnly = (u: ReturnType<typeof usage>) => chunk([], u);
const finish = (reason: string, u: ReturnType<typeof usage>) =>
	chunk([{ index: 0, delta: {}, finish_reason: reason as "stop" }], u);

const messageStart = (input: number, extra: Record<string, number> = {}) =>
	ev(
		{
			type: "message_start",
			message: {
				id: "msg_test",
				type: "message",
				role: "assistant",
				model: "claude-test",
				content: [],
				stop_reason: null,
				stop_sequence: null,
				usage: {
					input_tokens: input,
					cache_creation_input_tokens: extra.write ?? 0,
					cache_read_input_tokens: extra.read ?? 0,
					output_tokens: 1,
				},
			},
		},
		"          ",
	);
const ping: SseEvent = { event: "ping", data: '{"type": "ping"}' };
const textStart = (index: number) =>
	ev({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
const textDelta = (index: number, text: string) =>
	ev({ type: "content_block_delta", index, delta: { type: "text_delta", text } }, "   ");
const toolStart = (index: number, id: string, name: string) =>
	ev({ type: "content_block_start", index, content_block: { type: "tool_use", id, name, input: {} } });
const jsonDelta = (index: number, partial_json: string) =>
	ev({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } });
const stop = (index: number) => ev({ type: "content_block_stop", index }, "    ");
const messageDelta = (stop_reason: string, output: number, more: Record<string, number> = {}) =>
	ev({
		type: "message_delta",
		delta: { stop_reason, stop_sequence: null },
		usage: { output_tokens: output, ...more },
	});
const messageStop = ev({ type: "message_stop" });

describe("anthropic stream stage", () => {
	it("turns a text stream into a role chunk, content deltas and a finish chunk with usage", async () => {
		const items = await run([
			messageStart(12),
			textStart(0),
			ping,
			textDelta(0, "Héllo"),
			textDelta(0, ", wörld"),
			stop(0),
			messageDelta("end_turn", 7, {
				input_tokens: 12,
				cache_creation_input_tokens: 0,
				cache_read_input_tokens: 0,
			}),
			messageStop,
		]);
		expect(items).toEqual([
			roleChunk,
			usageOnly(usage(12, 1)),
			deltaChunk({ content: "Héllo" }),
			deltaChunk({ content: ", wörld" }),
			finish("stop", usage(12, 7)),
		]);
	});

	it("numbers tool calls 0, 1 … whatever their block index, after a text block", async () => {
		const items = await run([
			messageStart(300),
			textStart(0),
			textDelta(0, "Looking both up."),
			stop(0),
			ping,
			toolStart(1, "toolu_A", "get_weather"),
			jsonDelta(1, ""),
			jsonDelta(1, '{"city": "Par'),
			jsonDelta(1, 'is"}'),
			stop(1),
			toolStart(2, "toolu_B", "get_time"),
			jsonDelta(2, '{"zone":'),
			jsonDelta(2, ' "CET"}'),
			stop(2),
			messageDelta("tool_use", 90),
			messageStop,
		]);
		expect(items).toEqual([
			roleChunk,
			usageOnly(usage(300, 1)),
			deltaChunk({ content: "Looking both up." }),
			deltaChunk({
				tool_calls: [
					{ index: 0, id: "toolu_A", type: "function", function: { name: "get_weather", arguments: "" } },
				],
			}),
			deltaChunk({ tool_calls: [{ index: 0, function: { arguments: '{"city": "Par' } }] }),
			deltaChunk({ tool_calls: [{ index: 0, function: { arguments: 'is"}' } }] }),
			deltaChunk({
				tool_calls: [
					{ index: 1, id: "toolu_B", type: "function", function: { name: "get_time", arguments: "" } },
				],
			}),
			deltaChunk({ tool_calls: [{ index: 1, function: { arguments: '{"zone":' } }] }),
			deltaChunk({ tool_calls: [{ index: 1, function: { arguments: ' "CET"}' } }] }),
			finish("tool_calls", usage(300, 90)),
		]);
	});

	it("gives a tool without arguments the arguments {}", async () => {
		const items = await run([
			messageStart(50),
			toolStart(0, "toolu_N", "refresh"),
			ping,
			jsonDelta(0, ""),
			stop(0),
			messageDelta("tool_use", 20),
			messageStop,
		]);
		expect(items.slice(2)).toEqual([
			deltaChunk({
				tool_calls: [
					{ index: 0, id: "toolu_N", type: "function", function: { name: "refresh", arguments: "" } },
				],
			}),
			deltaChunk({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }),
			finish("tool_calls", usage(50, 20)),
		]);
	});

	it("passes argument pieces split inside escapes through unchanged", async () => {
		const pieces = ['{"q": "say \\', '"hi\\', '" \\\\ ok', '"}'];
		const items = await run([
			messageStart(5),
			toolStart(0, "toolu_Q", "say"),
			...pieces.map((piece) => jsonDelta(0, piece)),
			stop(0),
			messageDelta("tool_use", 9),
		]);
		const args = items
			.flatMap((item) => (item.type === "chunk" ? item.chunk.choices : []))
			.flatMap((choice) => choice.delta.tool_calls ?? [])
			.map((call) => call.function?.arguments ?? "")
			.join("");
		expect(JSON.parse(args)).toEqual({ q: 'say "hi" \\ ok' });
	});

	it("exposes thinking as reasoning_content, separating blocks, and drops signatures and redacted thinking", async () => {
		const items = await run([
			messageStart(40),
			ev({
				type: "content_block_start",
				index: 0,
				content_block: { type: "thinking", thinking: "", signature: "" },
			}),
			ev({
				type: "content_block_delta",
				index: 0,
				delta: { type: "thinking_delta", thinking: "First, 6 × 7" },
			}),
			ev({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "" } }),
			ev({ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "c2ln" } }),
			stop(0),
			ev({
				type: "content_block_start",
				index: 1,
				content_block: { type: "redacted_thinking", data: "ZW5j" },
			}),
			stop(1),
			ev({
				type: "content_block_start",
				index: 2,
				content_block: { type: "thinking", thinking: "", signature: "" },
			}),
			ev({ type: "content_block_delta", index: 2, delta: { type: "thinking_delta", thinking: "is 42." } }),
			stop(2),
			textStart(3),
			textDelta(3, "42"),
			stop(3),
			messageDelta("end_turn", 30),
		]);
		expect(items.slice(2)).toEqual([
			deltaChunk({ reasoning_content: "First, 6 × 7" }),
			deltaChunk({ reasoning_content: "\n\nis 42." }),
			deltaChunk({ content: "42" }),
			finish("stop", usage(40, 30)),
		]);
	});

	it("skips server-tool blocks and their input instead of reporting them as tool calls", async () => {
		const items = await run([
			messageStart(700),
			ev({
				type: "content_block_start",
				index: 0,
				content_block: { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: {} },
			}),
			jsonDelta(0, '{"query": "x"}'),
			stop(0),
			ev({
				type: "content_block_start",
				index: 1,
				content_block: { type: "web_search_tool_result", content: [] },
			}),
			stop(1),
			toolStart(2, "toolu_C", "convert"),
			jsonDelta(2, '{"a":1}'),
			stop(2),
			ev({ type: "some_future_event", detail: 1 }),
			messageDelta("tool_use", 60),
		]);
		expect(items.slice(2)).toEqual([
			deltaChunk({
				tool_calls: [
					{ index: 0, id: "toolu_C", type: "function", function: { name: "convert", arguments: "" } },
				],
			}),
			deltaChunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }),
			finish("tool_calls", usage(700, 60)),
		]);
	});

	it("maps every stop reason", async () => {
		const cases: Array<[string, string]> = [
			["end_turn", "stop"],
			["stop_sequence", "stop"],
			["pause_turn", "stop"],
			["max_tokens", "length"],
			["model_context_window_exceeded", "length"],
			["tool_use", "tool_calls"],
			["refusal", "content_filter"],
		];
		for (const [reason, expected] of cases) {
			const items = await run([messageStart(1), messageDelta(reason, 2)]);
			expect(items.at(-1), reason).toEqual(finish(expected, usage(1, 2)));
		}
	});

	it("counts cache reads and writes into prompt tokens and prefers message_delta's counts", async () => {
		const items = await run([
			messageStart(10, { read: 1000, write: 200 }),
			textStart(0),
			textDelta(0, "ok"),
			stop(0),
			messageDelta("end_turn", 3, {
				input_tokens: 11,
				cache_read_input_tokens: 1000,
				cache_creation_input_tokens: 200,
			}),
		]);
		expect(items[1]).toEqual(usageOnly(usage(10, 1, 1000, 200)));
		expect(items.at(-1)).toEqual(finish("stop", usage(11, 3, 1000, 200)));
	});

	it("streams the forced JSON tool's input as content and finishes with stop in JSON mode", async () => {
		const items = await run(
			[
				messageStart(80),
				toolStart(0, "toolu_J", "json_response"),
				jsonDelta(0, ""),
				jsonDelta(0, '{"answer": '),
				jsonDelta(0, "42}"),
				stop(0),
				messageDelta("tool_use", 15),
			],
			jsonRequest,
		);
		expect(items).toEqual([
			roleChunk,
			usageOnly(usage(80, 1)),
			deltaChunk({ content: '{"answer": ' }),
			deltaChunk({ content: "42}" }),
			finish("stop", usage(80, 15)),
		]);
	});

	it("turns an in-band error into one error item and ignores what follows", async () => {
		const items = await run([
			messageStart(25),
			textStart(0),
			textDelta(0, "Partial"),
			ev({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
			textDelta(0, " more"),
			messageDelta("end_turn", 4),
		]);
		expect(items.slice(0, 3)).toEqual([
			roleChunk,
			usageOnly(usage(25, 1)),
			deltaChunk({ content: "Partial" }),
		]);
		expect(items).toHaveLength(4);
		const last = items[3];
		expect(last?.type).toBe("error");
		if (last?.type !== "error") return;
		expect({ status: last.error.status, body: last.error.toBody() }).toEqual({
			status: 503,
			body: {
				error: {
					message: "The upstream provider is temporarily overloaded; retry later.",
					type: "server_error",
					param: null,
					code: "overloaded",
				},
			},
		});
	});

	it("reports an unreadable event as an upstream error", async () => {
		const items = await run([
			messageStart(1),
			{ event: "content_block_delta", data: "{not json" },
			textDelta(0, "x"),
		]);
		expect(items).toHaveLength(3);
		const last = items[2];
		expect(last?.type === "error" ? [last.error.status, last.error.code] : last).toEqual([
			502,
			"upstream_bad_response",
		]);
	});

	it("emits no finish chunk when the stream ends early, so the core can call it truncated", async () => {
		const items = await run([messageStart(3), textStart(0), textDelta(0, "cut")]);
		expect(items).toEqual([roleChunk, usageOnly(usage(3, 1)), deltaChunk({ content: "cut" })]);
	});
});

describe("Anthropic stream stage: thinking kept for the next turn", () => {
	const thinkingThenTool = [
		ev({ type: "message_start", message: { usage: { input_tokens: 5, output_tokens: 1 } } }),
		ev({
			type: "content_block_start",
			index: 0,
			content_block: { type: "thinking", thinking: "", signature: "" },
		}),
		ev({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Paris, " } }),
		ev({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "so call it." } }),
		ev({ type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "" } }),
		ev({ type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "c2lnLTE=" } }),
		ev({ type: "content_block_stop", index: 0 }),
		ev({ type: "content_block_start", index: 1, content_block: { type: "redacted_thinking", data: "ZW5j" } }),
		ev({ type: "content_block_stop", index: 1 }),
		ev({
			type: "content_block_start",
			index: 2,
			content_block: { type: "tool_use", id: "toolu_s", name: "get_weather", input: {} },
		}),
		ev({
			type: "content_block_delta",
			index: 2,
			delta: { type: "input_json_delta", partial_json: '{"city":"Paris"}' },
		}),
		ev({ type: "content_block_stop", index: 2 }),
		ev({ type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 30 } }),
		ev({ type: "message_stop" }),
	];

	/** Runs the stage, logging the keepTurnState calls and the finish chunk into one timeline. */
	async function runKeeping(events: SseEvent[], keep: (ids: string[], metadata: unknown) => Promise<void>) {
		const timeline: string[] = [];
		const kept: Array<{ ids: string[]; metadata: unknown }> = [];
		const stage = anthropicAdapter.createStreamStage({
			...context(),
			keepTurnState: async (ids, metadata) => {
				kept.push({ ids, metadata });
				await keep(ids, metadata);
				timeline.push("kept");
			},
		});
		const controller = {
			enqueue: (item: StreamItem) => {
				if (item.type === "chunk" && item.chunk.choices[0]?.finish_reason) timeline.push("finish");
			},
		} as unknown as TransformStreamDefaultController<StreamItem>;
		for (const event of events) await stage.transform?.(event, controller);
		return { timeline, kept };
	}

	it("keeps the signed thinking under the tool call ids before the finish chunk goes out", async () => {
		const { timeline, kept } = await runKeeping(thinkingThenTool, () => new Promise((r) => setTimeout(r, 5)));
		expect(kept).toEqual([
			{
				ids: ["toolu_s"],
				metadata: {
					anthropic: {
						thinking: [
							{ type: "thinking", thinking: "Paris, so call it.", signature: "c2lnLTE=" },
							{ type: "redacted_thinking", data: "ZW5j" },
						],
					},
				},
			},
		]);
		expect(timeline).toEqual(["kept", "finish"]);
	});

	it("keeps nothing without a tool call, and still finishes when keeping fails", async () => {
		const noTool = thinkingThenTool.filter((event) => !event.data.includes('"index":2'));
		expect((await runKeeping(noTool, async () => {})).kept).toEqual([]);
		const failing = await runKeeping(thinkingThenTool, () => Promise.reject(new Error("D1 down")));
		expect(failing.timeline).toEqual(["finish"]);
	});
});
