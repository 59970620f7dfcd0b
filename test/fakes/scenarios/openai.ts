/**
 * What the fake OpenAI API (../openai-fake.ts) answers, for the tests to assert against instead of
 * restating it. No Node imports here: worker tests import this module inside workerd.
 */

/** The keys the fake accepts, by base path (the gateway's OPENAI_API_KEY and GROQ_API_KEY). */
export const OPENAI_KEY = "sk-upstream-openai-SECRET";
export const GROQ_KEY = "gsk-upstream-groq-SECRET";

/** `text`: the answer's content pieces, streamed one a chunk (multi-byte characters included). */
export const TEXT_PIECES = ["Héllo", " from", " the fake", " 🌍", "!"];
export const TEXT = TEXT_PIECES.join("");

/** The usage of every answer except `drip-…`. */
export const USAGE = {
	prompt_tokens: 19,
	completion_tokens: 10,
	total_tokens: 29,
	prompt_tokens_details: { cached_tokens: 3, audio_tokens: 0 },
	completion_tokens_details: { reasoning_tokens: 2, audio_tokens: 0 },
};

/** `drip-…` with include_usage: fewer tokens than its text's length suggests, so an estimate would differ. */
export const DRIP_USAGE = { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 };

export const SYSTEM_FINGERPRINT = "fp_fake";
export const UPSTREAM_REQUEST_ID = "req_upstream_1";

/** `rate-limited`: the retry-after of its 429, longer than the gateway is willing to wait. */
export const RATE_LIMITED_RETRY_AFTER = "7";

/** `tools`, streamed: two parallel calls, their arguments split into these pieces (mid-escape). */
export const STREAMED_TOOL_CALLS = [
	{ id: "call_A1", name: "get_weather", pieces: ['{"city":"Par', 'is \\"Fr', 'ance\\""}'] },
	{ id: "call_B2", name: "get_time", pieces: ['{"tz":"CET"}'] },
];
/** `tools`, not streamed: one call. */
export const TOOL_CALL = { id: "call_A1", name: "get_weather", arguments: '{"city":"Paris"}' };

/** The content of the chunk `die-midstream`, `truncated`, `stall` and `gated-…` send first. */
export const PARTIAL = "partial";
/** What `gated-…` sends once released. */
export const RELEASED = " released";

/** The `error.message` of the error scenarios (rate-limited and brief-429-…, server-error and flaky-…, unavailable). */
export const ERROR_MESSAGES = {
	rateLimited: "Rate limit reached for requests",
	serverError: "The server had an error while processing your request.",
	unavailable: "The engine is currently overloaded.",
};

/** `bad-request`: the error recorded from a reasoning model given max_tokens. */
export const BAD_REQUEST_ERROR = {
	message:
		"Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
	type: "invalid_request_error",
	param: "max_tokens",
	code: "unsupported_parameter",
};
