/**
 * What the fake Anthropic Messages API (../anthropic-fake.ts) answers, for the tests to assert
 * against instead of restating it. No Node imports here: worker tests import this module inside workerd.
 */

/** The x-api-key the fake accepts (the gateway's ANTHROPIC_API_KEY). */
export const ANTHROPIC_KEY = "sk-ant-upstream-SECRET";

type Usage = {
	input_tokens: number;
	output_tokens: number;
	cache_creation_input_tokens?: number;
	cache_read_input_tokens?: number;
};

/** `text`. */
export const TEXT = "Héllo, wörld! 👋 How can I help?";
export const TEXT_USAGE: Usage = { input_tokens: 21, output_tokens: 9 };

/**
 * `cached`: cache writes and reads on top of the uncached input, with the split of the writes by
 * cache lifetime (`cache_creation`) that Anthropic adds, in the answer and in the stream's
 * message_start (its message_delta repeats the counts, without the split).
 */
export const CACHED_TEXT = "Cached hello.";
export const CACHED_USAGE = {
	input_tokens: 10,
	cache_creation_input_tokens: 300,
	cache_read_input_tokens: 2000,
	cache_creation: { ephemeral_5m_input_tokens: 200, ephemeral_1h_input_tokens: 100 },
	output_tokens: 5,
};

/** `tools-parallel`: a text block, then two tool_use blocks. */
export const TOOLS_PARALLEL = {
	text: "Let me check both.",
	calls: [
		{ id: "toolu_fake_weather", name: "get_weather", input: { city: "Paris" } },
		{ id: "toolu_fake_time", name: "get_time", input: { zone: "Europe/Rome" } },
	],
	usage: { input_tokens: 310, output_tokens: 88 },
};

/** `tool-no-args`: a text block, then a tool_use block with no input. */
export const TOOL_NO_ARGS = {
	text: "Refreshing.",
	call: { id: "toolu_fake_refresh", name: "refresh_inbox" },
	usage: { input_tokens: 120, output_tokens: 30 },
};

/** `thinking`: a signed thinking block, a redacted_thinking block, then the text. */
export const THINKING = {
	thinking: "6 × 7 = 42, so the answer is 42.",
	signature: "c2lnbmF0dXJl",
	redacted: "ZW5jcnlwdGVk",
	text: "42",
	usage: { input_tokens: 30, output_tokens: 60 },
};

/** `json-tool`: the input of the forced tool call. */
export const JSON_TOOL_INPUT = { answer: 42, unit: "°C" };

/** `tool-loop`: the first turn's call, the tool result the fake expects back, and the final answer. */
export const TOOL_LOOP = {
	question: "Weather in Paris?",
	call: { id: "toolu_loop_1", name: "get_weather", input: { city: "Paris" } },
	result: "18°C and sunny",
	answer: "In Paris it is 18°C and sunny.",
	callUsage: { input_tokens: 90, output_tokens: 40 },
	answerUsage: { input_tokens: 150, output_tokens: 12 },
};

/**
 * `thinking-tool-loop`: with thinking on, the first turn thinks (signed, plus a redacted block) and
 * calls get_weather; the second must bring both blocks back first in that assistant turn, exactly,
 * with thinking still on. `signatureOf` is the fake's signature of a thinking text.
 */
export const signatureOf = (thinking: string) => btoa(`fake-signature:${encodeURIComponent(thinking)}`);
export const THINKING_TOOL_LOOP = {
	question: "Weather in Paris, thought through?",
	thinking: "The user wants the weather in Paris; get_weather answers that. Ça marche.",
	redacted: "cmVkYWN0ZWQtaW4tYS1sb29w",
	call: { id: "toolu_think_1", name: "get_weather", input: { city: "Paris" } },
	result: "18°C and sunny",
	answerThinking: "The tool said 18°C and sunny.",
	answer: "Thought it through: 18°C and sunny in Paris.",
	callUsage: { input_tokens: 95, output_tokens: 140 },
	answerUsage: { input_tokens: 260, output_tokens: 45 },
};

/** `error-midstream` and `truncated`: the text sent before the stream breaks. */
export const PARTIAL_TEXT = "Partial answer that";
export const PARTIAL_USAGE: Usage = { input_tokens: 17, output_tokens: 4 };

/** `rate-limited`: the retry-after of its 429. */
export const RATE_LIMITED_RETRY_AFTER = "17";

/** `bad-request`: the message of its 400. */
export const BAD_REQUEST_MESSAGE = "messages.0.content: fake bad request for the gateway tests";

/** JSON with every object's keys sorted: the same text for the same value, whatever the key order. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(",")}]`;
	if (typeof value === "object" && value !== null) {
		const entries = Object.entries(value)
			.filter(([, item]) => item !== undefined)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
		return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
	}
	return JSON.stringify(value);
}

/**
 * `POST /v1/messages/count_tokens`: the fake's `input_tokens`, a fixed formula over the request
 * without its `model` (which the gateway rewrites), insensitive to key order and whitespace, so a
 * test can compute it from what its client sent.
 */
export const COUNT_TOKENS_OVERHEAD = 3;
export function countTokensOf(request: Record<string, unknown>): number {
	const { model: _model, ...rest } = request;
	return COUNT_TOKENS_OVERHEAD + Math.ceil(canonicalJson(rest).length / 4);
}
