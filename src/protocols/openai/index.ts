import type { Chunk, Completion } from "../../schemas/chat-response";
import { chunkItem, type ProtocolAdapter } from "../adapter";
import { encodeBody } from "../encode-body";
import { isObject } from "../is-object";
import { upstreamGarbage } from "../upstream-errors";
import { mapOpenAIError } from "./map-error";
import { completionWire, errorWire } from "./wire";

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
			body: encodeBody(body),
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
				if (!isObject(json)) {
					controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
					return;
				}
				if ("error" in json) {
					const error = errorWire.safeParse(json);
					const upstream = error.success ? error.data.error : {};
					const message = upstream.message ?? "unknown error";
					controller.enqueue({
						type: "error",
						error: mapOpenAIError(500, JSON.stringify({ error: { ...upstream, message } }), new Headers()),
					});
					return;
				}
				if (!isChunkShape(json)) {
					controller.enqueue({ type: "error", error: upstreamGarbage("a stream event") });
					return;
				}
				const value = json as unknown as Chunk;
				value.choices ??= [];
				controller.enqueue(chunkItem(value));
			},
		};
	},

	mapError: mapOpenAIError,
};

/**
 * The shape the rewrite stage relies on: `choices` (if present) is a list of objects whose `delta`
 * (if present) is an object. Checked by hand rather than with a schema because it runs for every
 * chunk of every stream, where a schema parse was a measurable share of the gateway's CPU.
 */
function isChunkShape(json: Record<string, unknown>): boolean {
	const { choices } = json;
	if (choices === undefined || choices === null) return true;
	if (!Array.isArray(choices)) return false;
	for (const choice of choices) {
		if (!isObject(choice)) return false;
		if (choice.delta !== undefined && !isObject(choice.delta)) return false;
	}
	return true;
}
