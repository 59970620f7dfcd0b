import { GatewayError } from "../../errors";
import type { ChunkDelta, FinishReason, Usage } from "../../schemas/chat-response";
import { blankChunk, chunkItem, type ResponseContext, type SseEvent, type StreamItem } from "../adapter";
import { blockedPromptRefusal } from "./convert-response";
import { errorFromBody } from "./map-error";
import { mapFinishReason } from "./map-finish-reason";
import { mapUsage } from "./map-usage";
import { imageMarkdown, isImageMimeType } from "./render-image";
import { imageMetadata, mintToolCallId } from "./thought-signature";
import { type Candidate, errorBodySchema, generateContentResponseSchema } from "./wire";

interface ChoiceState {
	/** Tool calls so far: OpenAI's tool-call `index` counts calls, not parts. */
	toolCalls: number;
	/** Content sent so far, for placing image links on lines of their own (only the last character matters). */
	lastContent: string;
	finished: boolean;
}

/**
 * Gemini's SSE events → OpenAI chunks. Each event is a whole GenerateContentResponse carrying only
 * the new parts; a functionCall and an image always arrive whole in one event. Per choice: a role
 * chunk first, then one delta per part (reasoning, content, tool call, or an image as a
 * `delta.images` chunk followed by its markdown link), then a finish chunk when the candidate has a
 * finishReason.
 *
 * Usage: Gemini repeats cumulative usageMetadata on every event, and the values can even go down,
 * so only the latest is kept. It rides on the finish chunk; if a later event changes it (a trailing
 * usage-only event), a choiceless usage chunk follows at the end. Never summed. The first event's
 * usage also rides on each choice's role chunk, so the prompt's size is known from the start.
 *
 * Images are stored while the stream is held (the transform is async), so the image's URL goes out
 * as soon as it is stored and text that follows keeps its order. A failed store ends the stream
 * with an error item: the client must not get an answer silently missing its picture.
 */
export function createStreamStage(ctx: ResponseContext): Transformer<SseEvent, StreamItem> {
	const states = new Map<number, ChoiceState>();
	let latestUsage: Usage | undefined;
	let reportedUsage: Usage | undefined;
	let failed = false;

	const state = (index: number, controller: TransformStreamDefaultController<StreamItem>): ChoiceState => {
		let found = states.get(index);
		if (!found) {
			found = { toolCalls: 0, lastContent: "", finished: false };
			states.set(index, found);
			// The first event's usage rides on the role chunk: an ingress that shows the prompt's size
			// before the answer (Messages' message_start) gets Gemini's count instead of an estimate.
			controller.enqueue(
				chunkItem(
					blankChunk(
						[{ index, delta: { role: "assistant", content: "" }, finish_reason: null }],
						latestUsage,
					),
				),
			);
		}
		return found;
	};
	const delta = (
		controller: TransformStreamDefaultController<StreamItem>,
		index: number,
		value: ChunkDelta,
	) => {
		controller.enqueue(chunkItem(blankChunk([{ index, delta: value, finish_reason: null }])));
	};
	const finish = (
		controller: TransformStreamDefaultController<StreamItem>,
		index: number,
		reason: FinishReason,
	) => {
		controller.enqueue(chunkItem(blankChunk([{ index, delta: {}, finish_reason: reason }], latestUsage)));
		reportedUsage = latestUsage;
	};

	const handleCandidate = async (
		candidate: Candidate,
		index: number,
		controller: TransformStreamDefaultController<StreamItem>,
	) => {
		const choice = state(index, controller);
		for (const part of candidate.content?.parts ?? []) {
			if (part.thought) {
				if (part.text) delta(controller, index, { reasoning_content: part.text });
			} else if (part.functionCall) {
				const call = {
					index: choice.toolCalls++,
					id: mintToolCallId(part.thoughtSignature),
					type: "function" as const,
					function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
				};
				delta(controller, index, { tool_calls: [call] });
			} else if (part.inlineData) {
				if (!isImageMimeType(part.inlineData.mimeType)) continue;
				const ref = await ctx.storeImage(
					part.inlineData.data,
					part.inlineData.mimeType,
					imageMetadata(part.thoughtSignature),
				);
				delta(controller, index, { images: [ref] });
				const link = imageMarkdown(ref.image_url.url, choice.lastContent);
				delta(controller, index, { content: link });
				choice.lastContent = link;
			} else if (part.text) {
				delta(controller, index, { content: part.text });
				choice.lastContent = part.text;
			}
		}
		const reason = mapFinishReason(candidate.finishReason, choice.toolCalls > 0);
		if (reason && !choice.finished) {
			choice.finished = true;
			finish(controller, index, reason);
		}
	};

	const handleEvent = async (event: SseEvent, controller: TransformStreamDefaultController<StreamItem>) => {
		if (event.data.trim() === "" || event.data === "[DONE]") return;
		let json: unknown;
		try {
			json = JSON.parse(event.data);
		} catch {
			throw new GatewayError(502, "The provider sent a malformed stream event.", {
				code: "upstream_bad_response",
			});
		}
		const inBandError = errorBodySchema.safeParse(json);
		if (inBandError.success) throw errorFromBody(inBandError.data.error.code ?? 500, inBandError.data);
		const parsed = generateContentResponseSchema.safeParse(json);
		if (!parsed.success) {
			throw new GatewayError(502, "The provider sent a stream event the gateway could not read.", {
				code: "upstream_bad_response",
			});
		}
		const response = parsed.data;
		if (response.usageMetadata) latestUsage = mapUsage(response.usageMetadata);
		const candidates = response.candidates ?? [];
		const blockReason = response.promptFeedback?.blockReason;
		if (candidates.length === 0 && blockReason) {
			const choice = state(0, controller);
			if (!choice.finished) {
				choice.finished = true;
				delta(controller, 0, { refusal: blockedPromptRefusal(blockReason) });
				finish(controller, 0, "content_filter");
			}
			return;
		}
		for (const [position, candidate] of candidates.entries()) {
			await handleCandidate(candidate, candidate.index ?? position, controller);
		}
	};

	return {
		async transform(event, controller) {
			if (failed) return;
			try {
				await handleEvent(event, controller);
			} catch (error) {
				failed = true;
				controller.enqueue({ type: "error", error: asGatewayError(error) });
			}
		},
		flush(controller) {
			if (failed || latestUsage === undefined || latestUsage === reportedUsage) return;
			controller.enqueue(chunkItem(blankChunk([], latestUsage)));
		},
	};
}

function asGatewayError(error: unknown): GatewayError {
	if (error instanceof GatewayError) return error;
	return new GatewayError(502, "The gateway failed while translating the provider's stream.", {
		code: "stream_translation_failed",
	});
}
