import { DAY_MS } from "../config";
import type { Env } from "../env";
import type { ProviderMetadata } from "../protocols/adapter";
import { parseMetadata, serializeMetadata } from "./metadata";

/**
 * Turn state: the provider metadata of an assistant turn that made tool calls, kept in D1 under the
 * turn's first tool call id and the key that made it, and found again when that key sends the tool
 * results back (clients echo every tool call id). It only matters while a tool loop runs, so rows
 * live 30 days whatever the usage retention; each write also deletes a few expired rows, which keeps
 * the table bounded by a month of traffic without a cron.
 */
const TURN_STATE_DAYS = 30;
const EXPIRED_DELETED_PER_WRITE = 4;
/** Ids per look-up: far below D1's 100 bound parameters per statement, with the key id beside them. */
const MAX_IDS = 64;

export async function keepTurnState(
	env: Env,
	keyId: string,
	toolCallIds: string[],
	metadata: ProviderMetadata,
): Promise<void> {
	const id = toolCallIds[0];
	const json = serializeMetadata(metadata);
	if (id === undefined || json === null) return;
	const now = Date.now();
	await env.DB.batch([
		env.DB.prepare(
			"INSERT OR REPLACE INTO turn_state (key_id, tool_call_id, provider_metadata, created_at) VALUES (?, ?, ?, ?)",
		).bind(keyId, id, json, now),
		// WITHOUT ROWID, so the oldest rows are picked by their primary key through the age index.
		env.DB.prepare(
			"DELETE FROM turn_state WHERE (key_id, tool_call_id) IN (SELECT key_id, tool_call_id FROM turn_state WHERE created_at < ? ORDER BY created_at LIMIT ?)",
		).bind(now - TURN_STATE_DAYS * DAY_MS, EXPIRED_DELETED_PER_WRITE),
	]);
}

/** The kept metadata by tool call id, for this key's turns only; unexpired rows only. */
export async function loadTurnState(
	env: Env,
	keyId: string,
	toolCallIds: string[],
): Promise<Map<string, ProviderMetadata>> {
	const ids = [...new Set(toolCallIds)].slice(-MAX_IDS);
	const found = new Map<string, ProviderMetadata>();
	if (ids.length === 0) return found;
	const { results } = await env.DB.prepare(
		`SELECT tool_call_id, provider_metadata FROM turn_state WHERE key_id = ? AND created_at >= ? AND tool_call_id IN (${ids.map(() => "?").join(", ")})`,
	)
		.bind(keyId, Date.now() - TURN_STATE_DAYS * DAY_MS, ...ids)
		.all<{ tool_call_id: string; provider_metadata: string }>();
	for (const row of results) found.set(row.tool_call_id, parseMetadata(row.provider_metadata));
	return found;
}
