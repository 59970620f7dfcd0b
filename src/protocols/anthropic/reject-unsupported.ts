import { invalidRequest } from "../../errors";
import type { ChatRequest } from "../../schemas/chat-request";

/**
 * Parameters Claude cannot honour get a 400 naming them rather than silence: a client that asked for
 * several choices, log probabilities or audio would otherwise get an answer that quietly lacks them.
 * Parameters that only tune or label a request (seed, service_tier, store, metadata, stream_options,
 * verbosity, prompt_cache_key) are dropped: the answer is still what the client asked for.
 */
export function rejectUnsupported(request: ChatRequest): void {
	const reject = (param: string, why: string): never => {
		throw invalidRequest(`${param} is not supported for this model: ${why}`, param, "unsupported_parameter");
	};
	const set = (value: unknown) => value !== undefined && value !== null;

	if ((request.n ?? 1) > 1) reject("n", "it returns exactly one choice per request.");
	if (request.logprobs === true) reject("logprobs", "it does not report log probabilities.");
	if ((request.top_logprobs ?? 0) > 0) reject("top_logprobs", "it does not report log probabilities.");
	const bias = request.logit_bias;
	if (typeof bias === "object" && bias !== null && Object.keys(bias).length > 0) {
		reject("logit_bias", "it has no token biasing.");
	}
	if (set(request.audio)) reject("audio", "it does not produce audio.");
	if (set(request.prediction)) reject("prediction", "it has no predicted outputs.");
	if (request.modalities?.some((modality) => modality !== "text")) {
		reject("modalities", "it answers with text only.");
	}
	if ((request.presence_penalty ?? 0) !== 0) reject("presence_penalty", "Anthropic has no presence penalty.");
	if ((request.frequency_penalty ?? 0) !== 0)
		reject("frequency_penalty", "Anthropic has no frequency penalty.");
	if ((request.temperature ?? 0) > 1) {
		throw invalidRequest(
			"temperature must be between 0 and 1 for this model (Anthropic's range).",
			"temperature",
			"decimal_above_max_value",
		);
	}
	if (set(request.functions) || set(request.function_call)) {
		reject(set(request.functions) ? "functions" : "function_call", "use tools and tool_choice instead.");
	}
	if (set(request.web_search_options))
		reject("web_search_options", "web search is not available through this gateway.");
}
