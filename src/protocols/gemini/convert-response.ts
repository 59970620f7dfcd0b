import { GatewayError } from "../../errors";
import type {
	Completion,
	CompletionMessage,
	FinishReason,
	ImageRef,
	ToolCallOut,
} from "../../schemas/chat-response";
import type { ResponseContext } from "../adapter";
import { mapFinishReason } from "./map-finish-reason";
import { mapUsage } from "./map-usage";
import { imageMarkdown, isImageMimeType } from "./render-image";
import { imageMetadata, mintToolCallId } from "./thought-signature";
import { type Candidate, generateContentResponseSchema } from "./wire";

/**
 * A 2xx generateContent body → an OpenAI completion; one choice per candidate. Thought parts are
 * reasoning, not answer: their text goes to `reasoning_content`, and interim "thought" images are
 * dropped. Each generated image is stored (ctx.storeImage) and referenced, never inlined.
 *
 * A prompt blocked before generation (promptFeedback.blockReason, no candidates) is a completion
 * with empty content, a `refusal` naming the reason, and finish_reason `content_filter`: the
 * request itself was well formed, and OpenAI reports its own moderation stops the same way.
 */
export async function convertResponse(body: unknown, ctx: ResponseContext): Promise<Completion> {
	const parsed = generateContentResponseSchema.safeParse(body);
	if (!parsed.success) {
		throw new GatewayError(502, "The provider returned a response the gateway could not read.", {
			code: "upstream_bad_response",
		});
	}
	const response = parsed.data;
	const candidates = [...(response.candidates ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
	const choices: Completion["choices"] = [];
	if (candidates.length === 0) {
		const blockReason = response.promptFeedback?.blockReason;
		const message: CompletionMessage = { role: "assistant", content: "" };
		if (blockReason) message.refusal = blockedPromptRefusal(blockReason);
		choices.push({ index: 0, message, finish_reason: blockReason ? "content_filter" : "stop" });
	}
	for (const [position, candidate] of candidates.entries()) {
		choices.push(await convertCandidate(candidate, candidate.index ?? position, ctx));
	}
	const completion: Completion = { id: "", object: "chat.completion", created: 0, model: "", choices };
	if (response.usageMetadata) completion.usage = mapUsage(response.usageMetadata);
	return completion;
}

export function blockedPromptRefusal(reason: string): string {
	return `The provider blocked the prompt (${reason}).`;
}

async function convertCandidate(
	candidate: Candidate,
	index: number,
	ctx: ResponseContext,
): Promise<Completion["choices"][number]> {
	let content = "";
	let reasoning = "";
	const toolCalls: ToolCallOut[] = [];
	const images: ImageRef[] = [];
	for (const part of candidate.content?.parts ?? []) {
		if (part.thought) {
			if (part.text) reasoning += part.text;
		} else if (part.functionCall) {
			toolCalls.push({
				id: mintToolCallId(part.thoughtSignature),
				type: "function",
				function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
			});
		} else if (part.inlineData) {
			if (!isImageMimeType(part.inlineData.mimeType)) continue;
			const ref = await ctx.storeImage(
				part.inlineData.data,
				part.inlineData.mimeType,
				imageMetadata(part.thoughtSignature),
			);
			images.push(ref);
			content += imageMarkdown(ref.image_url.url, content);
		} else if (part.text) {
			content += part.text;
		}
	}
	const message: CompletionMessage = {
		role: "assistant",
		content: content !== "" ? content : toolCalls.length > 0 ? null : "",
	};
	if (reasoning) message.reasoning_content = reasoning;
	if (toolCalls.length > 0) message.tool_calls = toolCalls;
	if (images.length > 0) message.images = images;
	// A unary answer is complete by definition; a missing reason there means an ordinary stop.
	const finish: FinishReason =
		mapFinishReason(candidate.finishReason, toolCalls.length > 0) ??
		(toolCalls.length > 0 ? "tool_calls" : "stop");
	return { index, message, finish_reason: finish };
}
