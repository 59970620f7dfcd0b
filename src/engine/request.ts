import type { NativeRequest } from "../protocols/adapter";
import type { ChatRequest } from "../schemas/chat-request";

/**
 * A client's request as the engine sees it, whatever public API it came through. The canonical form
 * (OpenAI's chat request) is built only for a model whose upstream needs a translation: a request
 * an upstream can take as the client sent it (`native`) is never translated, so a pass-through loses
 * nothing, and input only a translation cannot carry is refused only where a translation is needed.
 */
export interface EngineRequest {
	/** The model id the client named. */
	model: string;
	/**
	 * Catalog ids to try, in order, for a model id (the request's or a fallback's) the catalog does
	 * not have: Claude Code's bare Claude names, for example.
	 */
	aliases?: (model: string) => string[];
	stream: boolean;
	/** What the request asks a model for; chat when unset. */
	wants?: "chat" | "embeddings";
	/** Models to fall over to that the client named; undefined leaves it to the catalog's fallbacks. */
	fallbacks: string[] | undefined;
	/**
	 * Whether a canonical stream carries usage to the ingress's encoder: on the finish chunk, and as
	 * `usage` events whenever it changes.
	 */
	includeUsage: boolean;
	/** The canonical request, without gateway-only fields. Throws the 400 of input no translation can carry. */
	canonical(): ChatRequest;
	/** The client's own body, for an upstream that speaks the client's protocol. */
	native?: NativeRequest;
}

/** Memoizes a conversion, its failure included, so every model tried sees the same outcome. */
export function once<T>(build: () => T): () => T {
	let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
	return () => {
		if (!outcome) {
			try {
				outcome = { ok: true, value: build() };
			} catch (error) {
				outcome = { ok: false, error };
			}
		}
		if (!outcome.ok) throw outcome.error;
		return outcome.value;
	};
}
