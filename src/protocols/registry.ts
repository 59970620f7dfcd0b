import type { ProtocolName } from "../config";
import type { ProtocolAdapter } from "./adapter";
import { adapter as anthropic } from "./anthropic";
import { adapter as gemini } from "./gemini";
import { adapter as openai } from "./openai";

/** Capabilities live on adapters, picked by the provider's protocol: shared code never branches on a provider. */
export const adapters: Record<ProtocolName, ProtocolAdapter> = { openai, anthropic, gemini };
