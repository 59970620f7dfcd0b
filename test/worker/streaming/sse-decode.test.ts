import { describe, expect, it } from "vitest";
import { sseDecoder } from "../../../src/engine/stream/sse-decode";
import { runStage, split } from "./collect";

const encode = (text: string) => new TextEncoder().encode(text);
const decodeAll = (text: string, sizes: number[]) => runStage(sseDecoder(), split(encode(text), sizes));

const STREAM = [
	": a comment the parser must skip",
	"event: message_start",
	'data: {"text":"héllo 🌍"}',
	"",
	"data: first line",
	"data:second line",
	"id: 7",
	"retry: 1000",
	"",
	":keep-alive",
	"",
	"data: [DONE]",
	"",
	"",
].join("\n");

const EXPECTED = [
	{ event: "message_start", data: '{"text":"héllo 🌍"}' },
	{ event: undefined, data: "first line\nsecond line" },
	{ event: undefined, data: "[DONE]" },
];

describe("SSE decoder", () => {
	it("decodes events, joins multi-line data and skips comments", async () => {
		expect(await decodeAll(STREAM, [STREAM.length])).toEqual(EXPECTED);
	});

	it("gives the same events for every split of the bytes, including inside UTF-8 characters", async () => {
		const bytes = encode(STREAM);
		for (let cut = 1; cut < bytes.length; cut++) {
			const pieces = [bytes.slice(0, cut), bytes.slice(cut)];
			expect(await runStage(sseDecoder(), pieces), `cut at ${cut}`).toEqual(EXPECTED);
		}
		expect(await decodeAll(STREAM, [1])).toEqual(EXPECTED);
		expect(await decodeAll(STREAM, [3, 1, 7, 2])).toEqual(EXPECTED);
	});

	it("accepts CRLF and lone CR line endings, even with CR and LF in different pieces", async () => {
		for (const eol of ["\r\n", "\r"]) {
			const text = STREAM.split("\n").join(eol);
			expect(await decodeAll(text, [1]), JSON.stringify(eol)).toEqual(EXPECTED);
			expect(await decodeAll(text, [5, 2, 9]), JSON.stringify(eol)).toEqual(EXPECTED);
		}
	});

	it("does not dispatch an event left unterminated at the end of the stream", async () => {
		expect(await decodeAll('data: {"a":1}\n\ndata: {"b":', [4])).toEqual([
			{ event: undefined, data: '{"a":1}' },
		]);
	});

	it("reassembles a long data line from one-byte pieces and a multi-megabyte one from 1 KB pieces", async () => {
		for (const [size, piece] of [
			[100_000, 1],
			[8 * 1024 * 1024, 1024],
		] as const) {
			const payload = `${"A".repeat(size - 1)}é`;
			const events = await runStage(sseDecoder(), split(encode(`data: ${payload}\n\n`), [piece]));
			expect(events).toHaveLength(1);
			expect(events[0]?.data.length).toBe(payload.length);
			expect(events[0]?.data === payload).toBe(true);
		}
	});
});
