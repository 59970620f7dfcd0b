import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Env } from "../../../src/env";
import worker from "../../../src/index";
import {
	CRON_QUERIES,
	expireStoredResponses,
	responseRetentionDays,
} from "../../../src/stored-responses/retention";
import {
	conversationOf,
	deleteResponse,
	INLINE_LIMIT_BYTES,
	listInputItems,
	loadResponse,
	r2KeyForResponse,
	saveResponse,
} from "../../../src/stored-responses/store";
import { newId, objectExists, record, row, userMessage } from "./records";

const DAY = 24 * 60 * 60 * 1000;
const KEY = "key-retention";

const withRetention = (days: string | undefined, db: D1Database = env.DB): Env => ({
	...env,
	DB: db,
	RESPONSE_RETENTION_DAYS: days,
});

/** A stored response at `createdAt`, in its row or (large) in R2. */
async function plant(hint: string, createdAt: number, large = false): Promise<string> {
	const id = newId(hint);
	const input = [userMessage(large ? "x".repeat(INLINE_LIMIT_BYTES) : "small")];
	await saveResponse(env, record({ id, keyId: KEY, input, createdAt }));
	return id;
}

const exists = async (id: string) => {
	const columns = await row(id);
	return { row: columns !== null, object: await objectExists(r2KeyForResponse(id)) };
};

/** `count` rows a millisecond apart from `createdAt` on, in one statement; `inR2` rows name an object. */
async function plantMany(hint: string, count: number, createdAt: number, inR2: boolean) {
	await env.DB.prepare(
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 - 1)
		 INSERT INTO stored_responses (id, key_id, model, input, output, response, r2_key, created_at)
		 SELECT 'resp_' || ?2 || i, ?3, 'm',
		   CASE WHEN ?4 THEN NULL ELSE '[]' END, CASE WHEN ?4 THEN NULL ELSE '[]' END, CASE WHEN ?4 THEN NULL ELSE '{}' END,
		   CASE WHEN ?4 THEN 'responses/resp_' || ?2 || i || '.json' ELSE NULL END, ?5 + i FROM n`,
	)
		.bind(count, hint, KEY, inR2 ? 1 : 0, createdAt)
		.run();
}

/** env.DB, counting the statements prepared through it. */
function counted(): { db: D1Database; queries: () => number } {
	let queries = 0;
	const db = new Proxy(env.DB, {
		get(target, prop) {
			if (prop === "prepare") {
				return (sql: string) => {
					queries += 1;
					return target.prepare(sql);
				};
			}
			const value = Reflect.get(target, prop);
			return typeof value === "function" ? value.bind(target) : value;
		},
	});
	return { db, queries: () => queries };
}

// Timestamps near the epoch: only this file plants responses that old, and its tests run in order.
describe("stored-response retention", () => {
	it("reads RESPONSE_RETENTION_DAYS as a positive number of days, or none", () => {
		for (const days of [undefined, "", "0", "-3"])
			expect(responseRetentionDays(withRetention(days))).toBeNull();
		expect(responseRetentionDays(withRetention("30"))).toBe(30);
		expect(() => responseRetentionDays(withRetention("soon"))).toThrow(
			"The gateway is misconfigured: RESPONSE_RETENTION_DAYS must be a number of days, not 'soon'.",
		);
	});

	it("deletes nothing, and hides nothing, when the setting is unset", async () => {
		const old = await plant("keep", 50_000);
		const oldInR2 = await plant("keepr2", 50_001, true);
		for (const days of [undefined, "0"])
			expect(await expireStoredResponses(withRetention(days), 100 * DAY)).toBe(0);
		expect(await exists(old)).toEqual({ row: true, object: false });
		expect(await exists(oldInR2)).toEqual({ row: true, object: true });
		expect(await loadResponse(env, KEY, old)).not.toBeNull();
		// Cleaned up for the next tests, which count what they delete.
		expect(await deleteResponse(env, KEY, old)).toBe(true);
		expect(await deleteResponse(env, KEY, oldInR2)).toBe(true);
	});

	it("deletes rows older than the setting with their R2 objects, and keeps newer ones", async () => {
		const old = [await plant("old", 1000), await plant("old", 1001), await plant("old", 1002)];
		const oldInR2 = [await plant("oldr2", 1003, true), await plant("oldr2", 1004, true)];
		const young = await plant("young", 10_000);
		const youngInR2 = await plant("youngr2", 10_001, true);
		const now = 2 * DAY + 5_000; // cutoff at 5 000 ms
		expect(await expireStoredResponses(withRetention("2"), now)).toBe(5);
		for (const id of [...old, ...oldInR2]) expect(await exists(id)).toEqual({ row: false, object: false });
		expect(await exists(young)).toEqual({ row: true, object: false });
		expect(await exists(youngInR2)).toEqual({ row: true, object: true });
		expect(await expireStoredResponses(withRetention("2"), now)).toBe(0);
		// The same rows at today's date are past 2 days, so every read already treats them as gone.
		const settings = withRetention("2");
		for (const id of [young, youngInR2]) {
			expect(await loadResponse(settings, KEY, id)).toBeNull();
			expect(await conversationOf(settings, KEY, id)).toBeNull();
			expect(await listInputItems(settings, KEY, id)).toBeNull();
			expect(await deleteResponse(settings, KEY, id)).toBe(false);
		}
		const fresh = await plant("fresh", Date.now() - DAY);
		expect(await loadResponse(settings, KEY, fresh)).not.toBeNull();
		expect(await expireStoredResponses(withRetention("2"), 20_000 + 2 * DAY)).toBe(2);
		expect(await exists(youngInR2)).toEqual({ row: false, object: false });
	});

	it("deletes a few expired rows with every response saved", async () => {
		const old = [await plant("save", 1), await plant("save", 2), await plant("save", 3)];
		const oldInR2 = await plant("saver2", 0, true);
		await saveResponse(withRetention("1"), record({ id: newId("new"), keyId: KEY }));
		// The two oldest inline rows; R2-backed rows are the cron's.
		expect(await Promise.all(old.map(async (id) => (await row(id)) !== null))).toEqual([false, false, true]);
		expect(await exists(oldInR2)).toEqual({ row: true, object: true });
		expect(await expireStoredResponses(withRetention("1"), DAY + 10)).toBe(2);
	});

	it(`stays within ${CRON_QUERIES} D1 queries a run, and goes on where it stopped`, async () => {
		await plantMany("manyr2-", 1001, 100, true);
		await plantMany("many-", 10_001, 100, false);
		const first = counted();
		expect(await expireStoredResponses(withRetention("1", first.db), DAY + 20_000)).toBe(11_000);
		expect(first.queries()).toBe(CRON_QUERIES);
		expect(CRON_QUERIES).toBe(6);
		const second = counted();
		expect(await expireStoredResponses(withRetention("1", second.db), DAY + 20_000)).toBe(2);
		// One R2 round (its SELECT and DELETE), one inline DELETE.
		expect(second.queries()).toBe(3);
	}, 30_000);

	it("runs from the daily cron", async () => {
		const old = await plant("cron", 30_000);
		const oldInR2 = await plant("cronr2", 30_001, true);
		const kept = await plant("cronkept", Date.now());
		const ctx = createExecutionContext();
		worker.scheduled(createScheduledController(), withRetention("1"), ctx);
		await waitOnExecutionContext(ctx);
		expect(await exists(old)).toEqual({ row: false, object: false });
		expect(await exists(oldInR2)).toEqual({ row: false, object: false });
		expect(await exists(kept)).toEqual({ row: true, object: false });
	});
});
