import type { Env } from "../env";
import type { JsonObject } from "../protocols/adapter";
import { type InputItemList, type ListOptions, pageInputItems } from "./items";
import {
	type Bodies,
	COLUMNS,
	checkRow,
	corrupt,
	inlineBodies,
	type Row,
	r2Bodies,
	type StoredResponse,
	toStored,
} from "./record";
import {
	deleteExpiredInline,
	EXPIRED_DELETED_PER_SAVE,
	responseRetentionDays,
	visibleSince,
} from "./retention";

/**
 * Stored Responses API responses (`store: true`): one D1 row each, scoped to the key that made it.
 * The three JSON bodies (input items, output items, the response object) sit in the row while they
 * are small, and in R2 as one object `responses/<id>.json` of the IMAGES bucket when together they
 * pass INLINE_LIMIT_BYTES. One bucket keeps one binding and one retention mechanism; the prefix keeps
 * them apart from images, whose route serves only `images/<22-character id>` keys.
 */

/**
 * D1 allows 2,000,000 bytes for a value and for a whole row (developers.cloudflare.com/d1/platform/limits),
 * and a query's result 50 MB. At 256 KiB a row stays far below the first, and a conversation of the
 * full 100 responses (one query) about half the second. Gemini's image signatures alone are 1.1 MB.
 */
export const INLINE_LIMIT_BYTES = 256 * 1024;
/** The longest previous_response_id chain followed, the asked response included. */
export const MAX_CONVERSATION_DEPTH = 100;

export const r2KeyForResponse = (id: string) => `responses/${id}.json`;

const utf8 = new TextEncoder();

/**
 * Stores a response. Throws what D1 or R2 threw (an id already stored is a D1 constraint error); a
 * failed row write deletes the R2 object it would have pointed to. With retention on, a few expired
 * inline rows go in the same D1 batch.
 */
export async function saveResponse(env: Env, record: StoredResponse): Promise<void> {
	const input = JSON.stringify(record.input);
	const output = JSON.stringify(record.output);
	const response = JSON.stringify(record.response);
	const size =
		utf8.encode(input).byteLength + utf8.encode(output).byteLength + utf8.encode(response).byteLength;
	const r2Key = size > INLINE_LIMIT_BYTES ? r2KeyForResponse(record.id) : null;
	if (r2Key !== null) {
		await env.IMAGES.put(r2Key, `{"input":${input},"output":${output},"response":${response}}`, {
			httpMetadata: { contentType: "application/json" },
			customMetadata: { keyId: record.keyId },
		});
	}
	const insert = env.DB.prepare(
		"INSERT INTO stored_responses (id, key_id, model, upstream_id, previous_response_id, input, output, response, r2_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	).bind(
		record.id,
		record.keyId,
		record.model,
		record.upstreamId,
		record.previousResponseId,
		r2Key === null ? input : null,
		r2Key === null ? output : null,
		r2Key === null ? response : null,
		r2Key,
		record.createdAt,
	);
	try {
		if (responseRetentionDays(env) === null) await insert.run();
		else
			await env.DB.batch([
				insert,
				deleteExpiredInline(env.DB, visibleSince(env, record.createdAt), EXPIRED_DELETED_PER_SAVE),
			]);
	} catch (error) {
		// No orphans: an object without its row would never be found by retention.
		if (r2Key !== null) await env.IMAGES.delete(r2Key).catch(() => {});
		throw error;
	}
}

/** The response with this id, if this key stored it and it has not expired; null otherwise. */
export async function loadResponse(env: Env, keyId: string, id: string): Promise<StoredResponse | null> {
	const raw = await env.DB.prepare(
		`SELECT ${COLUMNS} FROM stored_responses WHERE id = ? AND key_id = ? AND created_at >= ?`,
	)
		.bind(id, keyId, visibleSince(env, Date.now()))
		.first();
	const row = raw === null ? null : checkRow(raw);
	return row === null ? null : withBodies(env, row);
}

/** Deletes this key's response and its R2 object; false when there was none (or it had expired). */
export async function deleteResponse(env: Env, keyId: string, id: string): Promise<boolean> {
	const found = await env.DB.prepare(
		"SELECT r2_key FROM stored_responses WHERE id = ? AND key_id = ? AND created_at >= ?",
	)
		.bind(id, keyId, visibleSince(env, Date.now()))
		.first<{ r2_key: string | null }>();
	if (found === null) return false;
	// The object first: a row left by a failure here is deleted again, or expires, later.
	if (typeof found.r2_key === "string") await env.IMAGES.delete(found.r2_key);
	await env.DB.prepare("DELETE FROM stored_responses WHERE id = ? AND key_id = ?").bind(id, keyId).run();
	return true;
}

/** One page of the response's own input items (OpenAI's list shape); null when it is not this key's. */
export async function listInputItems(
	env: Env,
	keyId: string,
	id: string,
	options: ListOptions = {},
): Promise<InputItemList | null> {
	const stored = await loadResponse(env, keyId, id);
	return stored === null ? null : pageInputItems(stored.id, stored.input, options);
}

export interface Conversation {
	/** Each response's input items then its output items, oldest response first. */
	items: JsonObject[];
	/** The responses followed, oldest first; the last is the one asked for. */
	responses: StoredResponse[];
	/**
	 * Why the chain ends at a response that still names a predecessor, or null when it ends at the
	 * first response of the conversation: the predecessor is `missing` (deleted, expired, another
	 * key's or unreadable), the chain is longer than MAX_CONVERSATION_DEPTH (`too_deep`: the newest
	 * responses are kept), or it loops back (`cycle`; never written by the gateway).
	 */
	cut: "missing" | "too_deep" | "cycle" | null;
}

/**
 * The conversation up to and including this response, following previous_response_id, in one D1
 * query (a recursive CTE: a chain of 100 must not cost 100 of the Free plan's 50 queries), plus one
 * R2 read per response stored there. Null when the response is not this key's (or is unreadable).
 */
export async function conversationOf(env: Env, keyId: string, id: string): Promise<Conversation | null> {
	const since = visibleSince(env, Date.now());
	const visible = "s.key_id = ?2 AND s.created_at >= ?3";
	const { results } = await env.DB.prepare(
		`WITH RECURSIVE chain(id, depth) AS (
			SELECT ?1, 0
			UNION ALL
			SELECT s.previous_response_id, chain.depth + 1 FROM chain
			JOIN stored_responses s ON s.id = chain.id AND ${visible}
			WHERE s.previous_response_id IS NOT NULL AND chain.depth + 1 < ?4
		)
		SELECT ${COLUMNS.split(", ")
			.map((column) => `s.${column}`)
			.join(", ")}
		FROM chain JOIN stored_responses s ON s.id = chain.id AND ${visible}
		ORDER BY chain.depth`,
	)
		.bind(id, keyId, since, MAX_CONVERSATION_DEPTH)
		.all();

	// Newest first, as the query walks; stop at the first row seen again, or unreadable.
	const rows: Row[] = [];
	const seen = new Set<string>();
	let cut: Conversation["cut"] = null;
	for (const raw of results) {
		const row = checkRow(raw);
		if (row === null) {
			cut = "missing";
			break;
		}
		if (seen.has(row.id)) {
			cut = "cycle";
			break;
		}
		seen.add(row.id);
		rows.push(row);
	}
	const bodies = await Promise.all(rows.map((row) => bodiesOf(env, row)));
	const responses: StoredResponse[] = [];
	for (const [index, row] of rows.entries()) {
		const body = bodies[index];
		if (!body) {
			cut = "missing";
			break;
		}
		responses.push(toStored(row, body));
	}
	const last = responses.at(-1);
	if (last === undefined) return null;
	if (cut === null && last.previousResponseId !== null) {
		cut = responses.length === MAX_CONVERSATION_DEPTH ? "too_deep" : "missing";
	}
	responses.reverse();
	return { items: responses.flatMap((response) => [...response.input, ...response.output]), responses, cut };
}

async function withBodies(env: Env, row: Row): Promise<StoredResponse | null> {
	const bodies = await bodiesOf(env, row);
	return bodies === null ? null : toStored(row, bodies);
}

async function bodiesOf(env: Env, row: Row): Promise<Bodies | null> {
	if (row.r2_key === null) return inlineBodies(row);
	const object = await env.IMAGES.get(row.r2_key);
	if (object === null) return corrupt(row.id, "r2 object missing");
	return r2Bodies(row.id, await object.text());
}
