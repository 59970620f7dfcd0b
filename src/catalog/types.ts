import type { ProtocolName } from "../config";
import type { Capabilities } from "../protocols/adapter";

/**
 * The catalog's shapes, apart from the code that reads and writes them, so that the demo model and
 * the engine can name them without importing the modules that import them back.
 */

/** What a model answers: chat (also through Messages and Responses), chat that draws images, or embeddings. */
export const modelKinds = ["chat", "image", "embeddings"] as const;
export type ModelKind = (typeof modelKinds)[number];

export interface CatalogModel {
	id: string;
	provider: string;
	upstreamModel: string;
	enabled: boolean;
	inputPrice: number;
	outputPrice: number;
	cachedInputPrice: number | null;
	/** USD per million tokens written to the provider's prompt cache; null means the input price. */
	cacheWritePrice: number | null;
	/** 1-hour cache writes (Claude bills them above 5-minute ones); null: cacheWritePrice. */
	cacheWrite1hPrice: number | null;
	maxOutputTokens: number;
	capabilities: Capabilities;
	kind: ModelKind;
	/** Models tried next when this one fails and the request names no `models` of its own. */
	fallbacks: string[];
	createdAt: number;
}

/** Providers are data: a name, a wire protocol, a base URL and a key (providers.ts lists them). */
export interface Provider {
	name: string;
	protocol: ProtocolName;
	baseUrl: string;
	apiKey: string | undefined;
	/** Replaces global fetch for in-process upstreams (the demo model). */
	fetch?: typeof fetch;
}
