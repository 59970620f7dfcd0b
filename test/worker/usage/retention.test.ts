import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../../src/index";
import { usageRetentionDays } from "../../../src/usage/retention";

const DAY = 24 * 60 * 60 * 1000;

/** `count` rows of one key, a millisecond apart from `createdAt` on, in one statement. */
async function plant(keyId: string, count: number, createdAt: number) {
	await env.DB.prepare(
		`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ? - 1)
		 INSERT INTO usage (id, key_id, model, outcome, status, latency_ms, created_at)
		 SELECT 'gate-' || ? || '-' || i, ?, 'openai/ret', 'ok', 200, 1, ? + i FROM n`,
	)
		.bind(count, keyId, keyId, createdAt)
		.run();
}

const count = async (keyId: string) =>
	env.DB.prepare("SELECT COUNT(*) AS n FROM usage WHERE key_id = ?").bind(keyId).first<number>("n");

async function runCron(settings: Record<string, string>) {
	const ctx = createExecutionContext();
	worker.scheduled(createScheduledController(), { ...env, ...settings }, ctx);
	await waitOnExecutionContext(ctx);
}

describe("usage retention, daily cron", () => {
	it("reads USAGE_RETENTION_DAYS as a positive number of days, or none", () => {
		for (const days of [undefined, "", "0", "-3"]) {
			expect(usageRetentionDays({ ...env, USAGE_RETENTION_DAYS: days })).toBeNull();
		}
		// A value that is no number is a configuration error, not a silent "keep forever".
		expect(() => usageRetentionDays({ ...env, USAGE_RETENTION_DAYS: "soon" })).toThrow(
			"The gateway is misconfigured: USAGE_RETENTION_DAYS must be a number of days, not 'soon'.",
		);
		expect(usageRetentionDays({ ...env, USAGE_RETENTION_DAYS: "30" })).toBe(30);
	});

	it("deletes every expired row, in statements of 5,000, and none while the setting is unset", async () => {
		const now = Date.now();
		const old = `key-old-${crypto.randomUUID()}`;
		const recent = `key-new-${crypto.randomUUID()}`;
		// More than one statement's worth of expired rows, and some from 29 days ago.
		await plant(old, 12_345, now - 40 * DAY);
		await plant(recent, 10, now - 29 * DAY);

		await runCron({});
		expect(await count(old)).toBe(12_345);

		await runCron({ USAGE_RETENTION_DAYS: "30" });
		expect(await count(old)).toBe(0);
		expect(await count(recent)).toBe(10);
	});
});
