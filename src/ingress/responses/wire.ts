/**
 * What the Responses ingress writes back to its clients: plain types, since only the gateway's own
 * code produces them. Shapes from openai-node 6.49.0 `resources/responses/responses.d.ts`
 * (Response, ResponseOutputMessage, ResponseOutputText, ResponseOutputRefusal,
 * ResponseFunctionToolCall, ResponseReasoningItem, ResponseUsage, ResponseError).
 */

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";
export type ItemStatus = "in_progress" | "completed" | "incomplete";

/** ResponseUsage: input_tokens include cached ones, as Chat's prompt_tokens do. */
export interface ResponseUsage {
	input_tokens: number;
	input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
	output_tokens: number;
	output_tokens_details: { reasoning_tokens: number };
	total_tokens: number;
	/** Gateway extension, as on Chat's usage: what the request cost in USD at catalog prices. */
	cost?: number;
}

export type OutputPart =
	| { type: "output_text"; text: string; annotations: never[] }
	| { type: "refusal"; refusal: string };

export interface MessageOutput {
	type: "message";
	id: string;
	status: ItemStatus;
	role: "assistant";
	content: OutputPart[];
}
export interface ReasoningOutput {
	type: "reasoning";
	id: string;
	summary: Array<{ type: "summary_text"; text: string }>;
}
export interface FunctionCallOutput {
	type: "function_call";
	id: string;
	call_id: string;
	name: string;
	arguments: string;
	status: ItemStatus;
}
/**
 * Not OpenAI's shape: a picture a non-OpenAI image model drew, stored by the gateway and linked by
 * URL. OpenAI's image_generation_call carries base64 in `result`; this one has `result: null` and
 * the gateway's `image_url` (a documented extension, as the Messages ingress has for its images).
 */
export interface ImageOutput {
	type: "image_generation_call";
	id: string;
	status: "completed";
	result: null;
	image_url: string;
}
export type OutputItem = MessageOutput | ReasoningOutput | FunctionCallOutput | ImageOutput;

/** ResponseError: `code` is one of OpenAI's documented codes (server_error, rate_limit_exceeded …). */
export interface ResponseError {
	code: string;
	message: string;
}

export interface ResponseObject {
	id: string;
	object: "response";
	created_at: number;
	status: ResponseStatus;
	error: ResponseError | null;
	incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
	instructions: string | null;
	max_output_tokens: number | null;
	model: string;
	output: OutputItem[];
	parallel_tool_calls: boolean;
	previous_response_id: string | null;
	reasoning: { effort: string | null; summary: string | null };
	store: boolean;
	temperature: number;
	text: Record<string, unknown>;
	tool_choice: unknown;
	tools: unknown[];
	top_p: number;
	truncation: string;
	usage: ResponseUsage | null;
	user: string | null;
	metadata: Record<string, string>;
	[k: string]: unknown;
}
