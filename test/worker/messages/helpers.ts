import { expect } from "vitest";
import { GATE_ID } from "../../shared/patterns";
import { gateway } from "../helpers";

/** POST /v1/messages (or a sub-path) as Anthropic's SDK sends it: the key in x-api-key. */
export function messages(
	key: string,
	body: unknown,
	init: { headers?: Record<string, string>; path?: string } = {},
): Promise<Response> {
	return gateway(init.path ?? "/v1/messages", {
		method: "POST",
		headers: {
			"x-api-key": key,
			"anthropic-version": "2023-06-01",
			"content-type": "application/json",
			...init.headers,
		},
		body: typeof body === "string" ? body : JSON.stringify(body),
	});
}

export interface NamedEvent {
	event: string | null;
	data: unknown;
}

/** An Anthropic event stream as its named events, in order; every `data:` line must be JSON. */
export function namedEvents(raw: string): NamedEvent[] {
	return raw
		.split("\n\n")
		.filter((block) => block.trim() !== "")
		.map((block) => {
			const lines = block.split("\n");
			const event = lines.find((line) => line.startsWith("event: "))?.slice("event: ".length) ?? null;
			const data = lines.find((line) => line.startsWith("data: "))?.slice("data: ".length);
			if (data === undefined) throw new Error(`an SSE block without data: ${block}`);
			return { event, data: JSON.parse(data) as unknown };
		});
}

/**
 * Anthropic's stream grammar: `event:` equals data.type; message_start first; blocks numbered 0, 1, 2 …
 * in the order they start, one open at a time, every delta and stop naming a block that is open
 * (never one it did not start: "Content block not found", LiteLLM #13373), deltas of the block's
 * kind; every block closed before message_delta; then message_stop, last; pings anywhere after the
 * start. A stream may instead end with one `error` event, after which nothing comes.
 */
export function expectWellFormed(events: NamedEvent[]): void {
	const kinds: Record<string, string[]> = {
		text: ["text_delta"],
		tool_use: ["input_json_delta"],
		thinking: ["thinking_delta", "signature_delta"],
		redacted_thinking: [],
		image: [],
	};
	let open: { index: number; type: string } | null = null;
	let nextIndex = 0;
	let state: "before" | "started" | "delta" | "stopped" | "error" = "before";
	events.forEach((event, i) => {
		const data = event.data as Record<string, unknown>;
		const where = `event ${i} ${JSON.stringify(data)}`;
		expect(event.event, where).toBe(data.type);
		expect(["stopped", "error"], `${where} after the end`).not.toContain(state);
		if (state === "before") expect(data.type, where).toBe("message_start");
		switch (data.type) {
			case "message_start":
				expect(state, where).toBe("before");
				state = "started";
				return;
			case "content_block_start": {
				expect(state, where).toBe("started");
				expect(open, `${where}: a block is still open`).toBeNull();
				expect(data.index, where).toBe(nextIndex);
				nextIndex += 1;
				const block = data.content_block as Record<string, unknown>;
				expect(Object.keys(kinds), where).toContain(block.type);
				open = { index: data.index as number, type: block.type as string };
				return;
			}
			case "content_block_delta": {
				expect(open?.index, `${where}: delta of a block that is not open`).toBe(data.index);
				const delta = data.delta as Record<string, unknown>;
				expect(kinds[open?.type ?? ""], where).toContain(delta.type);
				return;
			}
			case "content_block_stop":
				expect(open?.index, `${where}: stop of a block that is not open`).toBe(data.index);
				open = null;
				return;
			case "message_delta":
				expect(state, where).toBe("started");
				expect(open, `${where}: a block is still open`).toBeNull();
				state = "delta";
				return;
			case "message_stop":
				expect(state, where).toBe("delta");
				state = "stopped";
				return;
			case "error":
				state = "error";
				return;
			case "ping":
				return;
			default:
				throw new Error(`unexpected ${where}`);
		}
	});
	expect(["stopped", "error"], "the stream's end").toContain(state);
}

/** A /v1/messages stream read to its end: its gate id and its events, checked to be a well-formed Messages stream. */
export async function readMessagesStream(res: Response): Promise<{ gateId: string; events: NamedEvent[] }> {
	expect(res.status, await res.clone().text()).toBe(200);
	expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
	const gateId = res.headers.get("x-request-id") ?? "";
	expect(gateId).toMatch(GATE_ID);
	const events = namedEvents(await res.text());
	expectWellFormed(events);
	return { gateId, events };
}
