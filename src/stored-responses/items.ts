import type { JsonObject } from "../protocols/adapter";

/**
 * Input items as stored and as listed by GET /v1/responses/{id}/input_items. Pure functions: the
 * store keeps the client's items verbatim (after `normalizeInput`) and ids are given on listing.
 */

/**
 * The request's `input` as item objects: a string is one user message; an item without `type` (the
 * "easy" `{role, content}` message) is a `message`, its string content one text part, as OpenAI
 * lists them. Anything else is kept as the client sent it.
 */
export function normalizeInput(input: string | readonly JsonObject[]): JsonObject[] {
	if (typeof input === "string") return [message("user", input)];
	return input.map((item) => {
		if (item.type !== undefined && item.type !== "message") return item;
		const role = typeof item.role === "string" ? item.role : "user";
		return typeof item.content === "string"
			? { ...item, ...message(role, item.content) }
			: { ...item, type: "message" };
	});
}

function message(role: string, text: string): JsonObject {
	return {
		type: "message",
		role,
		content: [{ type: role === "assistant" ? "output_text" : "input_text", text }],
	};
}

/**
 * An input item's id: its own when the client sent one (function calls, reasoning items and Codex's
 * echoed messages carry theirs), else `item_<suffix>_<position>` for `resp_<suffix>`. OpenAI's ids
 * are opaque (`msg_…`); these are stable across reads, unique across responses, and never equal
 * an output item's id (the Responses ingress names those `msg_<suffix>_<index>`, `fc_…`).
 */
export function inputItemId(responseId: string, position: number, item: JsonObject): string {
	if (typeof item.id === "string" && item.id !== "") return item.id;
	const suffix = responseId.startsWith("resp_") ? responseId.slice(5) : responseId;
	return `item_${suffix}_${position}`;
}

export interface ListOptions {
	/** 1 to 100; default 20, as OpenAI's. */
	limit?: number;
	/** An item id: the page starts after it, in the order asked. */
	after?: string;
	/** `desc` (default, as OpenAI's): the last input item first. */
	order?: "asc" | "desc";
}

export type ListedItem = JsonObject & { id: string };

/** OpenAI's list shape (openai-node `ResponseItemList`); the ids are null on an empty page. */
export interface InputItemList {
	object: "list";
	data: ListedItem[];
	first_id: string | null;
	last_id: string | null;
	has_more: boolean;
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/** One page of a response's input items. An `after` that names no item gives an empty page. */
export function pageInputItems(
	responseId: string,
	input: JsonObject[],
	options: ListOptions = {},
): InputItemList {
	const limit = Math.min(Math.max(Math.trunc(options.limit ?? DEFAULT_LIMIT), 1), MAX_LIMIT);
	const listed: ListedItem[] = input.map((item, position) => ({
		...item,
		id: inputItemId(responseId, position, item),
	}));
	if (options.order !== "asc") listed.reverse();
	let start = 0;
	if (options.after !== undefined) {
		const at = listed.findIndex((item) => item.id === options.after);
		start = at === -1 ? listed.length : at + 1;
	}
	const data = listed.slice(start, start + limit);
	return {
		object: "list",
		data,
		first_id: data[0]?.id ?? null,
		last_id: data.at(-1)?.id ?? null,
		has_more: start + limit < listed.length,
	};
}
