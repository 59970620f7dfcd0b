import type { Env } from "../env";
import { sha256Hex } from "./crypto";
import { type KeyRecord, type KeyRow, toKeyRecord } from "./key-record";

/**
 * Key look-up, fastest first:
 *   1. a bounded in-isolate cache keyed by the presented key itself (no hashing and no binding call
 *      on a warm isolate: SHA-256 through crypto.subtle was ~20 µs of every request's CPU),
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
const memory = new Map<string, { hash: string; record: KeyRecord | null; expiresAt: number }>();

export const kvKeyName = (hash: string) => `key:${hash}`;

export async function lookupKey(env: Env, presented: string, now = Date.now()): Promise<KeyRecord | null> {
	const cached = memory.get(presented);
	if (cached && cached.expiresAt > now) return cached.record;

	const hash = await sha256Hex(presented);
	let record = await env.KEY_CACHE.get<KeyRecord>(kvKeyName(hash), "json");
	if (!record) {
		record = await readFromD1(env, hash);
		if (record)
			await env.KEY_CACHE.put(kvKeyName(hash), JSON.stringify(record), { expirationTtl: KV_TTL_SECONDS });
	}
	remember(presented, hash, record, now);
	return record;
}

export async function forgetCachedKey(env: Env, hash: string): Promise<void> {
	// Revocations are rare and the cache is bounded: a scan is cheaper than a second index.
	for (const [presented, entry] of memory) if (entry.hash === hash) memory.delete(presented);
	await env.KEY_CACHE.delete(kvKeyName(hash));
}

function remember(presented: string, hash: string, record: KeyRecord | null, now: number): void {
	// A Map iterates in insertion order, so deleting the first entry evicts the oldest.
	memory.delete(presented);
	if (memory.size >= MEMORY_MAX_ENTRIES) {
		const oldest = memory.keys().next().value;
		if (oldest !== undefined) memory.delete(oldest);
	}
	memory.set(presented, { hash, record, expiresAt: now + MEMORY_TTL_MS });
}

async function readFromD1(env: Env, hash: string): Promise<KeyRecord | null> {
	const row = await env.DB.prepare("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")
		.bind(hash)
		.first<KeyRow>();
	return row ? toKeyRecord(row) : null;
}
