import type { OutboundEvent } from "../../engine/stream/sse-encode";
import type { GatewayError } from "../../errors";
import type { Chunk, ChunkChoice, FinishReason, ToolCallDelta, Usage } from "../../schemas/chat-response";
import { interleavedToolCalls, nativeFrame } from "../stream-frames";
import { anthropicError } from "./error-body";
import { mapStopReason, mapUsage, matchedStop } from "./map-finish";
import type { MessageUsage, OutputBlock } from "./wire";

export interface StreamEncoderOptions {
	id: string;
	model: string;
	/**
	 * message_start must carry real input tokens (vercel/ai #17326): this estimate when the upstream
	 * has not said yet. A function, so a stream that never needs it (pass-through) never computes it.
	 */
	estimateInputTokens: () => number;
	stopSequences: string[];
}

type OpenBlock = { kind: "thinking" | "text"; index: number } | { kind: "tool"; index: number; call: number };

/**
 * The engine's stream events → Anthropic's event stream (protocols.md 2.4), for one stream: every
 * event is `event: <type>` plus `data:` JSON whose `type` is the same name. Blocks are numbered in
 * the order they start and written one at a time, start → deltas → stop, so no delta ever names a
 * block that is not open ("Content block not found", LiteLLM #13373 / #14315).
 *
 * - message_start goes out just before the first output or finish (the role-only first chunk writes
 *   nothing), with the latest usage the upstream reported, else the estimate.
 * - A tool call's block opens on the first fragment of a new tool-call `index` (not on a name: a
 *   continuation without one must not start a call, bitrouter #552), and that fragment's arguments
 *   go out at once (a `{` beside the name must not be lost, req_llm #801).
 * - The finish chunk closes the open block; message_delta is written at `done`, so usage that
 *   arrives after the finish chunk still counts. A stream ending without a finish chunk ends as
 *   end_turn, still well-formed.
 * - Pass-through (`native`) events are written as they came; the upstream's message_stop ends them.
 */
export function createStreamEncoder(options: StreamEncoderOptions): (events: OutboundEvent[]) => string {
	let out = "";
	/** What a call that threw had written, sent before the next call's events. */
	let carried = "";
	let started = false;
	let passThrough = false;
	let ended = false;
	let nextIndex = 0;
	let open: OpenBlock | null = null;
	/** Tool-call indexes that had a block, open or closed. */
	const calls = new Set<number>();
	let latestUsage: Usage | undefined;
	let finish: { reason: FinishReason; matched: unknown; usage: Usage | undefined } | undefined;

	const write = (type: string, payload: Record<string, unknown>) => {
		out += `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
	};
	const usageNow = (outputTokens: number): MessageUsage =>
		latestUsage
			? { ...mapUsage(latestUsage), output_tokens: outputTokens }
			: {
					input_tokens: options.estimateInputTokens(),
					cache_creation_input_tokens: 0,
					cache_read_input_tokens: 0,
					output_tokens: outputTokens,
				};
	const start = () => {
		if (started) return;
		started = true;
		const message = {
			id: options.id,
			type: "message",
			role: "assistant",
			model: options.model,
			content: [],
			stop_reason: null,
			stop_sequence: null,
			// output_tokens is a placeholder here, as in Claude's own message_start; message_delta has the count.
			usage: usageNow(1),
		};
		write("message_start", { message });
	};
	const close = () => {
		if (!open) return;
		write("content_block_stop", { index: open.index });
		open = null;
	};
	const begin = (block: OutputBlock, next: OpenBlock["kind"], call = -1): number => {
		close();
		const index = nextIndex++;
		write("content_block_start", { index, content_block: block });
		open = next === "tool" ? { kind: next, index, call } : { kind: next, index };
		return index;
	};
	const delta = (index: number, value: Record<string, unknown>) =>
		write("content_block_delta", { index, delta: value });
	const fail = (error: GatewayError) => {
		const { body } = anthropicError(error);
		write("error", { error: body.error });
		ended = true;
	};

	const thinking = (text: string) => {
		const index =
			open?.kind === "thinking"
				? open.index
				: begin({ type: "thinking", thinking: "", signature: "" }, "thinking");
		delta(index, { type: "thinking_delta", thinking: text });
	};
	const text = (value: string) => {
		const index = open?.kind === "text" ? open.index : begin({ type: "text", text: "" }, "text");
		delta(index, { type: "text_delta", text: value });
	};
	const toolCall = (fragment: ToolCallDelta) => {
		let index: number;
		if (open?.kind === "tool" && open.call === fragment.index) index = open.index;
		else if (calls.has(fragment.index)) {
			// More of a call whose block is already closed: our adapters stream calls one after another,
			// so only a misbehaving upstream interleaves them. Reopening the block would break the
			// protocol and dropping the piece would hand the client broken input: the stream fails.
			// Thrown, so the engine records the failure and stops reading the upstream; it then asks
			// for the error event, which goes out after what this call had written.
			throw interleavedToolCalls();
		} else {
			calls.add(fragment.index);
			const block: OutputBlock = {
				type: "tool_use",
				// Every adapter gives its calls ids; one is minted only so a call without one can be answered.
				id: fragment.id ?? `toolu_${options.id}_${fragment.index}`,
				name: fragment.function?.name ?? "",
				input: {},
			};
			index = begin(block, "tool", fragment.index);
		}
		const args = fragment.function?.arguments;
		if (args) delta(index, { type: "input_json_delta", partial_json: args });
	};
	/** An image arrives whole: its block starts and stops at once. */
	const image = (url: string) => {
		close();
		const index = nextIndex++;
		write("content_block_start", { index, content_block: { type: "image", source: { type: "url", url } } });
		write("content_block_stop", { index });
	};

	const onChunk = (chunk: Chunk) => {
		if (chunk.usage) latestUsage = chunk.usage;
		// A Messages request never asks for more than one choice.
		const choice = chunk.choices.find((candidate) => (candidate.index ?? 0) === 0);
		if (!choice) return;
		const d = choice.delta ?? {};
		if (!hasOutput(choice) && !choice.finish_reason) return;
		start();
		if (d.reasoning_content) thinking(d.reasoning_content);
		if (d.content) text(d.content);
		// Claude's refusals are text with stop_reason "refusal"; a canonical refusal reads the same.
		if (d.refusal) text(d.refusal);
		for (const fragment of d.tool_calls ?? []) {
			toolCall(fragment);
			if (ended) return;
		}
		for (const ref of d.images ?? []) image(ref.image_url.url);
		if (choice.finish_reason && !finish) {
			close();
			finish = {
				reason: choice.finish_reason,
				matched: matchedStop(choice),
				usage: chunk.usage ?? undefined,
			};
		}
	};
	const onDone = () => {
		start();
		close();
		const stop = mapStopReason(finish?.reason, finish?.matched, options.stopSequences);
		const final = finish?.usage ?? latestUsage;
		const usage = final ? mapUsage(final) : usageNow(0);
		write("message_delta", { delta: stop, usage });
		write("message_stop", {});
		ended = true;
	};

	return (events) => {
		out = carried;
		carried = "";
		try {
			for (const event of events) {
				if (ended) break;
				switch (event.type) {
					case "native":
						passThrough = true;
						out += nativeFrame(event.event, event.data);
						break;
					case "usage":
						latestUsage = event.usage;
						break;
					case "chunk":
						onChunk(event.chunk);
						break;
					case "error":
						fail(event.error);
						break;
					case "done":
						// A pass-through's own message_stop already ended the client's stream.
						if (passThrough) ended = true;
						else onDone();
						break;
				}
			}
		} catch (error) {
			carried = out;
			throw error;
		}
		return out;
	};
}

function hasOutput(choice: ChunkChoice): boolean {
	const d = choice.delta;
	if (!d) return false;
	return Boolean(
		d.reasoning_content ||
			d.content ||
			d.refusal ||
			(d.tool_calls?.length ?? 0) > 0 ||
			(d.images?.length ?? 0) > 0,
	);
}
