import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { KeyLimiter } from "../../../src/limits/key-limiter";
import type { KeyLimits } from "../../../src/limits/key-limits";

const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);
const limits = (set: Partial<KeyLimits>): KeyLimits => ({
	budgetUsd: null,
	budgetPeriod: "total",
	rpm: null,
	tpm: null,
	...set,
});
const limiter = (name = crypto.randomUUID()) => env.KEY_LIMITER.get(env.KEY_LIMITER.idFromName(name));

/** What the limiter keeps in its own SQLite database: rows, and the counts they add up to. */
const stored = (stub: ReturnType<typeof limiter>) =>
	runInDurableObject(stub, (_, state) => ({
		admitted: state.storage.sql
			.exec<{ rows: number; requests: number }>(
				"SELECT COUNT(*) AS rows, SUM(requests) AS requests FROM admitted",
			)
			.one(),
		settled: state.storage.sql
			.exec<{ rows: number; tokens: number }>("SELECT COUNT(*) AS rows, SUM(tokens) AS tokens FROM settled")
			.one(),
	}));

/** As if the object had been evicted: the next call reads its counters back from storage. */
const restart = (stub: ReturnType<typeof limiter>) =>
	runInDurableObject(stub, (object) => {
		Reflect.set(object, "state", null);
		Reflect.set(object, "storedFrom", 0);
	});

describe("KeyLimiter", () => {
	it("counts a request against rpm for exactly 60 s after it was admitted", async () => {
		const stub = limiter();
		const rpm = limits({ rpm: 2 });
		expect(await stub.admit(rpm, T0)).toEqual({ ok: true });
		expect(await stub.admit(rpm, T0 + 10_000)).toEqual({ ok: true });
		expect(await stub.admit(rpm, T0 + 59_999)).toEqual({
			ok: false,
			code: "rate_limit_exceeded",
			message: "Rate limit reached: this API key may make 2 requests per minute.",
			retryAfter: 1,
		});
		expect(await stub.admit(rpm, T0 + 30_000)).toMatchObject({ ok: false, retryAfter: 30 });
		// The first request leaves the window at T0 + 60 s: one place free again.
		expect(await stub.admit(rpm, T0 + 60_000)).toEqual({ ok: true });
		expect(await stub.admit(rpm, T0 + 60_001)).toMatchObject({ ok: false, retryAfter: 10 });
	});

	it("refuses on tpm until enough settled tokens have left the window", async () => {
		const stub = limiter();
		const tpm = limits({ tpm: 20 });
		await stub.settle(tpm, T0, 10, 0, T0);
		await stub.settle(tpm, T0, 15, 0, T0 + 30_000);
		// 25 tokens in the window; 15 once the first 10 leave at T0 + 60 s.
		expect(await stub.admit(tpm, T0 + 31_000)).toEqual({
			ok: false,
			code: "rate_limit_exceeded",
			message: "Rate limit reached: this API key may use 20 tokens per minute.",
			retryAfter: 29,
		});
		expect(await stub.admit(tpm, T0 + 60_000)).toEqual({ ok: true });
		expect(await stub.snapshot(tpm, T0 + 60_000)).toEqual({ requests: 0, tokens: 15, spent: 0 });
		expect(await stub.snapshot(tpm, T0 + 90_000)).toEqual({ requests: 0, tokens: 0, spent: 0 });
	});

	it("stores a count per second of the window, whatever the key's traffic", async () => {
		const stub = limiter();
		const busy = limits({ rpm: 100_000, tpm: 100_000_000, budgetUsd: 1000 });
		// Five minutes of 20 requests a second, called in the object itself to save the round trips.
		const refused = await runInDurableObject(stub, async (object) => {
			const instance = object as KeyLimiter;
			let refusals = 0;
			for (let i = 0; i < 6000; i++) {
				const now = T0 + i * 50;
				if (!(await instance.admit(busy, now)).ok) refusals++;
				await instance.settle(busy, now, 7, 0.000001, now);
			}
			return refusals;
		});
		expect(refused).toBe(0);
		const now = T0 + 5999 * 50;
		expect(await stub.snapshot(busy, now)).toEqual({
			requests: 1200,
			tokens: 8400,
			spent: expect.closeTo(0.006, 9),
		});
		// Seconds 239 to 299 of the run; the first of them holds 20 requests that have just left the window.
		expect(await stored(stub)).toEqual({
			admitted: { rows: 61, requests: 1220 },
			settled: { rows: 61, tokens: 8540 },
		});
	});

	it("after a restart, counts each stored entry until the end of its second's window", async () => {
		const stub = limiter();
		const rpm = limits({ rpm: 2, budgetUsd: 1 });
		expect(await stub.admit(rpm, T0 + 100)).toEqual({ ok: true });
		expect(await stub.admit(rpm, T0 + 200)).toEqual({ ok: true });
		await stub.settle(rpm, T0, 30, 0.25, T0 + 300);
		await restart(stub);
		expect(await stub.snapshot(rpm, T0 + 60_100)).toEqual({ requests: 2, tokens: 30, spent: 0.25 });
		// Exactly, the first request left the window at T0 + 60.1 s; as stored, at T0 + 60.999 s.
		expect(await stub.admit(rpm, T0 + 60_150)).toMatchObject({ ok: false, retryAfter: 1 });
		expect(await stub.admit(rpm, T0 + 60_998)).toMatchObject({ ok: false });
		expect(await stub.admit(rpm, T0 + 60_999)).toEqual({ ok: true });
		expect(await stub.snapshot(rpm, T0 + 60_999)).toEqual({ requests: 1, tokens: 0, spent: 0.25 });
	});

	it("takes over the counters an earlier version stored as one value", async () => {
		const stub = limiter();
		await runInDurableObject(stub, async (_, state) => {
			await state.storage.put("state", {
				requests: [T0 - 30_000, T0 - 1000],
				tokens: [[T0 - 20_000, 40]],
				spent: { total: 0.5, "2026-10": 0.25 },
			});
		});
		const all = limits({ rpm: 2, tpm: 100, budgetUsd: 1 });
		expect(await stub.snapshot(all, T0)).toEqual({ requests: 2, tokens: 40, spent: 0.5 });
		expect(await stub.admit(all, T0)).toMatchObject({
			ok: false,
			code: "rate_limit_exceeded",
			// Stored per second: the older request counts until its second's end plus 60 s.
			retryAfter: 31,
		});
		expect(await stub.admit(limits({ budgetUsd: 0.5 }), T0)).toMatchObject({ code: "insufficient_quota" });
		expect(await runInDurableObject(stub, (_, state) => state.storage.get("state"))).toBeUndefined();
		expect(await stored(stub)).toEqual({
			admitted: { rows: 2, requests: 2 },
			settled: { rows: 1, tokens: 40 },
		});
	});

	it("keeps in storage a second whose requests are partly still in the window", async () => {
		const stub = limiter();
		const rpm = limits({ rpm: 10 });
		await stub.admit(rpm, T0 + 300);
		await stub.admit(rpm, T0 + 500);
		// Its window ends after the first request of second T0 and before the second one.
		await stub.admit(rpm, T0 + 60_400);
		await restart(stub);
		expect(await stub.snapshot(rpm, T0 + 60_400)).toMatchObject({ requests: 3 });
		expect(await stub.snapshot(rpm, T0 + 60_999)).toMatchObject({ requests: 1 });
	});

	it("after a restart, counts each entry until its second's end plus 60 s (random traffic, clocks up to 0.5 s apart)", async () => {
		const busy = limits({ rpm: 1_000_000, tpm: 1_000_000_000 });
		await fc.assert(
			fc.asyncProperty(
				fc.array(
					fc.record({
						gap: fc.integer({ min: 0, max: 1500 }),
						skew: fc.integer({ min: -500, max: 500 }),
						tokens: fc.integer({ min: 0, max: 50 }),
					}),
					{ minLength: 1, maxLength: 120 },
				),
				// Mostly just after the last request, where an entry near the window's edge decides.
				fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 90_000 })),
				async (steps, wait) => {
					const stub = limiter();
					let clock = T0;
					const made: Array<{ at: number; tokens: number }> = [];
					for (const step of steps) {
						clock += step.gap;
						const at = clock + step.skew;
						await stub.admit(busy, at);
						if (step.tokens > 0) await stub.settle(busy, at, step.tokens, 0, at);
						made.push({ at, tokens: step.tokens });
					}
					const now = Math.max(clock, ...made.map((m) => m.at)) + wait;
					await restart(stub);
					const counted = made.filter((m) => Math.floor(m.at / 1000) * 1000 + 999 > now - 60_000);
					expect(await stub.snapshot(busy, now)).toEqual({
						requests: counted.length,
						tokens: counted.reduce((sum, m) => sum + m.tokens, 0),
						spent: 0,
					});
				},
			),
			{ numRuns: 40 },
		);
	});
});
