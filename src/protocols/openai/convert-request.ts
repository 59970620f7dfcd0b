import type { ChatRequest } from "../../schemas/chat-request";
import type { UpstreamRequest, UpstreamTarget } from "../adapter";
import { openaiRequest } from "./upstream-request";

/** The client's request as it came, with the upstream's model name, always asking for stream usage. */
export function convertRequest(request: ChatRequest, target: UpstreamTarget): UpstreamRequest {
	const body: Record<string, unknown> = { ...request, model: target.upstreamModel };
	if (request.stream) body.stream_options = { ...(request.stream_options ?? {}), include_usage: true };
	return openaiRequest(target, "chat/completions", body);
}
