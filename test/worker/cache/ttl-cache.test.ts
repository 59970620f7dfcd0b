import { describe, expect, it } from "vitest";
import { TtlCache } from "../../../src/cache/ttl-cache";

/** A cache on a clock the test moves by hand. */
function cacheAt(maxEntries: number, ttlMs: number) {
	const clock = { now: 1_000 };
	const cache = new TtlCache<string, string | null>({ maxEntries, ttlMs, clock: () => clock.now });
	return { cache, clock };
}

describe("TtlCache", () => {
	it("answers a value until its TTL has passed, then forgets it", () => {
		const { cache, clock } = cacheAt(10, 100);
		cache.set("a", "A");
		clock.now += 99;
		expect(cache.get("a")).toBe("A");
		clock.now += 1;
		expect(cache.get("a")).toBeUndefined();
		// Dropped on that read, not merely hidden.
		expect(cache.size).toBe(0);
	});

	it("keeps a null value apart from a miss", () => {
		const { cache } = cacheAt(10, 100);
		cache.set("unknown", null);
		expect(cache.get("unknown")).toBeNull();
		expect(cache.get("never-set")).toBeUndefined();
	});

	it("takes the time of a call over its clock", () => {
		const { cache, clock } = cacheAt(10, 100);
		cache.set("a", "A", 5_000);
		expect(cache.get("a")).toBe("A");
		expect(cache.get("a", 5_099)).toBe("A");
		expect(cache.get("a", 5_100)).toBeUndefined();
		expect(clock.now).toBe(1_000);
	});

	it("never holds more than maxEntries, evicting the entry set longest ago", () => {
		const { cache } = cacheAt(3, 1_000);
		for (const key of ["a", "b", "c", "d"]) cache.set(key, key.toUpperCase());
		expect(cache.size).toBe(3);
		expect(cache.get("a")).toBeUndefined();
		expect([cache.get("b"), cache.get("c"), cache.get("d")]).toEqual(["B", "C", "D"]);
		cache.set("e", "E");
		expect(cache.get("b")).toBeUndefined();
		expect(cache.size).toBe(3);
	});

	it("evicts by the order of setting, not of reading", () => {
		const { cache } = cacheAt(2, 1_000);
		cache.set("a", "A");
		cache.set("b", "B");
		expect(cache.get("a")).toBe("A");
		cache.set("c", "C");
		expect(cache.get("a")).toBeUndefined();
		expect(cache.get("b")).toBe("B");
	});

	it("refreshes both the TTL and the place in the eviction order when a key is set again", () => {
		const { cache, clock } = cacheAt(2, 100);
		cache.set("a", "A");
		cache.set("b", "B");
		clock.now += 60;
		cache.set("a", "A2");
		expect(cache.size).toBe(2);
		clock.now += 60;
		// b's TTL has passed, a's was restarted by the second set.
		expect(cache.get("a")).toBe("A2");
		expect(cache.get("b")).toBeUndefined();

		const order = cacheAt(2, 1_000).cache;
		order.set("a", "A");
		order.set("b", "B");
		order.set("a", "A2");
		order.set("c", "C");
		// a was set again after b, so b is now the oldest.
		expect(order.get("b")).toBeUndefined();
		expect([order.get("a"), order.get("c")]).toEqual(["A2", "C"]);
	});

	it("forgets by key, and by value for invalidations keyed otherwise", () => {
		const { cache } = cacheAt(10, 1_000);
		cache.set("a", "x");
		cache.set("b", "y");
		cache.set("c", "x");
		cache.delete("b");
		cache.delete("missing");
		expect(cache.get("b")).toBeUndefined();
		cache.deleteWhere((value) => value === "x");
		expect(cache.size).toBe(0);
	});
});
