import type { ProtocolAdapter } from "../adapter";
import { convertRequest } from "./convert-request";
import { convertResponse } from "./convert-response";
import { mapError } from "./map-error";
import { createStreamStage } from "./stream-stage";

/** Google's Gemini API (generativelanguage v1beta generateContent) behind the OpenAI protocol. */
export const adapter: ProtocolAdapter = {
	buildRequest: convertRequest,
	parseResponse: convertResponse,
	createStreamStage,
	mapError,
};
