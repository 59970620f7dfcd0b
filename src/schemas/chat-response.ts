/**
 * What the gateway returns: OpenAI's completion and chunk objects. These are produced by our own
 * code (adapters), so they are plain types, not runtime schemas.
 */

export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

export interface Usage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
	prompt_tokens_details?: { cached_tokens?: number; [k: string]: unknown };
	completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
	/** Gateway extension: what the request cost in USD at catalog prices. */
	cost?: number;
	[k: string]: unknown;
}

export interface ImageRef {
	type: "image_url";
	image_url: { url: string };
}

export interface ToolCallOut {
	id: string;
	type: "function";
	function: { name: string; arguments: string };
}

export interface CompletionMessage {
	role: "assistant";
	content: string | null;
	refusal?: string | null;
	tool_calls?: ToolCallOut[];
	reasoning_content?: string;
	images?: ImageRef[];
	[k: string]: unknown;
}

export interface Completion {
	id: string;
	object: "chat.completion";
	created: number;
	model: string;
	choices: Array<{
		index: number;
		message: CompletionMessage;
		logprobs?: unknown;
		finish_reason: FinishReason | null;
	}>;
	usage?: Usage;
	[k: string]: unknown;
}

export interface ToolCallDelta {
	index: number;
	id?: string;
	type?: "function";
	function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
	role?: "assistant";
	content?: string | null;
	refusal?: string | null;
	tool_calls?: ToolCallDelta[];
	reasoning_content?: string;
	images?: ImageRef[];
	[k: string]: unknown;
}

export interface ChunkChoice {
	index: number;
	delta: ChunkDelta;
	logprobs?: unknown;
	finish_reason: FinishReason | null;
}

export interface Chunk {
	id: string;
	object: "chat.completion.chunk";
	created: number;
	model: string;
	choices: ChunkChoice[];
	usage?: Usage | null;
	[k: string]: unknown;
}
