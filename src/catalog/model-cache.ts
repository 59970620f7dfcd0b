import { TtlCache } from "../cache/ttl-cache";
import { configOf } from "../config";
import type { Env } from "../env";
import { findModel } from "./models";
import type { CatalogModel } from "./types";

/**
 * Catalog look-ups on the hot path, cached per isolate for CATALOG_CACHE_MS (default 5 s) so that a
 * warm isolate makes no D1 call per request — one D1 read per request costs more CPU than the rest
 * of the gateway's work. The isolate that handles an admin change forgets the model at once; every
 * other isolate sees it within the cache time. CATALOG_CACHE_MS=0 reads D1 on every request.
 * Unknown ids are cached too (as null) so a client looping on a typo cannot make every request a
 * D1 read; the map is bounded.
 */
const MAX_ENTRIES = 500;
let cache: TtlCache<string, CatalogModel | null> | null = null;

/** The TTL is a setting: an isolate has one, so the cache is built again only if it changes. */
function cacheFor(ttlMs: number): TtlCache<string, CatalogModel | null> {
	if (cache?.ttlMs !== ttlMs) cache = new TtlCache({ maxEntries: MAX_ENTRIES, ttlMs });
	return cache;
}

export async function findModelCached(env: Env, id: string, now = Date.now()): Promise<CatalogModel | null> {
	const ttl = configOf(env).catalogCacheMs;
	if (ttl === 0) return findModel(env, id);
	const models = cacheFor(ttl);
	const hit = models.get(id, now);
	if (hit !== undefined) return hit;
	const model = await findModel(env, id);
	models.set(id, model, now);
	return model;
}

export function forgetCachedModel(id: string): void {
	cache?.delete(id);
}
