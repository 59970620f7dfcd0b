import type { ChatRequest } from "../../schemas/chat-request";
import type { UpstreamRequest, UpstreamTarget } from "../adapter";
import { encodeBody } from "../encode-body";
import { chooseThinking } from "./choose-thinking";
import { convertMessages } from "./convert-messages";
import { convertTools } from "./convert-tools";
import { rejectUnsupported } from "./reject-unsupported";
import type { MessagesRequest, ThinkingBlock } from "./wire-request";

/** The only stable version string (https://docs.anthropic.com/en/api/versioning). */
export const ANTHROPIC_VERSION = "2023-06-01";

/**
 * An OpenAI chat request, already validated, as POST {base}/v1/messages. Throws 400 for what Claude
 * cannot do. `keptThinking`: the signed thinking kept for earlier assistant turns, by message index
 * (turn-state.ts), sent back when thinking is on.
 */
export function convertRequest(
	request: ChatRequest,
	target: UpstreamTarget,
	keptThinking: ReadonlyMap<number, ThinkingBlock[]> = new Map(),
): UpstreamRequest {
	rejectUnsupported(request);
	// Anthropic requires max_tokens; OpenAI clients usually leave it out.
	const maxTokens = request.max_completion_tokens ?? request.max_tokens ?? target.defaultMaxTokens;
	const thinking = chooseThinking(request, maxTokens, new Set(keptThinking.keys()));
	const { system, turns } = convertMessages(request.messages, thinking ? keptThinking : undefined);
	const body: MessagesRequest = { model: target.upstreamModel, max_tokens: maxTokens, messages: turns };
	if (system.length > 0) body.system = system;
	if (request.temperature !== undefined && request.temperature !== null)
		body.temperature = request.temperature;
	if (request.top_p !== undefined && request.top_p !== null) body.top_p = request.top_p;
	// Not OpenAI's, but some clients send it and Anthropic supports it.
	if (typeof request.top_k === "number" && Number.isInteger(request.top_k) && request.top_k > 0)
		body.top_k = request.top_k;
	const stops = stopSequences(request.stop);
	if (stops.length > 0) body.stop_sequences = stops;
	Object.assign(body, convertTools(request));
	if (thinking) body.thinking = thinking;
	// safety_identifier is OpenAI's successor to `user`; both identify the end user to the provider.
	const user = request.user ?? request.safety_identifier;
	if (typeof user === "string" && user !== "") body.metadata = { user_id: user };
	if (request.stream) body.stream = true;
	return {
		url: messagesUrl(target.baseUrl),
		headers: {
			"x-api-key": target.apiKey,
			"anthropic-version": ANTHROPIC_VERSION,
			"content-type": "application/json",
		},
		body: encodeBody(body),
	};
}

function stopSequences(stop: ChatRequest["stop"]): string[] {
	if (stop === undefined || stop === null) return [];
	// An empty stop sequence means nothing and Anthropic rejects it.
	return (typeof stop === "string" ? [stop] : stop).filter((sequence) => sequence !== "");
}

/** ANTHROPIC_BASE_URL is the API origin; tolerate a configured trailing slash or "/v1". */
export function messagesUrl(baseUrl: string): string {
	const base = baseUrl.replace(/\/+$/, "");
	return base.endsWith("/v1") ? `${base}/messages` : `${base}/v1/messages`;
}
