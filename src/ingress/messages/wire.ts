/**
 * What the Messages ingress writes back to its clients (protocols.md sections 2.3 and 2.4): plain
 * types, since only the gateway's own code produces them.
 */

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";

export interface MessageUsage {
	input_tokens: number;
	cache_creation_input_tokens: number;
	cache_read_input_tokens: number;
	output_tokens: number;
}

export type OutputBlock =
	| { type: "text"; text: string }
	| { type: "thinking"; thinking: string; signature: string }
	| { type: "tool_use"; id: string; name: string; input: Record<string, unknown> }
	/** Not a block Claude returns: the documented shape of an image a non-Claude model generated. */
	| { type: "image"; source: { type: "url"; url: string } };

export interface AnthropicMessage {
	id: string;
	type: "message";
	role: "assistant";
	model: string;
	content: OutputBlock[];
	stop_reason: StopReason;
	stop_sequence: string | null;
	usage: MessageUsage;
}

export interface AnthropicErrorBody {
	type: "error";
	error: { type: string; message: string };
}
