import { TtlCache } from "../cache/ttl-cache";
import type { Env } from "../env";
import { sha256Hex } from "./crypto";
import { type KeyRecord, type KeyRow, toKeyRecord } from "./key-record";

/**
 * Key look-up, fastest first:
 *   1. a bounded in-isolate cache keyed by the presented key itself (no hashing and no binding call
 *      on a warm isolate: SHA-256 through crypto.subtle showed in every request's CPU profile),
 *   2. KV under `key:<sha256 hex>` (no D1 round-trip at the edge),
 *   3. D1, the source of truth; a hit is written back to KV.
 * Unknown and revoked keys are cached in memory too (as null), so a flood of bad keys cannot
 * reach D1 more than once per key and isolate per TTL.
 *
 * Staleness (see README): the isolate that handles a revocation forgets the key at once; any other
 * isolate may accept it for up to MEMORY_TTL_MS, plus up to KV's edge cache time (60 s) in other
 * locations. KV entries also expire after KV_TTL_SECONDS, which bounds the damage of a write-back
 * racing a revocation.
 */
const MEMORY_TTL_MS = 30_000;
const MEMORY_MAX_ENTRIES = 1_000;
const KV_TTL_SECONDS = 60;

/** Isolate memory only, never stored: the raw key is what the client sent with this very request. */
const memory = new TtlCache<string, { hash: string; record: KeyRecord | null }>({
	maxEntries: MEMORY_MAX_ENTRIES,
	ttlMs: MEMORY_TTL_MS,
});

export const kvKeyName = (hash: string) => `key:${hash}`;

export async function lookupKey(env: Env, presented: string, now = Date.now()): Promise<KeyRecord | null> {
	const cached = memory.get(presented, now);
	if (cached) return cached.record;

	const hash = await sha256Hex(presented);
	let record = await env.KEY_CACHE.get<KeyRecord>(kvKeyName(hash), "json");
	if (!record) {
		record = await readFromD1(env, hash);
		if (record)
			await env.KEY_CACHE.put(kvKeyName(hash), JSON.stringify(record), { expirationTtl: KV_TTL_SECONDS });
	}
	memory.set(presented, { hash, record }, now);
	return record;
}

export async function forgetCachedKey(env: Env, hash: string): Promise<void> {
	// Revocations are rare and the cache is bounded: a scan is cheaper than a second index.
	memory.deleteWhere((entry) => entry.hash === hash);
	await env.KEY_CACHE.delete(kvKeyName(hash));
}

async function readFromD1(env: Env, hash: string): Promise<KeyRecord | null> {
	const row = await env.DB.prepare("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")
		.bind(hash)
		.first<KeyRow>();
	return row ? toKeyRecord(row) : null;
}
