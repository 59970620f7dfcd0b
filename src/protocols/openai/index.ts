import type { ProtocolAdapter } from "../adapter";
import { convertRequest } from "./convert-request";
import { convertResponse } from "./convert-response";
import { mapError } from "./map-error";
import { createStreamStage } from "./stream-stage";

/**
 * Pass-through for every OpenAI-protocol upstream (OpenAI, xAI, DeepSeek, Groq, OpenRouter, vLLM …).
 * Fields the gateway does not know are forwarded untouched; the gateway only swaps the model name and
 * always asks for stream usage so it can record it.
 */
export const adapter: ProtocolAdapter = {
	async buildRequest(request, target) {
		return convertRequest(request, target);
	},
	async parseResponse(body) {
		return convertResponse(body);
	},
	createStreamStage,
	mapError,
};
