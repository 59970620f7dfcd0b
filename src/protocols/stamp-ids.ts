import type { ResponseIds } from "./adapter";

/**
 * A pass-through event's data with the gateway's id and model in the object under `key` (Anthropic's
 * message_start `message`, OpenAI's lifecycle events' `response`). The two values are replaced in the
 * text where they stand, so the event's other bytes stay the upstream's; should either not be found
 * as written (another spacing), the event is serialized anew.
 */
export function stampIds(
	data: string,
	event: Record<string, unknown>,
	key: string,
	object: Record<string, unknown>,
	ids: ResponseIds,
): string {
	let text = data;
	for (const [field, value] of [
		["id", ids.id],
		["model", ids.model],
	] as const) {
		const old = object[field];
		const written = `"${field}":${JSON.stringify(old)}`;
		const at = typeof old === "string" ? text.indexOf(written) : -1;
		if (at < 0) return JSON.stringify({ ...event, [key]: { ...object, id: ids.id, model: ids.model } });
		text = `${text.slice(0, at)}"${field}":${JSON.stringify(value)}${text.slice(at + written.length)}`;
	}
	return text;
}
