import type { ProtocolName } from "../config";
import type { NativeApi, PassThroughAdapter, ProtocolAdapter } from "./adapter";
import { adapter as anthropic } from "./anthropic";
import { passThrough as anthropicPassThrough } from "./anthropic/pass-through";
import { adapter as gemini } from "./gemini";
import { adapter as openai } from "./openai";
import { embeddingsPassThrough } from "./openai/embeddings-pass-through";
import { responsesPassThrough } from "./openai/responses-pass-through";

/** Capabilities live on adapters, picked by the provider's protocol: shared code never branches on a provider. */
export const adapters: Record<ProtocolName, ProtocolAdapter> = { openai, anthropic, gemini };

/**
 * Per protocol, the public APIs its upstreams also speak, whose requests then pass through
 * untranslated: Anthropic's Messages API (the /v1/messages ingress), OpenAI's Responses API (for the
 * coming /v1/responses ingress). OpenAI's chat is the canonical form, so chat to an OpenAI upstream
 * needs no second path.
 */
export const passThroughs: Partial<Record<ProtocolName, Partial<Record<NativeApi, PassThroughAdapter>>>> = {
	anthropic: { messages: anthropicPassThrough },
	openai: { responses: responsesPassThrough, embeddings: embeddingsPassThrough },
};
