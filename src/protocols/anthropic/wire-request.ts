/**
 * The Messages API request body the adapter builds. Plain types: we produce these, Anthropic
 * validates them (https://docs.anthropic.com/en/api/messages).
 */

export type CacheControl = Record<string, unknown>;

export interface TextBlock {
	type: "text";
	text: string;
	cache_control?: CacheControl;
}

export type ImageMediaType = "image/jpeg" | "image/png" | "image/gif" | "image/webp";

export interface ImageBlock {
	type: "image";
	source: { type: "base64"; media_type: ImageMediaType; data: string } | { type: "url"; url: string };
	cache_control?: CacheControl;
}

export interface DocumentBlock {
	type: "document";
	source: { type: "base64"; media_type: "application/pdf"; data: string };
	title?: string;
	cache_control?: CacheControl;
}

export interface ToolUseBlock {
	type: "tool_use";
	id: string;
	name: string;
	input: Record<string, unknown>;
}

export interface ToolResultBlock {
	type: "tool_result";
	tool_use_id: string;
	content?: string | TextBlock[];
}

/** Signed thinking, sent back exactly as Claude produced it. */
export type ThinkingBlock =
	| { type: "thinking"; thinking: string; signature: string }
	| { type: "redacted_thinking"; data: string };

export type UserBlock = TextBlock | ImageBlock | DocumentBlock | ToolResultBlock;
export type AssistantBlock = ThinkingBlock | TextBlock | ToolUseBlock;

export type Turn = { role: "user"; content: UserBlock[] } | { role: "assistant"; content: AssistantBlock[] };

export interface Tool {
	name: string;
	description?: string;
	input_schema: Record<string, unknown>;
}

export type ToolChoice =
	| { type: "auto"; disable_parallel_tool_use?: boolean }
	| { type: "any"; disable_parallel_tool_use?: boolean }
	| { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
	| { type: "none" };

export interface Thinking {
	type: "enabled";
	budget_tokens: number;
}

export interface MessagesRequest {
	model: string;
	max_tokens: number;
	messages: Turn[];
	system?: TextBlock[];
	temperature?: number;
	top_p?: number;
	top_k?: number;
	stop_sequences?: string[];
	stream?: boolean;
	tools?: Tool[];
	tool_choice?: ToolChoice;
	thinking?: Thinking;
	metadata?: { user_id: string };
}
