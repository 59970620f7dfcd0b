import type { ProtocolAdapter } from "../adapter";
import { buildGeminiRequest } from "./convert-request";
import { parseGeminiResponse } from "./convert-response";
import { mapGeminiError } from "./map-error";
import { createGeminiStreamStage } from "./stream-stage";

/** Google's Gemini API (generativelanguage v1beta generateContent) behind the OpenAI protocol. */
export const geminiAdapter: ProtocolAdapter = {
	buildRequest: buildGeminiRequest,
	parseResponse: parseGeminiResponse,
	createStreamStage: createGeminiStreamStage,
	mapError: mapGeminiError,
};
