import { isObject } from "../is-object";

/** An SSE event's data as an object with a string `type`, as every Anthropic and Responses event is; null otherwise. */
export function typedEvent(data: string): (Record<string, unknown> & { type: string }) | null {
	let event: unknown;
	try {
		event = JSON.parse(data);
	} catch {
		return null;
	}
	return isObject(event) && typeof event.type === "string"
		? (event as Record<string, unknown> & { type: string })
		: null;
}
