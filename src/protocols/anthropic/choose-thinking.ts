import type { ChatRequest } from "../../schemas/chat-request";
import { wantsJson } from "./json-mode";
import type { Thinking } from "./wire-request";

/**
 * OpenAI's reasoning_effort as Anthropic's extended thinking with a token budget
 * (https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking). reasoning_effort is a hint,
 * so whenever thinking cannot be honoured we leave it off rather than fail the request:
 * - Anthropic rejects thinking with a forced tool choice (`required`, a named function, or our
 *   response_format tool), with a temperature other than 1, with top_k, and with top_p below 0.95;
 * - the budget must be at least 1024 tokens and below max_tokens;
 * - a tool loop in progress (the last assistant message made tool calls) needs that turn's signed
 *   thinking sent back; thinking stays on only when the gateway kept it (turn-state.ts).
 * "none" (and unknown values) mean no thinking.
 */

const MIN_BUDGET = 1024;

const budgets = new Map<string, number>([
	["minimal", 1024],
	["low", 2048],
	["medium", 8192],
	["high", 24576],
	["xhigh", 32768],
]);

/** Whether the request asks for thinking at all (before any of the rules below). */
export function asksForThinking(request: ChatRequest): boolean {
	return typeof request.reasoning_effort === "string" && budgets.has(request.reasoning_effort);
}

/** `keptTurns`: the indexes of assistant messages whose signed thinking the gateway kept. */
export function chooseThinking(
	request: ChatRequest,
	maxTokens: number,
	keptTurns: ReadonlySet<number> = new Set(),
): Thinking | undefined {
	const effort = request.reasoning_effort;
	const wanted = typeof effort === "string" ? budgets.get(effort) : undefined;
	if (wanted === undefined) return undefined;
	if (wantsJson(request)) return undefined;
	const choice = request.tool_choice;
	if (choice !== undefined && choice !== "auto" && choice !== "none") return undefined;
	if (request.temperature !== undefined && request.temperature !== null && request.temperature !== 1)
		return undefined;
	if (request.top_p !== undefined && request.top_p !== null && request.top_p < 0.95) return undefined;
	if (request.top_k !== undefined && request.top_k !== null) return undefined;
	const loop = toolLoopTurn(request);
	if (loop !== null && !keptTurns.has(loop)) return undefined;
	const budget = Math.min(wanted, maxTokens - 1);
	return budget >= MIN_BUDGET ? { type: "enabled", budget_tokens: budget } : undefined;
}

/** The index of the last assistant message when it made tool calls (a loop in progress), else null. */
function toolLoopTurn(request: ChatRequest): number | null {
	for (let i = request.messages.length - 1; i >= 0; i--) {
		const message = request.messages[i];
		if (message?.role === "assistant") return (message.tool_calls?.length ?? 0) > 0 ? i : null;
	}
	return null;
}
