import type { ChunkDelta } from "../../schemas/chat-response";
import { blankChunk, chunkItem, type ResponseContext, type SseEvent, type StreamItem } from "../adapter";
import { upstreamGarbage } from "../upstream-errors";
import { THINKING_SEPARATOR } from "./convert-response";
import { mapStreamError } from "./map-error";
import { mapFinishReason } from "./map-finish-reason";
import { mergeTokens, noTokens, type Tokens, toOpenAIUsage } from "./map-usage";
import { ThinkingRecorder } from "./turn-state";
import { type WireBlock, type WireDelta, type WireEvent, wireEvent } from "./wire";

/**
 * Anthropic stream events → OpenAI chunks, one event at a time
 * (event order: https://docs.anthropic.com/en/docs/build-with-claude/streaming#event-types):
 * - message_start → the role chunk, then a usage-only chunk with the input tokens, so a stream that
 *   fails later is still billed for what is known (the core keeps the last usage and never shows
 *   usage-only chunks to the client);
 * - a tool_use block → a tool-call header `{index, id, type, function:{name, arguments:""}}` whose
 *   index counts tool calls only, whatever the block index; its input_json_delta pieces → argument
 *   fragments; a call whose input never had a non-empty piece gets "{}" when its block stops;
 * - text_delta → content, thinking_delta → reasoning_content;
 * - message_delta → the finish chunk, carrying usage always (the core decides what the client sees);
 * - an error event → one error item, after which the stage emits nothing;
 * - ping, message_stop, signatures, citations, redacted thinking and server-tool blocks → nothing.
 * In JSON mode (see json-mode.ts) the forced tool's input pieces are content and text is dropped.
 * Signed thinking before tool calls is kept for the next turn (turn-state.ts) before the finish chunk
 * goes out, so a client that answers the tool calls at once finds it.
 */

type Block =
	| { kind: "text" }
	| { kind: "thinking"; started: boolean; kept: ReturnType<ThinkingRecorder["thinking"]> }
	| { kind: "tool"; index: number; sawInput: boolean }
	| { kind: "json"; sawInput: boolean }
	| { kind: "ignored" };

export function createStreamStage(
	jsonMode: boolean,
	ctx?: ResponseContext,
): Transformer<SseEvent, StreamItem> {
	const blocks = new Map<number, Block>();
	const recorder = new ThinkingRecorder();
	let tokens: Tokens = noTokens();
	let toolCalls = 0;
	let reasoningSent = false;
	let jsonStarted = false;
	let finished = false;
	let over = false;

	const delta = (value: ChunkDelta) =>
		chunkItem(blankChunk([{ index: 0, delta: value, finish_reason: null }]));

	/** Thinking text; blocks after the first are set apart as convertResponse does, empty ones leave no trace. */
	const reason = (block: Extract<Block, { kind: "thinking" }>, text: string): StreamItem[] => {
		if (text === "") return [];
		const separator = !block.started && reasoningSent ? THINKING_SEPARATOR : "";
		block.started = true;
		reasoningSent = true;
		return [delta({ reasoning_content: separator + text })];
	};

	const openBlock = (start: WireBlock): { block: Block; out: StreamItem[] } => {
		switch (start.type) {
			case "text":
				if (jsonMode) return { block: { kind: "ignored" }, out: [] };
				return { block: { kind: "text" }, out: start.text ? [delta({ content: start.text })] : [] };
			case "tool_use": {
				const opening = Object.keys(start.input).length > 0 ? JSON.stringify(start.input) : "";
				if (jsonMode) {
					// We disable parallel tool use; should a second call come anyway, it must not corrupt the JSON.
					if (jsonStarted) return { block: { kind: "ignored" }, out: [] };
					jsonStarted = true;
					return {
						block: { kind: "json", sawInput: opening !== "" },
						out: opening ? [delta({ content: opening })] : [],
					};
				}
				const index = toolCalls++;
				recorder.toolCall(start.id);
				const header = delta({
					tool_calls: [
						{ index, id: start.id, type: "function", function: { name: start.name, arguments: opening } },
					],
				});
				return { block: { kind: "tool", index, sawInput: opening !== "" }, out: [header] };
			}
			case "thinking": {
				const block: Block = {
					kind: "thinking",
					started: false,
					kept: recorder.thinking(start.thinking, start.signature),
				};
				return { block, out: reason(block, start.thinking) };
			}
			case "redacted_thinking":
				recorder.redacted(start.data);
				return { block: { kind: "ignored" }, out: [] };
			case "unknown":
				return { block: { kind: "ignored" }, out: [] };
		}
	};

	const continueBlock = (block: Block | undefined, change: WireDelta): StreamItem[] => {
		switch (change.type) {
			case "text_delta":
				return block?.kind === "text" && change.text ? [delta({ content: change.text })] : [];
			case "input_json_delta":
				if (!change.partial_json) return [];
				if (block?.kind === "tool") {
					block.sawInput = true;
					return [
						delta({ tool_calls: [{ index: block.index, function: { arguments: change.partial_json } }] }),
					];
				}
				if (block?.kind === "json") {
					block.sawInput = true;
					return [delta({ content: change.partial_json })];
				}
				return [];
			case "thinking_delta":
				if (block?.kind !== "thinking") return [];
				block.kept.thinking += change.thinking;
				return reason(block, change.thinking);
			case "signature_delta":
				if (block?.kind === "thinking" && change.signature) block.kept.signature += change.signature;
				return [];
			case "citations_delta":
			case "unknown":
				return [];
		}
	};

	const closeBlock = (block: Block | undefined): StreamItem[] => {
		// A tool without arguments streams only `partial_json: ""`; OpenAI clients expect an object.
		if (block?.kind === "tool" && !block.sawInput) {
			return [delta({ tool_calls: [{ index: block.index, function: { arguments: "{}" } }] })];
		}
		if (block?.kind === "json" && !block.sawInput) return [delta({ content: "{}" })];
		return [];
	};

	const translate = (event: WireEvent): StreamItem[] => {
		switch (event.type) {
			case "message_start":
				tokens = mergeTokens(tokens, event.message.usage);
				return [delta({ role: "assistant", content: "" }), chunkItem(blankChunk([], toOpenAIUsage(tokens)))];
			case "content_block_start": {
				const { block, out } = openBlock(event.content_block);
				blocks.set(event.index, block);
				return out;
			}
			case "content_block_delta":
				return continueBlock(blocks.get(event.index), event.delta);
			case "content_block_stop":
				return closeBlock(blocks.get(event.index));
			case "message_delta": {
				tokens = mergeTokens(tokens, event.usage);
				if (finished) return [chunkItem(blankChunk([], toOpenAIUsage(tokens)))];
				finished = true;
				const finishReason = mapFinishReason(event.delta.stop_reason, jsonMode);
				return [
					chunkItem(
						blankChunk([{ index: 0, delta: {}, finish_reason: finishReason }], toOpenAIUsage(tokens)),
					),
				];
			}
			case "error":
				over = true;
				return [{ type: "error", error: mapStreamError(event.error) }];
			case "message_stop":
			case "ping":
			case "unknown":
				return [];
		}
	};

	return {
		transform(sse, controller) {
			if (over) return;
			let json: unknown;
			try {
				json = JSON.parse(sse.data);
			} catch {
				json = undefined;
			}
			const parsed = wireEvent.safeParse(json);
			if (!parsed.success) {
				over = true;
				controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
				return;
			}
			const event = parsed.data;
			if (event.type === "message_delta" && !finished && ctx && recorder.holdsState) {
				return recorder.keep(ctx).then(() => {
					for (const item of translate(event)) controller.enqueue(item);
				});
			}
			for (const item of translate(event)) controller.enqueue(item);
		},
	};
}
