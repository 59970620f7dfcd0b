import { describe, expect, it } from "vitest";
import { estimateInputTokens } from "../../../../src/ingress/messages/estimate-tokens";
import { countTokensRequest, messagesRequest } from "../../../../src/ingress/messages/schema";
import { validated } from "../../../../src/schemas/zod-error";

const request = (body: Record<string, unknown>) =>
	validated(messagesRequest, { model: "m", max_tokens: 10, ...body });

describe("estimateInputTokens", () => {
	it("counts 4 characters a token plus 4 tokens a message", () => {
		// 8 + 12 characters → 5 tokens, plus 4 for the message.
		expect(
			estimateInputTokens(
				request({ system: "12345678", messages: [{ role: "user", content: "abcdefghijkl" }] }),
			),
		).toBe(9);
	});

	it("is at least 1", () => {
		const empty = validated(countTokensRequest, { model: "m", messages: [{ role: "user", content: [] }] });
		expect(estimateInputTokens(empty)).toBe(4);
		expect(estimateInputTokens({ ...empty, messages: [] })).toBe(1);
	});

	it("counts every kind of input", () => {
		const tool = { name: "f", input_schema: { type: "object" } };
		const body = request({
			system: [{ type: "text", text: "abcd" }],
			tools: [tool],
			messages: [
				{
					role: "user",
					content: [
						{ type: "text", text: "abcd" },
						{ type: "image", source: { type: "url", url: "https://example.com/a.png" } },
						{ type: "document", source: { type: "text", media_type: "text/plain", data: "abcdabcd" } },
						{
							type: "document",
							source: { type: "base64", media_type: "application/pdf", data: "A".repeat(80_000) },
						},
					],
				},
				{
					role: "assistant",
					content: [
						{ type: "thinking", thinking: "not counted".repeat(100), signature: "s" },
						{ type: "tool_use", id: "t", name: "f", input: { a: 1 } },
					],
				},
				{
					role: "user",
					content: [
						{
							type: "tool_result",
							tool_use_id: "t",
							content: [
								{ type: "text", text: "abcd" },
								{ type: "image", source: { type: "url", url: "https://example.com/b.png" } },
							],
						},
						{ type: "tool_result", tool_use_id: "u", content: "abcd" },
					],
				},
			],
		});
		const chars =
			4 + // system
			JSON.stringify(tool).length +
			4 + // text
			8 + // text document
			1 + // tool_use name
			JSON.stringify({ a: 1 }).length +
			4 + // tool result text
			4; // tool result string
		// 80,000 base64 characters are 60,000 bytes: two pages of a PDF.
		const fixed = 2 * 1_600 + 2 * 2_000 + 3 * 4;
		expect(estimateInputTokens(body)).toBe(Math.ceil(chars / 4) + fixed);
	});

	it("counts a block of an unknown type as its JSON", () => {
		const block = { type: "search_result", source: "s", title: "t", content: [] };
		const body = request({ messages: [{ role: "user", content: [block] }] });
		expect(estimateInputTokens(body)).toBe(Math.ceil(JSON.stringify(block).length / 4) + 4);
	});
});
