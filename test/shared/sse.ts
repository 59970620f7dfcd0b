import { expect } from "vitest";

/**
 * The one reader of the gateway's server-sent events in tests: `data:`-only blocks separated by a
 * blank line, each a JSON chunk, an error event or `[DONE]`.
 */

export type SseBlock =
	| { kind: "done" }
	| { kind: "json"; data: string; value: unknown }
	/** A `data:` block whose payload is not JSON. */
	| { kind: "not-json"; data: string }
	/** A block without a `data: ` prefix (or only whitespace). */
	| { kind: "not-data"; block: string };

/**
 * Splits a whole SSE body into its blocks, in order. `terminated` says whether the body ends with the
 * blank line that closes its last block; without it, the unterminated tail is the last block.
 */
export function parseSse(raw: string): { blocks: SseBlock[]; terminated: boolean } {
	const parts = raw.split("\n\n");
	const terminated = parts.at(-1) === "";
	if (terminated) parts.pop();
	const blocks = parts.map((block): SseBlock => {
		if (!block.startsWith("data: ")) return { kind: "not-data", block };
		const data = block.slice("data: ".length);
		if (data === "[DONE]") return { kind: "done" };
		try {
			return { kind: "json", data, value: JSON.parse(data) };
		} catch {
			return { kind: "not-json", data };
		}
	});
	return { blocks, terminated };
}

/** Reads an SSE response to its end: the `data:` payloads in order, JSON-parsed except `[DONE]`. */
export async function readSse(res: Response): Promise<{ events: unknown[]; raw: string }> {
	const raw = await res.text();
	const events: unknown[] = [];
	for (const block of parseSse(raw).blocks) {
		if (block.kind === "not-data") {
			if (!block.block.trim()) continue;
			expect(block.block.startsWith("data: "), `unexpected SSE block: ${block.block}`).toBe(true);
		}
		if (block.kind === "not-json") throw new SyntaxError(`SSE event is not JSON: ${block.data}`);
		if (block.kind === "done") events.push("[DONE]");
		if (block.kind === "json") events.push(block.value);
	}
	return { events, raw };
}
