import type { ResponseIds } from "./adapter";

/**
 * A pass-through event's data with the gateway's id and model (and any `fields`) in the object under
 * `key` (Anthropic's message_start `message`, OpenAI's lifecycle events' `response`). The values are
 * replaced in the text where they stand, so the event's other bytes stay the upstream's; should one
 * not be found as written (another spacing, or a field the upstream did not write), the event is
 * serialized anew.
 */
export function stampIds(
	data: string,
	event: Record<string, unknown>,
	key: string,
	object: Record<string, unknown>,
	ids: ResponseIds,
): string {
	let text = data;
	const stamped: Record<string, string> = { id: ids.id, model: ids.model, ...ids.fields };
	for (const [field, value] of Object.entries(stamped)) {
		const old = object[field];
		const written = `"${field}":${JSON.stringify(old)}`;
		const at = old === undefined ? -1 : text.indexOf(written);
		if (at < 0) return JSON.stringify({ ...event, [key]: { ...object, ...stamped } });
		text = `${text.slice(0, at)}"${field}":${JSON.stringify(value)}${text.slice(at + written.length)}`;
	}
	return text;
}
