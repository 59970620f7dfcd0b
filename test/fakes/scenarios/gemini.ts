/**
 * What the fake Gemini API (../gemini-fake.ts) answers, for the tests to assert against instead of
 * restating it. No Node imports here: worker tests import this module inside workerd.
 */

/** The x-goog-api-key the fake accepts (the gateway's GEMINI_API_KEY). */
export const GEMINI_KEY = "AIza-upstream-gemini-SECRET";

/** `text`: one event a piece; with candidateCount n, candidate i > 0 starts with "Hello #i". */
export const TEXT_PIECES = ["Hello", " from", " the fake", " Gemini."];
export const TEXT = TEXT_PIECES.join("");
/** `text`, final usage: per candidate (candidates scales with n), thoughts counted apart. */
export const TEXT_TOKENS = { prompt: 11, candidates: 4, thoughts: 7 };

/** `thinking`: a thought summary, then the answer. */
export const THINKING = { thought: "**Weighing it**\n\nSix times seven.", text: "The answer is 42." };

/** `tool-call`: the call's arguments (name: the first declared function), and the answer's prefix once answered. */
export const TOOL_CALL_ARGS = { location: "Paris", unit: "celsius" };
export const TOOL_ANSWER_PREFIX = "The tool said: ";

/** `tool-parallel`: text, then one call per location (only the first signed); then the answer. */
export const PARALLEL = {
	text: "Checking both cities.",
	locations: ["Paris", "Tokyo"],
	answer: (results: number) => `Got ${results} results.`,
};

/** `image`: text, the picture (signed), text; or only a text when IMAGE output was not requested. */
export const IMAGE = {
	before: "Here is a tiny picture:",
	after: " I hope you like it.",
	signature: "aW1hZ2Utc2lnbmF0dXJl",
	notRequested: "No picture: IMAGE output was not requested.",
};

/** `prompt-blocked`: the promptFeedback.blockReason. */
export const PROMPT_BLOCK_REASON = "PROHIBITED_CONTENT";
/** `safety`: the text before the SAFETY stop. */
export const SAFETY_TEXT = "I can start, but";
/** `max-tokens`: the pieces before the MAX_TOKENS stop. */
export const MAX_TOKENS_PIECES = ["This answer is cut", " short"] as const;

/** `stream-error` and `stream-drop`: `text`, broken (an error event, or the connection dropped) after this many events. */
export const STREAM_BREAK_AFTER = 2;

/** `usage-tail`: the usage event after the finish, with cached and tool-use prompt tokens. */
export const USAGE_TAIL = { prompt: 12, candidates: 71, thoughts: 89, cached: 4, toolUsePrompt: 65 };

/** `rate-limited`: the RetryInfo delay of its 429, in seconds. */
export const RATE_LIMITED_RETRY_DELAY_S = 37;
/** `bad-request`: the message of its 400. */
export const BAD_REQUEST_MESSAGE = "Penalty is not enabled for models/bad-request";
