import type { Env } from "../env";
import { randomToken, sha256Hex } from "./crypto";
import type { KeyRecord } from "./key-record";
import { forgetCachedKey } from "./lookup";

/** `sk-` and 32 random bytes (256 bits) in base64url. */
export function generateApiKey(): string {
	return `sk-${randomToken(32)}`;
}

/** Enough of a key to tell keys apart in a listing, far too little to guess the rest. */
export const displayPrefix = (key: string) => key.slice(0, 10);

export interface KeyListing {
	id: string;
	name: string;
	prefix: string;
	models: string[] | null;
	created_at: string;
	revoked_at: string | null;
}

interface KeyRow {
	id: string;
	name: string;
	prefix: string;
	models: string | null;
	created_at: number;
	revoked_at: number | null;
}

export async function createKey(
	env: Env,
	input: { name: string; models: string[] | null },
	now: number,
): Promise<{ record: KeyRecord; key: string; listing: KeyListing }> {
	const key = generateApiKey();
	const id = `key_${randomToken(12)}`;
	const hash = await sha256Hex(key);
	const models = input.models ? JSON.stringify(input.models) : null;
	await env.DB.prepare(
		"INSERT INTO api_keys (id, name, key_hash, prefix, models, created_at) VALUES (?, ?, ?, ?, ?, ?)",
	)
		.bind(id, input.name, hash, displayPrefix(key), models, now)
		.run();
	const record = { id, name: input.name, models: input.models };
	return {
		record,
		key,
		listing: toListing({
			id,
			name: input.name,
			prefix: displayPrefix(key),
			models,
			created_at: now,
			revoked_at: null,
		}),
	};
}

export async function listKeys(env: Env): Promise<KeyListing[]> {
	const { results } = await env.DB.prepare(
		"SELECT id, name, prefix, models, created_at, revoked_at FROM api_keys ORDER BY created_at, id",
	).all<KeyRow>();
	return results.map(toListing);
}

/** Marks the key revoked and drops it from every cache this isolate can reach. False if unknown. */
export async function revokeKey(env: Env, id: string, now: number): Promise<boolean> {
	const row = await env.DB.prepare("SELECT key_hash FROM api_keys WHERE id = ?")
		.bind(id)
		.first<{ key_hash: string }>();
	if (!row) return false;
	await env.DB.prepare("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?")
		.bind(now, id)
		.run();
	await forgetCachedKey(env, row.key_hash);
	return true;
}

function toListing(row: KeyRow): KeyListing {
	return {
		id: row.id,
		name: row.name,
		prefix: row.prefix,
		models: row.models ? (JSON.parse(row.models) as string[]) : null,
		created_at: new Date(row.created_at).toISOString(),
		revoked_at: row.revoked_at === null ? null : new Date(row.revoked_at).toISOString(),
	};
}
