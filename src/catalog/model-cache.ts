import { configOf } from "../config";
import type { Env } from "../env";
import { type CatalogModel, findModel } from "./models";

/**
 * Catalog look-ups on the hot path, cached per isolate for CATALOG_CACHE_MS (default 5 s) so that a
 * warm isolate makes no D1 call per request — one D1 read per request costs more CPU than the rest
 * of the gateway's work. The isolate that handles an admin change forgets the model at once; every
 * other isolate sees it within the cache time. CATALOG_CACHE_MS=0 reads D1 on every request.
 * Unknown ids are cached too (as null) so a client looping on a typo cannot make every request a
 * D1 read; the map is bounded.
 */
const MAX_ENTRIES = 500;
const cache = new Map<string, { model: CatalogModel | null; expiresAt: number }>();

export async function findModelCached(env: Env, id: string, now = Date.now()): Promise<CatalogModel | null> {
	const ttl = configOf(env).catalogCacheMs;
	if (ttl === 0) return findModel(env, id);
	const hit = cache.get(id);
	if (hit && hit.expiresAt > now) return hit.model;
	const model = await findModel(env, id);
	cache.delete(id);
	if (cache.size >= MAX_ENTRIES) {
		const oldest = cache.keys().next().value;
		if (oldest !== undefined) cache.delete(oldest);
	}
	cache.set(id, { model, expiresAt: now + ttl });
	return model;
}

export function forgetCachedModel(id: string): void {
	cache.delete(id);
}
