import * as z from "zod/mini";
import type { ChatMessage } from "../../schemas/chat-request";
import type { BuildContext, ProviderMetadata, ResponseContext } from "../adapter";
import type { ThinkingBlock } from "./wire-request";

/**
 * Claude's thinking, carried across a tool loop. With extended thinking on, Anthropic requires the
 * assistant turn that made the tool calls to come back starting with its thinking blocks, unchanged
 * and with their signatures, when the tool results are sent
 * (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#preserving-thinking-blocks).
 * OpenAI clients only echo `reasoning_content` text, if anything, so the adapter keeps the signed
 * blocks as the turn's provider metadata (ResponseContext.keepTurnState) and puts them back when a
 * later request holds that turn's tool call ids. Without them (another model answered that turn,
 * the state expired) thinking stays off for the request, as Anthropic would otherwise refuse it.
 */

const keptBlock = z.discriminatedUnion("type", [
	z.object({
		type: z.literal("thinking"),
		thinking: z.string(),
		signature: z.string().check(z.minLength(1)),
	}),
	z.object({ type: z.literal("redacted_thinking"), data: z.string().check(z.minLength(1)) }),
]);
type SignedThinking = Extract<ThinkingBlock, { type: "thinking" }>;

const keptThinking = z.object({ thinking: z.array(keptBlock).check(z.minLength(1)) });

/** Collects a response's thinking blocks in order, as whole blocks or as streamed pieces. */
export class ThinkingRecorder {
	readonly #blocks: ThinkingBlock[] = [];
	readonly #toolCallIds: string[] = [];

	/** A thinking block; the stream stage appends its deltas and signature to what this returns. */
	thinking(thinking: string, signature = ""): SignedThinking {
		const block: SignedThinking = { type: "thinking", thinking, signature };
		this.#blocks.push(block);
		return block;
	}

	redacted(data: string | undefined): void {
		if (data) this.#blocks.push({ type: "redacted_thinking", data });
	}

	toolCall(id: string): void {
		this.#toolCallIds.push(id);
	}

	/** Whether keep() has anything to keep. */
	get holdsState(): boolean {
		return this.#toolCallIds.length > 0 && this.#blocks.length > 0;
	}

	/** Keeps the turn's signed thinking under its tool calls; nothing when either is missing. */
	async keep(ctx: ResponseContext): Promise<void> {
		const signed = this.#blocks.filter(
			(block) => block.type === "redacted_thinking" || block.signature !== "",
		);
		if (!ctx.keepTurnState || signed.length === 0 || this.#toolCallIds.length === 0) return;
		try {
			await ctx.keepTurnState(this.#toolCallIds, { anthropic: { thinking: signed } });
		} catch (error) {
			// The answer stands; only the next turn's thinking is lost (it then runs without).
			console.error(JSON.stringify({ message: "thinking not kept", error: String(error) }));
		}
	}
}

/** Each assistant turn's kept thinking, by the index of its message; empty when nothing was kept. */
export async function loadThinking(
	messages: ChatMessage[],
	ctx: BuildContext | undefined,
): Promise<Map<number, ThinkingBlock[]>> {
	const byMessage = new Map<number, ThinkingBlock[]>();
	const ids = messages.flatMap((message) =>
		message.role === "assistant" ? (message.tool_calls ?? []).map((call) => call.id) : [],
	);
	if (ids.length === 0 || !ctx?.loadTurnState) return byMessage;
	let kept: Map<string, ProviderMetadata>;
	try {
		kept = await ctx.loadTurnState(ids);
	} catch (error) {
		console.error(JSON.stringify({ message: "thinking not loaded", error: String(error) }));
		return byMessage;
	}
	messages.forEach((message, i) => {
		if (message.role !== "assistant") return;
		for (const call of message.tool_calls ?? []) {
			const parsed = keptThinking.safeParse(kept.get(call.id)?.anthropic);
			if (parsed.success) {
				byMessage.set(i, parsed.data.thinking);
				return;
			}
		}
	});
	return byMessage;
}
