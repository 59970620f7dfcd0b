import type { Chunk, Completion } from "../../schemas/chat-response";
import { chunkItem, type ProtocolAdapter, type SseEvent, type StreamItem } from "../adapter";
import { upstreamGarbage } from "../upstream-errors";
import { mapOpenAIError } from "./map-error";
import { chunkWire, completionWire, errorWire } from "./wire";

/**
 * Pass-through for every OpenAI-protocol upstream (OpenAI, xAI, DeepSeek, Groq, OpenRouter, vLLM …).
 * Fields the gateway does not know are forwarded untouched; the gateway only swaps the model name and
 * always asks for stream usage so it can record it.
 */
export const openaiAdapter: ProtocolAdapter = {
	async buildRequest(request, target) {
		const body: Record<string, unknown> = { ...request, model: target.upstreamModel };
		if (request.stream) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
		return {
			url: `${target.baseUrl}/chat/completions`,
			headers: { authorization: `Bearer ${target.apiKey}`, "content-type": "application/json" },
			body: JSON.stringify(body),
		};
	},

	async parseResponse(body) {
		const parsed = completionWire.safeParse(body);
		if (!parsed.success) throw upstreamGarbage("a completion");
		return parsed.data as unknown as Completion;
	},

	createStreamStage() {
		return {
			transform(event, controller) {
				if (event.data === "[DONE]") return;
				let json: unknown;
				try {
					json = JSON.parse(event.data);
				} catch {
					controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
					return;
				}
				const error = errorWire.safeParse(json);
				if (error.success) {
					const message = error.data.error.message ?? "unknown error";
					controller.enqueue({
						type: "error",
						error: mapOpenAIError(
							500,
							JSON.stringify({ error: { ...error.data.error, message } }),
							new Headers(),
						),
					});
					return;
				}
				const chunk = chunkWire.safeParse(json);
				if (!chunk.success) {
					controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
					return;
				}
				const value = chunk.data as unknown as Chunk;
				value.choices ??= [];
				controller.enqueue(chunkItem(value));
			},
		};
	},

	mapError: mapOpenAIError,
};
