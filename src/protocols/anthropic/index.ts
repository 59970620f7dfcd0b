import type { ProtocolAdapter } from "../adapter";
import { asksForThinking } from "./choose-thinking";
import { convertRequest } from "./convert-request";
import { convertResponse } from "./convert-response";
import { type AnthropicResponseContext, wantsJson } from "./json-mode";
import { mapError } from "./map-error";
import { createStreamStage } from "./stream-stage";
import { loadThinking, ThinkingRecorder } from "./turn-state";

/**
 * Claude behind the OpenAI Chat Completions API, through Anthropic's Messages API
 * (POST {ANTHROPIC_BASE_URL}/v1/messages). Decisions a client can observe:
 * - thinking is exposed as `reasoning_content` (message and delta field), never mixed into content;
 *   redacted thinking is dropped. reasoning_effort turns thinking on where Anthropic allows it
 *   (choose-thinking.ts), also through a tool loop, whose signed thinking the gateway keeps and sends
 *   back (turn-state.ts).
 * - response_format is emulated with a forced tool call on every Claude model (json-mode.ts).
 * - parameters Claude cannot honour are a 400 naming the parameter (reject-unsupported.ts).
 * - usage.prompt_tokens_details.cache_creation_tokens carries cache writes, for pricing.
 */
export const adapter: ProtocolAdapter = {
	async buildRequest(request, target, ctx) {
		const kept = asksForThinking(request) ? await loadThinking(request.messages, ctx) : undefined;
		return convertRequest(request, target, kept);
	},
	async parseResponse(body, ctx: AnthropicResponseContext) {
		const recorder = new ThinkingRecorder();
		const completion = convertResponse(body, wantsJson(ctx.request), recorder);
		await recorder.keep(ctx);
		return completion;
	},
	createStreamStage(ctx: AnthropicResponseContext) {
		return createStreamStage(wantsJson(ctx.request), ctx);
	},
	mapError: mapError,
};
