import { describe, expect, it } from "vitest";
import { mapFinishReason } from "../../../../src/protocols/gemini/map-finish-reason";
import { mapUsage } from "../../../../src/protocols/gemini/map-usage";

describe("gemini usage", () => {
	it("counts thoughts as completion and reasoning, tool-use prompt as prompt, cached as a prompt subset", () => {
		expect(
			mapUsage({
				promptTokenCount: 12,
				candidatesTokenCount: 71,
				totalTokenCount: 237,
				cachedContentTokenCount: 4,
				toolUsePromptTokenCount: 65,
				thoughtsTokenCount: 89,
			}),
		).toEqual({
			prompt_tokens: 77,
			completion_tokens: 160,
			total_tokens: 237,
			prompt_tokens_details: { cached_tokens: 4 },
			completion_tokens_details: { reasoning_tokens: 89 },
		});
	});

	it("treats missing counts as zero and sums when there is no total", () => {
		expect(mapUsage({ promptTokenCount: 5, candidatesTokenCount: 2 })).toEqual({
			prompt_tokens: 5,
			completion_tokens: 2,
			total_tokens: 7,
			prompt_tokens_details: { cached_tokens: 0 },
			completion_tokens_details: { reasoning_tokens: 0 },
		});
	});
});

describe("gemini finish reasons", () => {
	it.each([
		["STOP", false, "stop"],
		["STOP", true, "tool_calls"],
		["MAX_TOKENS", true, "length"],
		["SAFETY", false, "content_filter"],
		["RECITATION", false, "content_filter"],
		["BLOCKLIST", false, "content_filter"],
		["PROHIBITED_CONTENT", false, "content_filter"],
		["SPII", false, "content_filter"],
		["IMAGE_SAFETY", false, "content_filter"],
		["IMAGE_PROHIBITED_CONTENT", false, "content_filter"],
		["IMAGE_RECITATION", false, "content_filter"],
		["NO_IMAGE", false, "stop"],
		["OTHER", false, "stop"],
		["LANGUAGE", false, "stop"],
		["MALFORMED_FUNCTION_CALL", false, "stop"],
		["SOMETHING_NEW", false, "stop"],
		["FINISH_REASON_UNSPECIFIED", false, null],
		[undefined, false, null],
	])("%s (function calls: %s) → %s", (reason, calls, expected) => {
		expect(mapFinishReason(reason, calls)).toBe(expected);
	});
});
