import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { findModel, listModels } from "../../../src/catalog/models";
import { BATCH_SIZE, RETRY_QUERIES, recordUsage, type UsageRow } from "../../../src/usage/recorder";

function row(id: string): UsageRow {
	return {
		id,
		keyId: "key_batch",
		model: "openai/batch",
		provider: "openai",
		upstreamModel: "batch",
		promptTokens: 1,
		completionTokens: 2,
		totalTokens: 3,
		cachedTokens: 0,
		cacheCreationTokens: 0,
		reasoningTokens: 0,
		costUsd: 0.5,
		outcome: "ok",
		status: 200,
		errorCode: null,
		streamed: false,
		latencyMs: 1,
		ttftMs: null,
		createdAt: Date.now(),
		attempts: [{ model: "openai/batch", status: 200, code: null, ms: 1 }],
		estimated: false,
		ingress: "chat",
	};
}

/**
 * The real local D1, with a hook before every statement's `run()` (it may wait or throw) and before
 * every `batch()`.
 */
function interceptedDb(
	beforeRun: (sql: string, values: unknown[]) => unknown,
	beforeBatch: () => void = () => {},
): D1Database {
	return new Proxy(env.DB, {
		get(target, prop) {
			if (prop === "batch") {
				return (statements: D1PreparedStatement[]) => {
					beforeBatch();
					return target.batch(statements);
				};
			}
			if (prop === "prepare") {
				return (sql: string) => ({
					bind: (...values: unknown[]) => ({
						run: async () => {
							await beforeRun(sql, values);
							return target
								.prepare(sql)
								.bind(...values)
								.run();
						},
					}),
				});
			}
			const value = Reflect.get(target, prop);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
}

/** The real local D1, with its calls counted: batching is about how many calls reach it. */
function countingDb() {
	const calls = { batch: 0, run: 0 };
	const db = interceptedDb(
		() => {
			calls.run += 1;
		},
		() => {
			calls.batch += 1;
		},
	);
	return { db, calls };
}

describe("usage recorder", () => {
	it("writes many concurrent rows in few D1 batches, all stored once every caller is done", async () => {
		const { db, calls } = countingDb();
		const count = BATCH_SIZE + 10;
		const prefix = `gate-batch-${crypto.randomUUID()}`;
		const ids = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
		const work = ids.map((id) => recordUsage({ ...env, DB: db }, row(id)));
		// Work to keep alive only for the batches' writers: the opener of each batch and the row that
		// filled the first one; every other request registers nothing.
		expect(work.map((w, i) => (w ? i : -1)).filter((i) => i >= 0)).toEqual([0, BATCH_SIZE - 1, BATCH_SIZE]);
		await Promise.all(work);
		// The callers that wrote a batch were among them: every row is stored by now.
		const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage WHERE id LIKE ?")
			.bind(`${prefix}-%`)
			.first("n");
		expect(stored).toBe(count);
		// One full batch and one more: 2 statements, no single-row writes.
		expect(calls).toEqual({ batch: 0, run: 2 });
	});

	it("only the request that opened a batch waits: the others add their row and are done", async () => {
		const [first, second] = [`gate-open-${crypto.randomUUID()}`, `gate-join-${crypto.randomUUID()}`];
		const stored = (id: string) => env.DB.prepare("SELECT id FROM usage WHERE id = ?").bind(id).first("id");
		// The opener's writes wait for this gate, so nothing is written while the joiner is checked,
		// however slow the machine.
		let open!: () => void;
		const gate = new Promise<void>((resolve) => {
			open = resolve;
		});
		const gated = interceptedDb(() => gate);
		const opener = recordUsage({ ...env, DB: gated }, row(first));
		expect(opener).toBeInstanceOf(Promise);
		// Joined an open batch: nothing to keep alive (no timer, no promise), its row not written yet.
		expect(recordUsage(env, row(second))).toBeUndefined();
		expect(await stored(second)).toBeNull();
		open();
		await opener;
		expect(await stored(first)).toBe(first);
		expect(await stored(second)).toBe(second);
	});

	it("stores a row that a failed batch lost, on its own", async () => {
		const id = `gate-retry-${crypto.randomUUID()}`;
		// The many-row statement fails; the row must still be written on its own.
		const failing = interceptedDb((sql) => {
			if (sql.includes("json_each")) throw new Error("D1 overloaded");
		});
		await recordUsage({ ...env, DB: failing }, row(id));
		expect(await env.DB.prepare("SELECT outcome FROM usage WHERE id = ?").bind(id).first("outcome")).toBe(
			"ok",
		);
	});

	it("writes the ingress and cache writes, in a batch and on its own", async () => {
		const [batched, single] = [`gate-cols-${crypto.randomUUID()}`, `gate-cols-${crypto.randomUUID()}`];
		const columns = (id: string) =>
			env.DB.prepare("SELECT ingress, cached_tokens, cache_creation_tokens FROM usage WHERE id = ?")
				.bind(id)
				.first();
		await recordUsage(env, {
			...row(batched),
			ingress: "messages",
			cachedTokens: 2000,
			cacheCreationTokens: 300,
		});
		expect(await columns(batched)).toEqual({
			ingress: "messages",
			cached_tokens: 2000,
			cache_creation_tokens: 300,
		});
		const failing = interceptedDb((sql) => {
			if (sql.includes("json_each")) throw new Error("D1 overloaded");
		});
		await recordUsage({ ...env, DB: failing }, { ...row(single), cacheCreationTokens: 7 });
		expect(await columns(single)).toEqual({ ingress: "chat", cached_tokens: 0, cache_creation_tokens: 7 });
	});

	describe("a batch D1 refuses", () => {
		afterEach(() => {
			vi.restoreAllMocks();
		});

		/** The real D1, except that any statement whose values `refuse` picks fails; runs are counted. */
		function refusingDb(refuse: (values: unknown[]) => boolean) {
			const runs = { count: 0 };
			const db = interceptedDb((_sql, values) => {
				runs.count++;
				if (refuse(values)) throw new Error("D1_ERROR: refused");
			});
			return { db, runs };
		}

		const stored = async (prefix: string) =>
			env.DB.prepare("SELECT id FROM usage WHERE id LIKE ? ORDER BY id")
				.bind(`${prefix}-%`)
				.all<{ id: string }>();

		it("is retried in halves: every good row is stored, the bad one is logged in full", async () => {
			const errors = vi.spyOn(console, "error").mockImplementation(() => {});
			const prefix = `gate-halves-${crypto.randomUUID()}`;
			const ids = Array.from({ length: 16 }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
			const bad = ids[11] as string;
			const { db, runs } = refusingDb((values) => values.some((v) => String(v).includes(bad)));
			const results = await Promise.allSettled(ids.map((id) => recordUsage({ ...env, DB: db }, row(id))));
			// Only the writer of the batch reports the loss.
			expect(results.filter((r) => r.status === "rejected")).toHaveLength(1);
			expect((await stored(prefix)).results.map((r) => r.id)).toEqual(ids.filter((id) => id !== bad));
			// 1 batch + 1 retry as a whole, then halves down to the bad row: 2·log2(16) more.
			expect(runs.count).toBe(2 + 2 * 4);
			expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
				{
					message: "usage row not stored",
					gate_id: bad,
					key_id: "key_batch",
					ingress: "chat",
					model: "openai/batch",
					provider: "openai",
					status: 200,
					outcome: "ok",
					error_code: null,
					streamed: false,
					latency_ms: 1,
					prompt_tokens: 1,
					completion_tokens: 2,
					cost_usd: 0.5,
					created_at: expect.any(Number),
					attempts: 1,
				},
			]);
		});

		it("spends at most RETRY_QUERIES more D1 queries when D1 is down, and logs every row it lost", async () => {
			const errors = vi.spyOn(console, "error").mockImplementation(() => {});
			const prefix = `gate-down-${crypto.randomUUID()}`;
			const ids = Array.from({ length: 100 }, (_, i) => `${prefix}-${i}`);
			const { db, runs } = refusingDb(() => true);
			await Promise.allSettled(ids.map((id) => recordUsage({ ...env, DB: db }, row(id))));
			expect(runs.count).toBe(1 + RETRY_QUERIES);
			const logged = errors.mock.calls.map(
				([line]) => (JSON.parse(String(line)) as { gate_id: string }).gate_id,
			);
			expect(logged.sort()).toEqual([...ids].sort());
		});
	});
});

describe("the demo model", () => {
	it("exists only where DEMO_MODEL is on", async () => {
		expect(await findModel(env, "demo/echo")).not.toBeNull();
		const off = { ...env, DEMO_MODEL: "off" };
		expect(await findModel(off, "demo/echo")).toBeNull();
		expect((await listModels(off, { enabledOnly: true })).map((m) => m.id)).not.toContain("demo/echo");
	});
});

describe("the catalog cache", () => {
	it("serves a warm isolate from memory for CATALOG_CACHE_MS, and reads D1 every time when it is 0", async () => {
		const { findModelCached } = await import("../../../src/catalog/model-cache");
		const id = `openai/cache-${crypto.randomUUID().slice(0, 8)}`;
		const insert = (upstream: string) =>
			env.DB.prepare(
				`INSERT OR REPLACE INTO models (id, provider, upstream_model, enabled, capabilities, created_at, updated_at)
				 VALUES (?, 'openai', ?, 1, '{}', 0, 0)`,
			)
				.bind(id, upstream)
				.run();
		await insert("first");
		expect((await findModelCached(env, id))?.upstreamModel).toBe("first");
		// Changed behind the gateway's back (not through the admin API, which forgets the entry).
		await insert("second");
		expect((await findModelCached(env, id))?.upstreamModel).toBe("first");
		expect((await findModelCached({ ...env, CATALOG_CACHE_MS: "0" }, id))?.upstreamModel).toBe("second");
		expect((await findModelCached(env, id, Date.now() + 10_000))?.upstreamModel).toBe("second");
	});
});

describe("usage retention", () => {
	it("deletes expired rows, oldest first, twice as many as each batch writes, only when USAGE_RETENTION_DAYS is set", async () => {
		// The deletion is not scoped to this test's rows: no other test in this file stores an old row.
		const prefix = `gate-old-${crypto.randomUUID()}`;
		const day = 24 * 60 * 60 * 1000;
		const now = Date.now();
		// Five rows from 40 days ago (a millisecond apart, oldest first) and one from 10 days ago.
		const ages = [40 * day + 5, 40 * day + 4, 40 * day + 3, 40 * day + 2, 40 * day + 1, 10 * day];
		for (const [i, age] of ages.entries()) {
			await env.DB.prepare(
				"INSERT INTO usage (id, key_id, model, outcome, status, latency_ms, created_at) VALUES (?, 'key_old', 'openai/old', 'ok', 200, 1, ?)",
			)
				.bind(`${prefix}-${i}`, now - age)
				.run();
		}
		const left = async () =>
			(
				await env.DB.prepare("SELECT id FROM usage WHERE id LIKE ? ORDER BY created_at")
					.bind(`${prefix}-%`)
					.all<{ id: string }>()
			).results.map((r) => r.id.slice(prefix.length + 1));
		const writeTwo = async (settings: Partial<typeof env>) => {
			const ids = [`${prefix}-new-${crypto.randomUUID()}`, `${prefix}-new-${crypto.randomUUID()}`];
			await Promise.all(ids.map((id) => recordUsage({ ...env, ...settings }, row(id))));
			return ids;
		};

		const kept = await writeTwo({});
		expect(await left()).toHaveLength(8);

		const written = await writeTwo({ USAGE_RETENTION_DAYS: "30" });
		// A batch of two rows deletes the four oldest expired ones; the fifth waits for the next batch.
		expect(await left()).toEqual(
			expect.arrayContaining(["4", "5", ...[...kept, ...written].map((id) => id.slice(prefix.length + 1))]),
		);
		expect(await left()).toHaveLength(6);
		expect((await left()).slice(0, 2)).toEqual(["4", "5"]);
		// The next batch takes the last expired row; the one from 10 days ago stays.
		await writeTwo({ USAGE_RETENTION_DAYS: "30" });
		expect(await left()).toHaveLength(7);
		expect((await left())[0]).toBe("5");
	});
});
