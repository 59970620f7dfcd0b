import { expect } from "vitest";

/**
 * Reading the Messages ingress's event streams in tests: a parser of `event:` + `data:` blocks, and
 * an accumulator that checks the protocol's order as it builds the message, the way Anthropic's
 * SDK stream reader does (and stricter: a block must be started before its deltas and stopped
 * before the next one starts).
 */

export interface AnthropicEvent {
	event: string;
	data: Record<string, unknown> & { type: string };
}

/** Splits a whole stream into its events; every `data` must be JSON whose `type` is the event name. */
export function parseEvents(text: string): AnthropicEvent[] {
	expect(text === "" || text.endsWith("\n\n"), "the stream ends with a blank line").toBe(true);
	return text
		.split("\n\n")
		.filter((block) => block !== "")
		.map((block) => {
			const match = /^event: ([a-z_]+)\ndata: (.*)$/s.exec(block);
			if (!match) throw new Error(`not an event: ${block}`);
			const [, event = "", data = ""] = match;
			const parsed = JSON.parse(data) as AnthropicEvent["data"];
			expect(parsed.type).toBe(event);
			return { event, data: parsed };
		});
}

type Block = Record<string, unknown> & { type: string };

export interface Accumulated {
	message: Record<string, unknown> & { content: Block[]; usage: Record<string, unknown> };
	/** Events in order, without their payloads. */
	names: string[];
	/** Set when the stream ended with an error event. */
	error?: unknown;
}

/** Builds the message from the events, failing on any event out of the protocol's order. */
export function accumulate(events: AnthropicEvent[]): Accumulated {
	const names = events.map((event) => event.event);
	let message: Accumulated["message"] | undefined;
	let open: number | null = null;
	let stopped = false;
	const json = new Map<number, string>();
	for (const [position, { data }] of events.entries()) {
		if (data.type === "error") {
			expect(position, "the error event is the last").toBe(events.length - 1);
			return { message: message ?? { content: [], usage: {} }, names, error: data.error };
		}
		if (data.type === "message_start") {
			expect(message, "one message_start, first").toBeUndefined();
			message = structuredClone(data.message) as Accumulated["message"];
			continue;
		}
		if (!message) throw new Error(`${data.type} before message_start`);
		expect(stopped, `${data.type} after message_stop`).toBe(false);
		switch (data.type) {
			case "content_block_start":
				expect(open, "a block starts while another is open").toBeNull();
				expect(data.index).toBe(message.content.length);
				message.content.push(structuredClone(data.content_block) as Block);
				open = data.index as number;
				break;
			case "content_block_delta": {
				expect(data.index, "a delta for the open block").toBe(open);
				const block = message.content[open as number] as Block;
				const delta = data.delta as Record<string, string>;
				if (delta.type === "text_delta") block.text = `${block.text}${delta.text}`;
				else if (delta.type === "thinking_delta") block.thinking = `${block.thinking}${delta.thinking}`;
				else if (delta.type === "input_json_delta") {
					json.set(open as number, `${json.get(open as number) ?? ""}${delta.partial_json}`);
				} else throw new Error(`unknown delta ${delta.type}`);
				break;
			}
			case "content_block_stop": {
				expect(data.index, "the open block stops").toBe(open);
				const text = json.get(open as number);
				if (text !== undefined) (message.content[open as number] as Block).input = JSON.parse(text);
				open = null;
				break;
			}
			case "message_delta":
				expect(open, "no block is open at message_delta").toBeNull();
				Object.assign(message, data.delta);
				Object.assign(message.usage, data.usage);
				break;
			case "message_stop":
				stopped = true;
				break;
			default:
				throw new Error(`unknown event ${data.type}`);
		}
	}
	return { message: message ?? { content: [], usage: {} }, names };
}
