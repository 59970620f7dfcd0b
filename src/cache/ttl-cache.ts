export interface TtlCacheOptions {
	maxEntries: number;
	ttlMs: number;
	/** The time source when a call passes none; tests replace it. */
	clock?: () => number;
}

/**
 * A bounded in-isolate cache whose entries expire a fixed time after they were set. When full, the
 * entry set longest ago goes first: a Map iterates in insertion order, so its first key is the
 * oldest and eviction needs no second structure. Values may be null, which lets callers remember a
 * miss; `get` answers undefined for "not cached".
 */
export class TtlCache<K, V> {
	readonly maxEntries: number;
	readonly ttlMs: number;
	private readonly clock: () => number;
	private readonly entries = new Map<K, { value: V; expiresAt: number }>();

	constructor(options: TtlCacheOptions) {
		this.maxEntries = options.maxEntries;
		this.ttlMs = options.ttlMs;
		this.clock = options.clock ?? Date.now;
	}

	get size(): number {
		return this.entries.size;
	}

	get(key: K, now = this.clock()): V | undefined {
		const entry = this.entries.get(key);
		if (!entry) return undefined;
		if (entry.expiresAt > now) return entry.value;
		this.entries.delete(key);
		return undefined;
	}

	set(key: K, value: V, now = this.clock()): void {
		// Deleted first so that a refreshed key moves to the young end instead of keeping its old place.
		this.entries.delete(key);
		if (this.entries.size >= this.maxEntries) {
			const oldest = this.entries.keys().next();
			if (!oldest.done) this.entries.delete(oldest.value);
		}
		this.entries.set(key, { value, expiresAt: now + this.ttlMs });
	}

	delete(key: K): void {
		this.entries.delete(key);
	}

	/** Forgets every entry whose value matches, for invalidations not keyed by the cache's own key. */
	deleteWhere(matches: (value: V) => boolean): void {
		for (const [key, entry] of this.entries) if (matches(entry.value)) this.entries.delete(key);
	}
}
