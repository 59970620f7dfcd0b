import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkRewriter, type RewriteOptions } from "../../../src/engine/stream/rewrite";
import { sseDecoder } from "../../../src/engine/stream/sse-decode";
import { encodeEvent, type OutboundEvent } from "../../../src/engine/stream/sse-encode";
import { type Step, step } from "../../../src/engine/stream/step";
import { type TrackedStream, trackStream } from "../../../src/engine/stream/tally";
import { GatewayError } from "../../../src/errors";
import type { ResponseContext, SseEvent, StreamItem } from "../../../src/protocols/adapter";
import { adapters } from "../../../src/protocols/registry";
import type { Chunk, ChunkChoice, Usage } from "../../../src/schemas/chat-response";

/**
 * The stream stages run as the pipeline runs them: each wrapped by step(), fed with push() one
 * upstream piece at a time and closed with end(), synchronously unless a stage awaits. Unlike
 * test/worker/streaming/ (a TransformStream around the decoder), these look at what each push gives
 * back, since that is what the client receives at that moment.
 */

const bytes = (text: string) => new TextEncoder().encode(text);

/** Every output of a synchronous step: pushes one input at a time, then ends. */
function runSync<I, O>(stage: Step<I, O>, inputs: I[]): O[] {
	const out: O[] = [];
	for (const input of inputs) {
		const pushed = stage.push([input]);
		if (pushed instanceof Promise) throw new Error("a synchronous stage answered with a promise");
		out.push(...pushed);
	}
	const ended = stage.end();
	if (ended instanceof Promise) throw new Error("a synchronous stage ended with a promise");
	return out.concat(ended);
}

describe("step(): how the pipeline runs a stage", () => {
	it("gives back what each push enqueued, and at end what flush enqueued, in order", () => {
		const doubled = step<number, string>({
			transform(n, controller) {
				controller.enqueue(`${n}a`);
				controller.enqueue(`${n}b`);
			},
			flush(controller) {
				controller.enqueue("flushed");
			},
		});
		expect(doubled.push([1, 2])).toEqual(["1a", "1b", "2a", "2b"]);
		expect(doubled.push([])).toEqual([]);
		expect(doubled.push([3])).toEqual(["3a", "3b"]);
		expect(doubled.end()).toEqual(["flushed"]);
	});

	it("answers without a promise for a synchronous stage, and keeps order across a stage that awaits", async () => {
		const sync = step<number, number>({ transform: (n, c) => c.enqueue(n * 10) });
		const out = sync.push([1, 2]);
		expect(out).not.toBeInstanceOf(Promise);
		expect(out).toEqual([10, 20]);

		const sometimesAwaits = step<number, number>({
			async transform(n, controller) {
				if (n % 2 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
				controller.enqueue(n);
			},
			async flush(controller) {
				await new Promise((resolve) => setTimeout(resolve, 5));
				controller.enqueue(-1);
			},
		});
		const pending = sometimesAwaits.push([1, 2, 3, 4, 5]);
		expect(pending).toBeInstanceOf(Promise);
		expect(await pending).toEqual([1, 2, 3, 4, 5]);
		const ending = sometimesAwaits.end();
		expect(ending).toBeInstanceOf(Promise);
		expect(await ending).toEqual([-1]);
	});

	it("passes inputs through a stage with no transform, and an end with no flush gives nothing", () => {
		const identity = step<string, string>({});
		expect(identity.push(["a", "b"])).toEqual(["a", "b"]);
		expect(identity.end()).toEqual([]);
	});

	it("raises a stage's failure, thrown or through controller.error, from the push", () => {
		const throwing = step<number, number>({
			transform() {
				throw new Error("stage broke");
			},
		});
		expect(() => throwing.push([1])).toThrow("stage broke");
		const erroring = step<number, number>({
			transform(_, controller) {
				controller.error(new Error("stage errored"));
			},
		});
		expect(() => erroring.push([1])).toThrow("stage errored");
	});
});

describe("the SSE decoder through step()", () => {
	it("gives an event out with the push that completes it, not later", () => {
		const decode = step(sseDecoder());
		expect(decode.push([bytes('data: {"n":1}\n\ndata: {"n"')])).toEqual([
			{ event: undefined, data: '{"n":1}' },
		]);
		expect(decode.push([bytes(":2}\n")])).toEqual([]);
		expect(decode.push([bytes("\r")])).toEqual([{ event: undefined, data: '{"n":2}' }]);
		// The LF after that CR belongs to the same line break: no event, nothing left over.
		expect(decode.push([bytes("\n")])).toEqual([]);
		expect(decode.end()).toEqual([]);
	});

	it("reads a field without a colon, an empty data line, and strips one leading space only", () => {
		const text = ["data", "", "data:", "", "data:  two spaces", "", "data:x", "data: y", "", ""].join("\n");
		expect(runSync(step(sseDecoder()), [bytes(text)])).toEqual([
			{ event: undefined, data: "" },
			{ event: undefined, data: "" },
			{ event: undefined, data: " two spaces" },
			{ event: undefined, data: "x\ny" },
		]);
	});

	it("dispatches nothing for an event with no data, and its name does not carry over to the next", () => {
		const text = "event: ping\n\ndata: after\n\nevent: named\ndata: 1\n\ndata: 2\n\n";
		expect(runSync(step(sseDecoder()), [bytes(text)])).toEqual([
			{ event: undefined, data: "after" },
			{ event: "named", data: "1" },
			{ event: undefined, data: "2" },
		]);
	});

	it("ignores a UTF-8 byte-order mark at the start of the stream, even split across pieces", () => {
		const text = bytes('\uFEFFdata: {"a":1}\n\n');
		expect(runSync(step(sseDecoder()), [text.slice(0, 2), text.slice(2)])).toEqual([
			{ event: undefined, data: '{"a":1}' },
		]);
	});

	// Lines as an upstream may write them: data (in one or more lines), event names, comments, other fields.
	const line = fc.oneof(
		fc.record({ kind: fc.constant("data" as const), text: fc.string({ unit: "grapheme", maxLength: 12 }) }),
		fc.record({ kind: fc.constant("event" as const), text: fc.stringMatching(/^[a-z_]{1,10}$/) }),
		fc.record({ kind: fc.constant("comment" as const), text: fc.string({ unit: "grapheme", maxLength: 8 }) }),
		fc.record({
			kind: fc.constant("other" as const),
			text: fc.constantFrom("id: 7", "retry: 500", "foo: bar"),
		}),
	);
	const block = fc.array(line, { minLength: 1, maxLength: 4 });
	const eol = fc.constantFrom("\n", "\r", "\r\n");
	const noLineBreak = (text: string) => text.replace(/[\r\n]/g, " ");

	it("decodes any stream, with any mix of CR, LF and CRLF, split at any bytes, into the events it holds", () => {
		fc.assert(
			fc.property(
				fc.array(fc.tuple(block, fc.array(eol, { minLength: 6, maxLength: 6 })), { maxLength: 6 }),
				fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
				(blocks, sizes) => {
					let text = "";
					let previous = "";
					const expected: SseEvent[] = [];
					// A lone CR then an empty line ended by LF would read as one CRLF: end such a line with CRLF.
					const end = (eolFor: string, emptyLine: boolean) => {
						const chosen = previous === "\r" && emptyLine && eolFor === "\n" ? "\r\n" : eolFor;
						previous = chosen;
						return chosen;
					};
					for (const [lines, eols] of blocks) {
						const data: string[] = [];
						let event: string | undefined;
						lines.forEach((l, i) => {
							const content = noLineBreak(l.text);
							const written =
								l.kind === "data"
									? `data: ${content}`
									: l.kind === "event"
										? `event: ${content}`
										: l.kind === "comment"
											? `:${content}`
											: content;
							text += written + end(eols[i] ?? "\n", false);
							if (l.kind === "data") data.push(content);
							if (l.kind === "event") event = content;
						});
						text += end(eols[5] ?? "\n", true);
						if (data.length > 0) expected.push({ event, data: data.join("\n") });
					}
					const all = bytes(text);
					const pieces: Uint8Array[] = [];
					for (let at = 0, i = 0; at < all.length; i++) {
						const size = sizes[i % sizes.length] ?? 1;
						pieces.push(all.slice(at, at + size));
						at += size;
					}
					expect(runSync(step(sseDecoder()), pieces)).toEqual(expected);
				},
			),
			{ numRuns: 300 },
		);
	});

	// An empty piece once reset the pending CR, so the LF after it started a line of its own.
	it("keeps a CRLF whole when an empty piece arrives between its CR and its LF", () => {
		const pieces = [bytes("data: a\r"), new Uint8Array(0), bytes("\ndata: b\r\n\r\n")];
		expect(runSync(step(sseDecoder()), pieces)).toEqual([{ event: undefined, data: "a\nb" }]);
	});
});

describe("the SSE encoder", () => {
	const chunkOf = (content: string): Chunk => ({
		id: "gate-1",
		object: "chat.completion.chunk",
		created: 1,
		model: "m",
		choices: [{ index: 0, delta: { content }, finish_reason: null }],
	});

	it("writes data-only events: a chunk as its JSON, an error as OpenAI's error body, the end as [DONE]", () => {
		const error = new GatewayError(502, "it broke", { code: "upstream_error" });
		expect(encodeEvent({ type: "chunk", chunk: chunkOf("hi") })).toBe(
			`data: ${JSON.stringify(chunkOf("hi"))}\n\n`,
		);
		expect(encodeEvent({ type: "error", error })).toBe(
			'data: {"error":{"message":"it broke","type":"server_error","param":null,"code":"upstream_error"}}\n\n',
		);
		expect(encodeEvent({ type: "done" })).toBe("data: [DONE]\n\n");
	});

	it("writes what the decoder reads back event for event, whatever the content and however it is split", () => {
		fc.assert(
			fc.property(
				fc.array(fc.string({ unit: "binary", maxLength: 20 }), { maxLength: 8 }),
				fc.array(fc.integer({ min: 1, max: 11 }), { minLength: 1, maxLength: 6 }),
				(contents, sizes) => {
					const events: OutboundEvent[] = [
						...contents.map((c) => ({ type: "chunk" as const, chunk: chunkOf(c) })),
					];
					events.push({ type: "done" });
					const all = bytes(events.map(encodeEvent).join(""));
					const pieces: Uint8Array[] = [];
					for (let at = 0, i = 0; at < all.length; i++) {
						const size = sizes[i % sizes.length] ?? 1;
						pieces.push(all.slice(at, at + size));
						at += size;
					}
					const decoded = runSync(step(sseDecoder()), pieces);
					expect(decoded.map((e) => e.event)).toEqual(events.map(() => undefined));
					expect(decoded.map((e) => e.data)).toEqual([
						...contents.map((c) => JSON.stringify(chunkOf(c))),
						"[DONE]",
					]);
				},
			),
			{ numRuns: 100 },
		);
	});
});

describe("the stream tally", () => {
	it("settles once: the first outcome and error stay, and `ended` resolves with the tally", async () => {
		const tracked = trackStream();
		const first = new GatewayError(504, "idle", { code: "upstream_idle_timeout" });
		tracked.settle("upstream_error", first);
		tracked.settle("ok");
		tracked.settle("client_disconnected", new GatewayError(502, "later"));
		const tally = await tracked.ended;
		expect(tally).toBe(tracked.tally);
		expect([tally.outcome, tally.error]).toEqual(["upstream_error", first]);
	});

	it("records a drained stream that finished as the client's leaving, and one that failed as a failure", () => {
		const finished = trackStream();
		finished.tally.clientGone = true;
		finished.settle("ok");
		expect(finished.tally.outcome).toBe("client_disconnected");

		const failed = trackStream();
		failed.tally.clientGone = true;
		failed.settle("upstream_error", new GatewayError(502, "cut"));
		expect(failed.tally.outcome).toBe("upstream_error");
	});
});

const USAGE: Usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
const priced = (usage: Usage): Usage => ({ ...usage, cost: 0.25 });

/** A chunk as an adapter gives it: placeholders where the rewrite stage stamps its fields, plus upstream extras. */
function upstreamChunk(choices: ChunkChoice[], extra: Partial<Chunk> = {}): StreamItem {
	return {
		type: "chunk",
		chunk: {
			id: "chatcmpl-upstream",
			object: "chat.completion.chunk",
			created: 42,
			model: "gpt-upstream-2025",
			choices,
			system_fingerprint: "fp_upstream",
			...extra,
		},
	};
}
const delta = (d: ChunkChoice["delta"], index = 0): ChunkChoice => ({ index, delta: d, finish_reason: null });
const finishing = (index = 0): ChunkChoice => ({ index, delta: {}, finish_reason: "stop" });
const usageOnly = (usage: Usage = USAGE) => upstreamChunk([], { usage });

function rewriter(options: Partial<RewriteOptions> = {}): {
	stage: Step<StreamItem, OutboundEvent>;
	tracked: TrackedStream;
} {
	const tracked = options.tracked ?? trackStream();
	let clock = 1_000;
	const stage = step(
		chunkRewriter({
			gateId: "gate-123",
			model: "openai/catalog-id",
			created: 1_700_000_000,
			includeUsage: false,
			priceUsage: priced,
			tracked,
			scrubError: (error) =>
				new GatewayError(error.status, error.message.replace("sk-secret", "[redacted]"), {
					code: error.code,
				}),
			now: () => (clock += 1_000),
			...options,
		}),
	);
	return { stage, tracked };
}

const chunksOf = (events: OutboundEvent[]) =>
	events.flatMap((event) => (event.type === "chunk" ? [event.chunk] : []));

describe("the rewrite stage through step()", () => {
	it("passes pass-through events on as they are, tallying their usage, output and completion", () => {
		const { stage, tracked } = rewriter();
		const native = (
			data: string,
			extra: Partial<Extract<StreamItem, { type: "native" }>> = {},
		): StreamItem => ({
			type: "native",
			event: "e",
			data,
			outputChars: 0,
			...extra,
		});
		const out = stage.push([
			native("start", { usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } }),
			native("text", { outputChars: 4 }),
			native("delta", { usage: USAGE }),
		]);
		expect(out).toEqual([
			{ type: "native", event: "e", data: "start" },
			{ type: "native", event: "e", data: "text" },
			{ type: "native", event: "e", data: "delta" },
		]);
		expect([tracked.tally.streamedChars, tracked.tally.firstTokenAt, tracked.tally.usage]).toEqual([
			4,
			2_000,
			USAGE,
		]);
		expect(stage.push([native("stop", { completes: true })])).toEqual([
			{ type: "native", event: "e", data: "stop" },
		]);
		expect(stage.end()).toEqual([{ type: "done" }]);
		expect([tracked.tally.outcome, tracked.tally.completed, tracked.tally.usage]).toEqual([
			"ok",
			true,
			priced(USAGE),
		]);
	});

	it("passes on a pass-through event that reports a failure, then records the failure and ends", () => {
		const { stage, tracked } = rewriter();
		const failure = new GatewayError(502, "failed with sk-secret", { code: "server_error" });
		const out = stage.push([
			{ type: "native", event: "response.failed", data: "failed", outputChars: 0, failure },
			{ type: "native", event: "e", data: "after", outputChars: 0 },
		]);
		expect(out).toEqual([{ type: "native", event: "response.failed", data: "failed" }]);
		expect(stage.end()).toEqual([]);
		expect([tracked.tally.outcome, tracked.tally.error?.code, tracked.tally.error?.message]).toEqual([
			"upstream_error",
			"server_error",
			"failed with [redacted]",
		]);
	});

	it("ends a pass-through stream that never completed with an error event", () => {
		const { stage, tracked } = rewriter();
		stage.push([{ type: "native", event: "e", data: "start", outputChars: 0 }]);
		expect(stage.end()).toMatchObject([{ type: "error", error: { code: "upstream_stream_truncated" } }]);
		expect(tracked.tally.outcome).toBe("upstream_error");
	});

	it("stamps every chunk with the gate id, the catalog model and the creation time, the upstream's extras after them", () => {
		const { stage } = rewriter();
		const out = runSync(stage, [
			upstreamChunk([delta({ role: "assistant", content: "" })]),
			upstreamChunk([delta({ content: "Hi" })]),
			// An upstream that writes its fields in another order: the client's chunk still starts with the gateway's.
			{
				type: "chunk",
				chunk: {
					choices: [finishing()],
					system_fingerprint: "fp_upstream",
					model: "gpt-upstream-2025",
					created: 42,
					object: "chat.completion.chunk",
					id: "chatcmpl-upstream",
				},
			},
		]);
		const chunks = chunksOf(out);
		expect(chunks).toHaveLength(3);
		for (const chunk of chunks) {
			expect(Object.keys(chunk)).toEqual([
				"id",
				"object",
				"created",
				"model",
				"choices",
				"system_fingerprint",
			]);
			expect(chunk).toMatchObject({
				id: "gate-123",
				object: "chat.completion.chunk",
				created: 1_700_000_000,
				model: "openai/catalog-id",
				system_fingerprint: "fp_upstream",
			});
		}
		expect(out.at(-1)).toEqual({ type: "done" });
	});

	it("sends usage on the finish chunk, priced, only at the end and only when the client asked", () => {
		const { stage, tracked } = rewriter({ includeUsage: true });
		expect(stage.push([upstreamChunk([delta({ content: "Hi" })], { usage: null })])).toMatchObject([
			{ type: "chunk", chunk: { choices: [{ delta: { content: "Hi" } }] } },
		]);
		// The finish chunk is held back for the usage that follows it.
		expect(stage.push([upstreamChunk([finishing()], { usage: null })])).toEqual([]);
		// Usage as reported goes on at once as a usage event, for ingresses that show it early
		// (Messages' message_start); chat's encoder writes nothing for it.
		expect(stage.push([usageOnly()])).toEqual([{ type: "usage", usage: USAGE }]);
		expect(tracked.tally.outcome).toBeNull();
		const end = stage.end();
		expect(end).toMatchObject([
			{
				type: "chunk",
				chunk: { id: "gate-123", choices: [{ finish_reason: "stop" }], usage: priced(USAGE) },
			},
			{ type: "done" },
		]);
		expect([tracked.tally.usage, tracked.tally.completed, tracked.tally.outcome]).toEqual([
			priced(USAGE),
			true,
			"ok",
		]);
	});

	it("without include_usage, sends the finish chunk at once and no usage, but still records it priced", () => {
		const { stage, tracked } = rewriter({ includeUsage: false });
		const content = stage.push([upstreamChunk([delta({ content: "Hi" })], { usage: null })]);
		expect(chunksOf(content as OutboundEvent[])[0]).not.toHaveProperty("usage");
		const finish = stage.push([upstreamChunk([finishing()])]);
		expect(finish).toMatchObject([{ type: "chunk", chunk: { choices: [{ finish_reason: "stop" }] } }]);
		expect(chunksOf(finish as OutboundEvent[])[0]).not.toHaveProperty("usage");
		expect(stage.push([usageOnly()])).toEqual([]);
		expect(stage.end()).toEqual([{ type: "done" }]);
		expect(tracked.tally.usage).toEqual(priced(USAGE));
	});

	it("with several choices, holds every finish chunk and puts usage on the last one only", () => {
		const { stage } = rewriter({ includeUsage: true });
		const out = runSync(stage, [
			upstreamChunk([delta({ content: "a" }, 0), delta({ content: "b" }, 1)]),
			upstreamChunk([finishing(1)]),
			upstreamChunk([delta({ content: "more a" }, 0)]),
			upstreamChunk([finishing(0)]),
			usageOnly(),
		]);
		const chunks = chunksOf(out);
		expect(chunks.map((c) => [c.choices.map((choice) => choice.index), c.usage])).toEqual([
			[[0, 1], undefined],
			[[0], undefined],
			[[1], undefined],
			[[0], priced(USAGE)],
		]);
		expect(out.at(-1)).toEqual({ type: "done" });
	});

	it("does not send a chunk with no choices, and a finish with no usage from upstream carries usage null", () => {
		const { stage, tracked } = rewriter({ includeUsage: true });
		const out = runSync(stage, [upstreamChunk([]), upstreamChunk([finishing()])]);
		expect(out).toMatchObject([{ type: "chunk", chunk: { usage: null } }, { type: "done" }]);
		expect(tracked.tally.usage).toBeNull();
	});

	it("counts output characters of content, reasoning, tool calls and images; the first output sets the first-token time", () => {
		const { stage, tracked } = rewriter();
		stage.push([upstreamChunk([delta({ role: "assistant", content: "" })])]);
		expect([tracked.tally.streamedChars, tracked.tally.firstTokenAt]).toEqual([0, null]);
		stage.push([upstreamChunk([delta({ content: "héllo 🌍" })])]);
		expect([tracked.tally.streamedChars, tracked.tally.firstTokenAt]).toEqual([8, 2_000]);
		stage.push([
			upstreamChunk([
				delta({ reasoning_content: "hmm" }),
				delta({ tool_calls: [{ index: 0, function: { name: "get", arguments: '{"a":1}' } }] }, 1),
				delta({ images: [{ type: "image_url", image_url: { url: "https://gate/i/1" } }] }, 2),
			]),
		]);
		expect([tracked.tally.streamedChars, tracked.tally.firstTokenAt]).toEqual([8 + 3 + 3 + 7 + 1, 2_000]);
	});

	it("ends a stream that never finished with one truncation error", () => {
		const { stage, tracked } = rewriter();
		const out = runSync(stage, [upstreamChunk([delta({ content: "part" })])]);
		expect(out.map((e) => e.type)).toEqual(["chunk", "error"]);
		const last = out[1];
		if (last?.type !== "error") throw new Error("expected an error event");
		expect([last.error.status, last.error.code]).toEqual([502, "upstream_stream_truncated"]);
		expect([tracked.tally.outcome, tracked.tally.error, tracked.tally.completed]).toEqual([
			"upstream_error",
			last.error,
			false,
		]);
	});

	it("ends an unfinished stream with the failure the upstream reader recorded, when there is one", () => {
		const tracked = trackStream();
		const stall = new GatewayError(504, "nothing for 5 ms", { code: "upstream_idle_timeout" });
		const { stage } = rewriter({ tracked });
		stage.push([upstreamChunk([delta({ content: "part" })])]);
		tracked.tally.upstreamFailure = stall;
		expect(stage.end()).toEqual([{ type: "error", error: stall }]);
		expect(tracked.tally.error).toBe(stall);
	});

	it("sends an upstream error once, scrubbed, and nothing after it, not even at the end", () => {
		const { stage, tracked } = rewriter({ includeUsage: true });
		const leaked = new GatewayError(502, "bad key sk-secret", { code: "upstream_error" });
		const out = stage.push([
			upstreamChunk([delta({ content: "a" })]),
			{ type: "error", error: leaked },
			upstreamChunk([delta({ content: "b" })]),
			{ type: "error", error: new GatewayError(500, "second") },
		]);
		expect(out).toMatchObject([
			{ type: "chunk", chunk: { choices: [{ delta: { content: "a" } }] } },
			{ type: "error", error: { message: "bad key [redacted]", code: "upstream_error" } },
		]);
		expect(out).toHaveLength(2);
		expect(stage.push([upstreamChunk([finishing()])])).toEqual([]);
		expect(stage.end()).toEqual([]);
		expect([tracked.tally.outcome, tracked.tally.error?.message]).toEqual([
			"upstream_error",
			"bad key [redacted]",
		]);
	});
});

/** What an OpenAI-protocol response context needs: this stage uses none of it. */
const unusedContext = {
	request: { model: "m", messages: [{ role: "user" as const, content: "hi" }] },
	storeImage: () => Promise.reject(new Error("no images in these streams")),
	keepTurnState: () => Promise.resolve(),
};
const openaiStage = () => step(adapters.openai.createStreamStage(unusedContext as ResponseContext));

describe("the stages composed as the pipeline composes them", () => {
	/** decode → adapter → rewrite → encode for one upstream piece (or the end), as the pipeline's translatePiece. */
	function composed(includeUsage: boolean) {
		const decode = step(sseDecoder());
		const translate = openaiStage();
		const { stage: shape, tracked } = rewriter({ includeUsage });
		// The chat route's encoder.
		const run = (events: OutboundEvent[]) => events.map(encodeEvent).join("");
		return {
			tracked,
			piece(value: Uint8Array): string {
				const items = translate.push(decode.push([value]) as SseEvent[]) as StreamItem[];
				return run(shape.push(items) as OutboundEvent[]);
			},
			end(): string {
				const items = translate.push(decode.end() as SseEvent[]) as StreamItem[];
				const rest = items.concat(translate.end() as StreamItem[]);
				const out = (shape.push(rest) as OutboundEvent[]).concat(shape.end() as OutboundEvent[]);
				return run(out);
			},
		};
	}

	const upstreamEvent = (body: object) => `data: ${JSON.stringify(body)}\r\n\r\n`;
	const base = { id: "chatcmpl-x", object: "chat.completion.chunk", created: 5, model: "gpt-x" };
	const UPSTREAM_STREAM = [
		": keep-alive\r\n\r\n",
		upstreamEvent({
			...base,
			choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
		}),
		upstreamEvent({ ...base, choices: [{ index: 0, delta: { content: "Héllo 🌍" }, finish_reason: null }] }),
		upstreamEvent({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
		upstreamEvent({ ...base, choices: [], usage: USAGE }),
		"data: [DONE]\r\n\r\n",
	].join("");

	it("turns an upstream stream split at every byte into the client's stream, each event as soon as it is complete", () => {
		const pipeline = composed(true);
		const input = bytes(UPSTREAM_STREAM);
		const texts: string[] = [];
		for (let i = 0; i < input.length; i++) texts.push(pipeline.piece(input.slice(i, i + 1)));
		texts.push(pipeline.end());
		const client = texts.join("");
		const events = client
			.split("\n\n")
			.filter(Boolean)
			.map((block) => block.replace(/^data: /, ""));
		expect(events.at(-1)).toBe("[DONE]");
		const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Chunk);
		expect(chunks.map((c) => [c.id, c.model, c.created])).toEqual(
			Array.from({ length: 3 }, () => ["gate-123", "openai/catalog-id", 1_700_000_000]),
		);
		expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(["", "Héllo 🌍", null]);
		expect(chunks[2]?.usage).toEqual(priced(USAGE));
		// The content chunk went out with the byte that ended its event, not with the stream's end.
		const contentAt = texts.findIndex((text) => text.includes("Héllo"));
		expect(contentAt).toBeGreaterThan(0);
		expect(contentAt).toBeLessThan(input.length - 1);
		expect(pipeline.tracked.tally).toMatchObject({ outcome: "ok", completed: true, streamedChars: 8 });
	});

	it("ends with one error event when the upstream sends something that is not a chunk", () => {
		const pipeline = composed(false);
		const text =
			pipeline.piece(
				bytes(
					upstreamEvent({ ...base, choices: [{ index: 0, delta: { content: "a" }, finish_reason: null }] }),
				),
			) +
			pipeline.piece(bytes("data: {not json\n\n")) +
			pipeline.piece(
				bytes(
					upstreamEvent({ ...base, choices: [{ index: 0, delta: { content: "b" }, finish_reason: null }] }),
				),
			) +
			pipeline.end();
		const blocks = text.split("\n\n").filter(Boolean);
		expect(blocks).toHaveLength(2);
		expect(JSON.parse(blocks[1]?.replace(/^data: /, "") ?? "")).toMatchObject({
			error: { code: "upstream_bad_response" },
		});
		expect(pipeline.tracked.tally.outcome).toBe("upstream_error");
	});

	// The OpenAI stage admits a choice without a `delta` (as Azure OpenAI's content-filter chunks
	// come); the rewrite stage once read `delta.content` of it and threw, ending the stream with a 502.
	it("passes on a choice that has no delta", () => {
		const pipeline = composed(false);
		const filterOnly = { ...base, choices: [{ index: 0, finish_reason: null, content_filter_results: {} }] };
		const text = pipeline.piece(bytes(upstreamEvent(filterOnly)));
		expect(JSON.parse(text.replace(/^data: /, ""))).toMatchObject({
			id: "gate-123",
			choices: [{ index: 0 }],
		});
	});
});
