import { expect } from "vitest";

/**
 * Reading the Responses ingress's event streams in tests: a parser of `event:` + `data:` blocks that
 * checks every event's `type` and its rising `sequence_number` (from 0), and an accumulator that
 * builds the final response from the events the way openai-node's ResponseAccumulator does, and
 * stricter: an item must be added before its events, and done before the next is added.
 */

export type Data = Record<string, unknown> & { type: string; sequence_number: number };
type Item = Record<string, unknown> & { type: string; id: string };

export function parseEvents(text: string): Data[] {
	expect(text === "" || text.endsWith("\n\n"), "the stream ends with a blank line").toBe(true);
	return text
		.split("\n\n")
		.filter((block) => block !== "")
		.map((block, position) => {
			const match = /^event: ([a-z_.]+)\ndata: (.*)$/s.exec(block);
			if (!match) throw new Error(`not an event: ${block}`);
			const [, event = "", data = ""] = match;
			const parsed = JSON.parse(data) as Data;
			expect(parsed.type).toBe(event);
			expect(parsed.sequence_number, `${event}'s sequence_number`).toBe(position);
			return parsed;
		});
}

export interface Accumulated {
	/** The response of the last lifecycle event. */
	response: Record<string, unknown> & { output: Item[]; status: string };
	/** The items as the events built them. */
	items: Item[];
	names: string[];
	error?: Data;
}

/** An array field of the open item, which must be there. */
function list<T>(item: Item | undefined, key: string): T[] {
	const value = item?.[key];
	if (!Array.isArray(value)) throw new Error(`no ${key} on the open item`);
	return value as T[];
}

export function accumulate(events: Data[]): Accumulated {
	const names = events.map((event) => event.type);
	expect(names.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
	let response: Accumulated["response"] | undefined;
	let error: Data | undefined;
	const items: Item[] = [];
	let open: number | null = null;
	for (const data of events) {
		const item = open === null ? undefined : items[open];
		if ("item_id" in data) {
			expect(data.output_index, `${data.type} for the open item`).toBe(open);
			expect(data.item_id).toBe(item?.id);
		}
		switch (data.type) {
			case "response.created":
			case "response.in_progress":
			case "response.completed":
			case "response.incomplete":
			case "response.failed":
				response = structuredClone(data.response) as Accumulated["response"];
				expect(response.object).toBe("response");
				break;
			case "error":
				error = data;
				break;
			case "response.output_item.added":
				expect(open, "an item is added while another is open").toBeNull();
				expect(data.output_index).toBe(items.length);
				items.push(structuredClone(data.item) as Item);
				open = items.length - 1;
				break;
			case "response.output_item.done":
				expect(data.output_index).toBe(open);
				items[open as number] = structuredClone(data.item) as Item;
				open = null;
				break;
			case "response.content_part.added":
				list(item, "content").push(structuredClone(data.part));
				expect(data.content_index).toBe(list(item, "content").length - 1);
				break;
			case "response.reasoning_summary_part.added":
				list(item, "summary").push(structuredClone(data.part));
				break;
			case "response.output_text.delta": {
				const part = list<{ text: string }>(item, "content")[data.content_index as number];
				if (!part) throw new Error("a delta for a part not added");
				part.text += data.delta as string;
				break;
			}
			case "response.function_call_arguments.delta":
				(item as Item).arguments = `${(item as Item).arguments}${data.delta}`;
				break;
			case "response.reasoning_summary_text.delta": {
				const part = list<{ text: string }>(item, "summary")[data.summary_index as number];
				if (!part) throw new Error("a delta for a summary part not added");
				part.text += data.delta as string;
				break;
			}
			default:
				expect(data.type).toMatch(/\.(done|delta)$/);
		}
	}
	if (!response) throw new Error("no lifecycle event");
	return { response, items, names, ...(error ? { error } : {}) };
}
