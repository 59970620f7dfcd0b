import type { ProtocolName } from "../config";
import type { GatewayError } from "../errors";
import type { ChatRequest } from "../schemas/chat-request";
import type { Chunk, Completion, ImageRef, Usage } from "../schemas/chat-response";

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

/**
 * What a stream stage emits: OpenAI chunks, an in-band upstream error that ends the stream, or (a
 * pass-through stage) an upstream event to send on as it is, with what the engine must know of it.
 */
export type StreamItem =
	| { type: "chunk"; chunk: Chunk }
	| { type: "error"; error: GatewayError }
	| NativeItem;

/** One upstream event of a pass-through stream: its SSE name and data (ids already rewritten). */
export interface NativeItem {
	type: "native";
	event: string | undefined;
	data: string;
	/** The usage known so far, in OpenAI's shape, when this event reported some. */
	usage?: Usage;
	/** Characters of output the event carries (text, reasoning, tool input), for estimates and first-token time. */
	outputChars: number;
	/** The event that completes the answer (Anthropic's message_stop). */
	completes?: boolean;
	/**
	 * The event reports that the answer failed (OpenAI's response.failed): it still goes to the client
	 * as it is, in its own API's words, and the request is recorded as this failure; the stream ends.
	 */
	failure?: GatewayError;
}

/** The public APIs that are also an upstream's own: their requests can pass through untranslated. */
export type NativeApi = "messages" | "responses" | "embeddings";

/**
 * The client's own request, for an upstream that serves the client's API without the canonical chat
 * form: sent on with only the model changed, so nothing is lost to a translation (Messages → Claude).
 */
export interface NativeRequest {
	/** The public API the body is in. */
	api: NativeApi;
	/** The body as the client sent it (already validated by its ingress). */
	body: JsonObject;
	/** Protocol headers the client sent that the upstream should see (e.g. anthropic-beta). */
	headers: Record<string, string>;
}

/** What a pass-through answer is stamped with: the gateway's request id and the model id the client named. */
export interface ResponseIds {
	id: string;
	model: string;
	/**
	 * More top-level string fields of the answer to set: the Responses API's previous_response_id,
	 * which an upstream that was sent the conversation inlined does not know.
	 */
	fields?: Record<string, string>;
}

/**
 * An upstream serving a public API other than chat, without the canonical form: as it is (a
 * pass-through: bodies and events go on with only ids, model and usage touched), or re-shaped call by
 * call where the upstream has the same capability under another protocol (Gemini's
 * batchEmbedContents for OpenAI's embeddings). The protocol's ProtocolAdapter still maps its errors.
 */
export interface PassThroughAdapter {
	/**
	 * The upstream call, or several when the upstream takes the request in parts (Gemini embeds at
	 * most 100 texts a call): then each is sent, retried on its own, and the answer is their bodies in order.
	 */
	buildRequest(request: NativeRequest, target: UpstreamTarget): UpstreamRequest | UpstreamRequest[];
	/**
	 * A 2xx JSON body (an array of them, in order, for a request sent in parts) with the ids
	 * rewritten, and its usage in OpenAI's shape (null when it has none; `estimated` when the upstream
	 * reports none and the gateway counted).
	 */
	parseResponse(
		body: unknown,
		ids: ResponseIds,
		request: NativeRequest,
	): { body: JsonObject; usage: Usage | null; estimated?: boolean };
	createStreamStage(ids: ResponseIds): Transformer<SseEvent, StreamItem>;
	/**
	 * For a request sent in parts that failed: the usage of the parts that were answered (the
	 * upstream bills them though the client gets an error), from the bodies in call order, undefined
	 * for the calls that were not answered; estimated.
	 */
	partialUsage?(bodies: unknown[], request: NativeRequest): Usage | null;
	/** The upstream's own token count for a request, when it has such an endpoint: the request, and its answer read. */
	countTokens?: {
		request(request: NativeRequest, target: UpstreamTarget): UpstreamRequest;
		/** The input tokens of a 2xx answer; throws GatewayError(502) for one it cannot read. */
		parse(body: unknown): number;
	};
}

export const chunkItem = (chunk: Chunk): StreamItem => ({ type: "chunk", chunk });

/** A chunk with placeholders for what the rewrite stage fills in (id, model, created). */
export function blankChunk(choices: Chunk["choices"], usage?: Chunk["usage"]): Chunk {
	const chunk: Chunk = { id: "", object: "chat.completion.chunk", created: 0, model: "", choices };
	if (usage) chunk.usage = usage;
	return chunk;
}
