import type { ProtocolName } from "../catalog/providers";
import type { ProtocolAdapter } from "./adapter";
import { anthropicAdapter } from "./anthropic";
import { geminiAdapter } from "./gemini";
import { openaiAdapter } from "./openai";

/** Capabilities live on adapters, picked by the provider's protocol: shared code never branches on a provider. */
export const adapters: Record<ProtocolName, ProtocolAdapter> = {
	openai: openaiAdapter,
	anthropic: anthropicAdapter,
	gemini: geminiAdapter,
};
