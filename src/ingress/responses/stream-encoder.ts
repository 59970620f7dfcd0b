import type { OutboundEvent } from "../../engine/stream/sse-encode";
import type { GatewayError } from "../../errors";
import { isObject } from "../../is-object";
import type { Chunk, FinishReason, ToolCallDelta, Usage } from "../../schemas/chat-response";
import { interleavedToolCalls, nativeFrame } from "../stream-frames";
import { itemId, itemStatus, mapUsage, outcome, type ResponseContext, responseObject } from "./to-response";
import type { FunctionCallOutput, MessageOutput, OutputItem, ReasoningOutput, ResponseStatus } from "./wire";

export type StreamEncoderOptions = ResponseContext & {
	/**
	 * Told the final response object of a stream that finished (completed or incomplete), translated
	 * or passed through, so the ingress can store it.
	 */
	onFinal?(response: Record<string, unknown>): void;
};

type Open =
	| { kind: "reasoning"; index: number; item: ReasoningOutput }
	| { kind: "message"; index: number; item: MessageOutput; part: boolean }
	| { kind: "call"; index: number; item: FunctionCallOutput; call: number };

/**
 * The engine's stream events → the Responses API's semantic events, for one stream. Event shapes
 * from openai-node 6.49.0 `resources/responses/responses.d.ts` (ResponseCreatedEvent,
 * ResponseOutputItemAddedEvent, ResponseContentPartAddedEvent, ResponseTextDeltaEvent,
 * ResponseRefusalDeltaEvent, ResponseFunctionCallArgumentsDeltaEvent/DoneEvent,
 * ResponseReasoningSummaryPartAddedEvent, ResponseReasoningSummaryTextDeltaEvent,
 * ResponseCompletedEvent, ResponseIncompleteEvent, ResponseFailedEvent, ResponseErrorEvent); the
 * order is what `lib/responses/ResponseAccumulator.js` needs (response.created first, an item added
 * before its parts, a part added before its deltas, all addressed by output_index / content_index).
 *
 * - Every event is `event: <type>` + `data:` JSON with the same `type` and a `sequence_number`
 *   rising from 0; response.created, response.in_progress and the final event each wrap a whole
 *   response object (cursor2api #116, grob #386: clients fail "stream closed before
 *   response.completed" otherwise).
 * - Items are written one at a time, added → parts/deltas → done. A function call's item opens on
 *   the first fragment of a new tool-call `index`, never on a name (bitrouter #552), and that
 *   fragment's arguments go out at once (req_llm #801); `arguments` is always a string.
 * - The finish chunk closes the open item; response.completed (or response.incomplete) is written at
 *   `done`, so usage that arrives after the finish chunk still counts.
 * - A mid-stream error is an `error` event, then response.failed (LiteLLM #29223: never a silent end).
 * - Pass-through (`native`) events are written as they came; the upstream's own final event ends them.
 */
export function createResponsesStreamEncoder(
	options: StreamEncoderOptions,
): (events: OutboundEvent[]) => string {
	let out = "";
	/** What a call that threw had written, sent before the next call's events. */
	let carried = "";
	let sequence = 0;
	let started = false;
	let passThrough = false;
	let lastNative = "";
	let ended = false;
	const output: OutputItem[] = [];
	let open: Open | null = null;
	/** Tool-call indexes that had an item, open or closed. */
	const calls = new Set<number>();
	let latestUsage: Usage | undefined;
	let finish: { reason: FinishReason; usage: Usage | undefined } | undefined;

	const write = (type: string, payload: Record<string, unknown>) => {
		out += `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...payload })}\n\n`;
	};
	const usageNow = () =>
		(finish?.usage ?? latestUsage) ? mapUsage(finish?.usage ?? (latestUsage as Usage)) : null;
	const start = () => {
		if (started) return;
		started = true;
		const response = responseObject(options, { status: "in_progress", output: [], usage: null });
		write("response.created", { response });
		write("response.in_progress", { response });
	};
	/** An item's place in the events: output_index, and item_id for the events inside it. */
	const at = (state: Open) => ({ item_id: state.item.id, output_index: state.index });
	const begin = <T extends OutputItem>(item: T): number => {
		close();
		const index = output.length;
		output.push(item);
		write("response.output_item.added", { output_index: index, item });
		return index;
	};
	const closePart = (state: Extract<Open, { kind: "message" }>) => {
		if (!state.part) return;
		state.part = false;
		const content_index = state.item.content.length - 1;
		const part = state.item.content[content_index];
		if (part?.type === "output_text") {
			write("response.output_text.done", { ...at(state), content_index, text: part.text, logprobs: [] });
		} else if (part?.type === "refusal") {
			write("response.refusal.done", { ...at(state), content_index, refusal: part.refusal });
		}
		write("response.content_part.done", { ...at(state), content_index, part });
	};
	const close = () => {
		const state = open;
		if (!state) return;
		open = null;
		if (state.kind === "message") {
			closePart(state);
			state.item.status = itemStatus(finish ? outcome(finish.reason).status : "completed");
		} else if (state.kind === "reasoning") {
			const text = state.item.summary[0]?.text ?? "";
			write("response.reasoning_summary_text.done", { ...at(state), summary_index: 0, text });
			const part = { type: "summary_text", text };
			write("response.reasoning_summary_part.done", { ...at(state), summary_index: 0, part });
		} else {
			const { name, arguments: args } = state.item;
			write("response.function_call_arguments.done", { ...at(state), name, arguments: args });
			state.item.status = "completed";
		}
		write("response.output_item.done", { output_index: state.index, item: state.item });
	};

	const reasoning = (delta: string) => {
		let state = open;
		if (state?.kind !== "reasoning") {
			const item: ReasoningOutput = {
				type: "reasoning",
				id: itemId("rs", options.id, output.length),
				summary: [],
			};
			state = { kind: "reasoning", index: begin(item), item };
			open = state;
			const part = { type: "summary_text", text: "" };
			write("response.reasoning_summary_part.added", { ...at(state), summary_index: 0, part });
			item.summary.push({ type: "summary_text", text: "" });
		}
		const part = state.item.summary[0];
		if (part) part.text += delta;
		write("response.reasoning_summary_text.delta", { ...at(state), summary_index: 0, delta });
	};
	/** Text or a refusal: parts of the one message item, each added before its deltas. */
	const messagePart = (kind: "output_text" | "refusal", delta: string) => {
		let state = open;
		if (state?.kind !== "message") {
			const item: MessageOutput = {
				type: "message",
				id: itemId("msg", options.id, output.length),
				status: "in_progress",
				role: "assistant",
				content: [],
			};
			state = { kind: "message", index: begin(item), item, part: false };
			open = state;
		}
		let part = state.item.content.at(-1);
		if (!state.part || part?.type !== kind) {
			closePart(state);
			part = kind === "output_text" ? { type: kind, text: "", annotations: [] } : { type: kind, refusal: "" };
			write("response.content_part.added", { ...at(state), content_index: state.item.content.length, part });
			state.item.content.push(part);
			state.part = true;
		}
		const content_index = state.item.content.length - 1;
		if (part.type === "output_text") {
			part.text += delta;
			write("response.output_text.delta", { ...at(state), content_index, delta, logprobs: [] });
		} else {
			part.refusal += delta;
			write("response.refusal.delta", { ...at(state), content_index, delta });
		}
	};
	const toolCall = (fragment: ToolCallDelta) => {
		let state = open;
		if (state?.kind !== "call" || state.call !== fragment.index) {
			// More of a call whose item is already closed: our adapters stream calls one after another,
			// so only a misbehaving upstream interleaves them. The stream fails rather than hand the
			// client broken arguments; thrown, so the engine records the failure and asks for the error.
			if (calls.has(fragment.index)) throw interleavedToolCalls();
			calls.add(fragment.index);
			const item: FunctionCallOutput = {
				type: "function_call",
				id: itemId("fc", options.id, output.length),
				// Every adapter gives its calls ids; one is minted only so a call without one can be answered.
				call_id: fragment.id ?? itemId("call", options.id, fragment.index),
				name: fragment.function?.name ?? "",
				arguments: "",
				status: "in_progress",
			};
			state = { kind: "call", index: begin(item), item, call: fragment.index };
			open = state;
		} else if (state.item.name === "" && fragment.function?.name) {
			state.item.name = fragment.function.name;
		}
		const delta = fragment.function?.arguments;
		if (delta) {
			state.item.arguments += delta;
			write("response.function_call_arguments.delta", { ...at(state), delta });
		}
	};
	const image = (url: string) => {
		const item: OutputItem = {
			type: "image_generation_call",
			id: itemId("ig", options.id, output.length),
			status: "completed",
			result: null,
			image_url: url,
		};
		const index = begin(item);
		write("response.output_item.done", { output_index: index, item });
	};

	const onChunk = (chunk: Chunk) => {
		if (chunk.usage) latestUsage = chunk.usage;
		// A Responses request never asks for more than one choice.
		const choice = chunk.choices.find((candidate) => (candidate.index ?? 0) === 0);
		if (!choice || finish) return;
		const d = choice.delta ?? {};
		if (d.reasoning_content) reasoning(d.reasoning_content);
		if (d.content) messagePart("output_text", d.content);
		if (d.refusal) messagePart("refusal", d.refusal);
		for (const fragment of d.tool_calls ?? []) toolCall(fragment);
		for (const ref of d.images ?? []) image(ref.image_url.url);
		if (choice.finish_reason) {
			finish = { reason: choice.finish_reason, usage: chunk.usage ?? undefined };
			close();
		}
	};
	const onDone = () => {
		close();
		const { status, incomplete_details } = outcome(finish?.reason);
		const response = responseObject(options, { status, incomplete_details, output, usage: usageNow() });
		write(status === "completed" ? "response.completed" : "response.incomplete", { response });
		ended = true;
		options.onFinal?.(response as unknown as Record<string, unknown>);
	};
	const fail = (error: GatewayError) => {
		if (passThrough) {
			// Continue the upstream's numbering; its events are not parsed on the way, only this once.
			const last = /"sequence_number":(\d+)/.exec(lastNative);
			sequence = last ? Number(last[1]) + 1 : sequence;
		}
		if (open && open.kind !== "reasoning") open.item.status = "incomplete";
		const status: ResponseStatus = "failed";
		// The documented flat fields (ResponseErrorEvent) and the `error` object the live API nests them
		// in (openai-dotnet #881): openai-node 6.49.0 core/streaming.js raises an APIError for the latter.
		const body = {
			type: error.type,
			code: error.code ?? error.type,
			message: error.message,
			param: error.param,
		};
		write("error", { code: body.code, message: body.message, param: body.param, error: body });
		// ResponseError's codes are a fixed list: a rate limit is rate_limit_exceeded, all else server_error.
		const code = error.status === 429 ? "rate_limit_exceeded" : "server_error";
		const usage = usageNow();
		const response = responseObject(options, {
			status,
			output,
			usage,
			error: { code, message: error.message },
		});
		write("response.failed", { response });
		ended = true;
	};

	return (events) => {
		out = carried;
		carried = "";
		try {
			for (const event of events) {
				if (ended) break;
				if (event.type === "native") {
					passThrough = true;
					lastNative = event.data;
					if (event.event === "response.completed" || event.event === "response.incomplete") {
						const final = finalOf(event.data);
						if (final) options.onFinal?.(final);
					}
					out += nativeFrame(event.event, event.data);
					continue;
				}
				if (event.type === "done" && passThrough) {
					// A pass-through's own response.completed already ended the client's stream.
					ended = true;
					break;
				}
				if (!passThrough) start();
				if (event.type === "usage") latestUsage = event.usage;
				else if (event.type === "chunk") onChunk(event.chunk);
				else if (event.type === "error") fail(event.error);
				else onDone();
			}
		} catch (error) {
			carried = out;
			throw error;
		}
		return out;
	};
}

/** A pass-through's final lifecycle event's response object (the one event parsed here). */
function finalOf(data: string): Record<string, unknown> | null {
	try {
		const event: unknown = JSON.parse(data);
		return isObject(event) && isObject(event.response) ? event.response : null;
	} catch {
		return null;
	}
}
