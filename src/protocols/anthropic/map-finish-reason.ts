import type { FinishReason } from "../../schemas/chat-response";

/**
 * Anthropic's stop_reason as OpenAI's finish_reason (protocols.md 2.5). `tool_use` is `stop` when the
 * tool call was ours — the forced tool that emulates response_format — because the client asked for
 * a JSON answer, not for a tool call. Reasons Anthropic adds later end the answer normally.
 */
export function mapFinishReason(reason: string | null | undefined, jsonMode: boolean): FinishReason {
	switch (reason) {
		case "max_tokens":
		case "model_context_window_exceeded":
			return "length";
		case "tool_use":
			return jsonMode ? "stop" : "tool_calls";
		case "refusal":
			return "content_filter";
		default:
			// end_turn, stop_sequence, pause_turn (a paused server-tool loop the client resumes by resending).
			return "stop";
	}
}
