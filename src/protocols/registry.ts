import type { ProtocolName } from "../config";
import type { NativeApi, PassThroughAdapter, ProtocolAdapter } from "./adapter";
import { adapter as anthropic } from "./anthropic";
import { passThrough as anthropicPassThrough } from "./anthropic/pass-through";
import { adapter as gemini } from "./gemini";
import { geminiEmbeddings } from "./gemini/embeddings";
import { adapter as openai } from "./openai";
import { embeddingsPassThrough } from "./openai/embeddings-pass-through";
import { responsesPassThrough } from "./openai/responses-pass-through";

/** Capabilities live on adapters, picked by the provider's protocol: shared code never branches on a provider. */
export const adapters: Record<ProtocolName, ProtocolAdapter> = { openai, anthropic, gemini };

/**
 * Per protocol, the public APIs its upstreams serve without the canonical chat form: Anthropic's
 * Messages API and OpenAI's Responses and embeddings APIs pass through untranslated; Gemini serves
 * OpenAI's embeddings through batchEmbedContents. OpenAI's chat is the canonical form, so chat to an
 * OpenAI upstream needs no second path. An API a protocol lacks here is translated through the
 * canonical chat request (Messages or Responses to another provider) or refused (embeddings).
 */
export const passThroughs: Partial<Record<ProtocolName, Partial<Record<NativeApi, PassThroughAdapter>>>> = {
	anthropic: { messages: anthropicPassThrough },
	openai: { responses: responsesPassThrough, embeddings: embeddingsPassThrough },
	gemini: { embeddings: geminiEmbeddings },
};
