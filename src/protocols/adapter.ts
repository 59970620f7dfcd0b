import type { ProtocolName } from "../config";
import type { GatewayError } from "../errors";
import type { ChatRequest } from "../schemas/chat-request";
import type { Chunk, Completion, ImageRef } from "../schemas/chat-response";

/**
 * The contract every protocol adapter fulfils. An adapter is pure translation: it knows nothing of
 * Hono, KV or D1. The engine (src/engine/) owns fetch, timeouts, usage and streaming plumbing;
 * anything with side effects reaches an adapter as a function in its context.
 */
export interface ProtocolAdapter {
	/** Builds the upstream HTTP request. Throws GatewayError(400) for what the upstream cannot honour. */
	buildRequest(request: ChatRequest, target: UpstreamTarget, ctx: BuildContext): Promise<UpstreamRequest>;
	/** Turns a 2xx upstream JSON body into an OpenAI completion (id and model are rewritten later). */
	parseResponse(body: unknown, ctx: ResponseContext): Promise<Completion>;
	/**
	 * A stage turning decoded upstream SSE events into OpenAI chunk objects, event by event: a standard
	 * Transformer (wrap it in `new TransformStream` to use it alone); the pipeline fuses it with the
	 * other stages into one stream.
	 */
	createStreamStage(ctx: ResponseContext): Transformer<SseEvent, StreamItem>;
	/** Maps a non-2xx upstream answer to the error the client sees. Never echo provider keys. */
	mapError(status: number, bodyText: string, headers: Headers): GatewayError;
}

/** Where a request goes: resolved from the catalog and the provider configuration. */
export interface UpstreamTarget {
	baseUrl: string;
	apiKey: string;
	upstreamModel: string;
	/** Output token cap to send when the client gave none (Anthropic requires one). */
	defaultMaxTokens: number;
	capabilities: Capabilities;
}

export interface Capabilities {
	vision: boolean;
	tools: boolean;
	json: boolean;
	image_output: boolean;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What a provider needs back on a later turn that OpenAI clients cannot carry (a signature on a
 * generated image, the signed thinking before a tool call), each provider's under its protocol's name
 * so none reads another's and a new one adds a key, not a column. Stored as JSON; an adapter
 * validates its own entry when it reads it back, since rows outlive code versions.
 */
export type ProviderMetadata = { [protocol in ProtocolName]?: JsonObject };

export interface BuildContext {
	/** For adapters that must fetch inputs themselves (Gemini inlines https images). */
	fetch: typeof fetch;
	/** An image this gateway stored (src/images/load.ts), by its id; null when it is gone. */
	loadImage?(id: string): Promise<StoredImage | null>;
	/**
	 * The metadata kept for earlier assistant turns (ResponseContext.keepTurnState), by the id of any of
	 * their tool calls; ids with nothing kept (or kept for another key) are absent.
	 */
	loadTurnState?(toolCallIds: string[]): Promise<Map<string, ProviderMetadata>>;
}

/** A generated image as stored: its bytes, and what its model attached to it. */
export interface StoredImage {
	mimeType: string;
	bytes: Uint8Array;
	metadata: ProviderMetadata;
}

export interface ResponseContext {
	/** The validated client request (an adapter may answer differently per request, e.g. JSON mode). */
	request: ChatRequest;
	/** Stores a generated image (base64) with its metadata and returns the reference to put in the message. */
	storeImage(base64: string, mimeType: string, metadata?: ProviderMetadata): Promise<ImageRef>;
	/**
	 * Keeps an assistant turn's metadata under its tool call ids, for the request that sends the tool
	 * results back. Best effort: a turn whose state is lost continues without it.
	 */
	keepTurnState?(toolCallIds: string[], metadata: ProviderMetadata): Promise<void>;
}

export interface UpstreamRequest {
	url: string;
	headers: Record<string, string>;
	body: string;
}

/** One decoded Server-Sent Event. */
export interface SseEvent {
	event?: string;
	data: string;
}

/** What a stream stage emits: OpenAI chunks, or an in-band upstream error that ends the stream. */
export type StreamItem = { type: "chunk"; chunk: Chunk } | { type: "error"; error: GatewayError };

export const chunkItem = (chunk: Chunk): StreamItem => ({ type: "chunk", chunk });

/** A chunk with placeholders for what the rewrite stage fills in (id, model, created). */
export function blankChunk(choices: Chunk["choices"], usage?: Chunk["usage"]): Chunk {
	const chunk: Chunk = { id: "", object: "chat.completion.chunk", created: 0, model: "", choices };
	if (usage) chunk.usage = usage;
	return chunk;
}
