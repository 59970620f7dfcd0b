import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { monthWindow } from "../../src/auth/key-page";
import type { Env } from "../../src/env";
import { budgetSpent } from "../../src/limits/enforce";
import { budgetPeriodOf } from "../../src/limits/key-limits";
import { USAGE } from "../fakes/scenarios/openai";
import { admin, chat, createKey, gateway, putModel, uniqueModelId, usageRow } from "./helpers";

/**
 * The admin API's dashboard endpoints against the real local D1: usage rows are inserted directly
 * with SQL where a test needs exact times, latencies and outcomes; every test works on keys, models
 * and names of its own, so rows of other tests never enter its answers.
 */

const unique = () => crypto.randomUUID().slice(0, 8);

async function getJson<T = unknown>(path: string): Promise<{ status: number; body: T }> {
	const res = await admin(path);
	return { status: res.status, body: (await res.json()) as T };
}

interface UsageInsert {
	id: string;
	key_id: string;
	model: string;
	created_at: number;
	outcome?: string;
	status?: number;
	error_code?: string | null;
	ingress?: string;
	streamed?: number;
	prompt_tokens?: number;
	completion_tokens?: number;
	cost_usd?: number;
	latency_ms?: number;
	ttft_ms?: number | null;
	attempts?: string;
}

/** Usage rows as the recorder writes them (src/usage/recorder.ts), with the fields a test names. */
async function insertUsage(rows: UsageInsert[]): Promise<void> {
	const statement = env.DB.prepare(
		`INSERT INTO usage (id, key_id, model, provider, upstream_model, ingress, prompt_tokens, completion_tokens,
			total_tokens, cost_usd, outcome, status, error_code, streamed, latency_ms, ttft_ms, created_at, attempts)
		 VALUES (?, ?, ?, 'openai', 'upstream', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	);
	await env.DB.batch(
		rows.map((r) => {
			const prompt = r.prompt_tokens ?? 10;
			const completion = r.completion_tokens ?? 5;
			return statement.bind(
				r.id,
				r.key_id,
				r.model,
				r.ingress ?? "chat",
				prompt,
				completion,
				prompt + completion,
				r.cost_usd ?? 0.5,
				r.outcome ?? "ok",
				r.status ?? 200,
				r.error_code ?? null,
				r.streamed ?? 0,
				r.latency_ms ?? 100,
				r.ttft_ms ?? null,
				r.created_at,
				r.attempts ?? '[{"model":"m","status":200,"code":null,"ms":90}]',
			);
		}),
	);
}

interface Page<T> {
	data: T[];
	next_cursor: string | null;
}

interface KeySpend {
	id: string;
	spent_usd: number;
	budget_spent_usd: number | null;
}

/** Follows next_cursor from the first page to the last; every page but the last is full. */
async function allPages<T>(path: string, limit: number): Promise<T[][]> {
	const pages: T[][] = [];
	let cursor: string | null = null;
	do {
		const separator = path.includes("?") ? "&" : "?";
		const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
		const { status, body }: { status: number; body: Page<T> } = await getJson<Page<T>>(
			`${path}${separator}${query}`,
		);
		expect(status).toBe(200);
		pages.push(body.data);
		if (body.next_cursor !== null) expect(body.data).toHaveLength(limit);
		cursor = body.next_cursor;
		expect(pages.length).toBeLessThan(1000);
	} while (cursor !== null);
	return pages;
}

const HOUR = 3_600_000;

describe("GET /admin/keys: pages, search and spend", () => {
	it("pages newest first through keys with equal creation times, without duplicates or gaps", async () => {
		const tag = unique();
		const at = Date.UTC(2026, 0, 5, 10, 0, 0);
		// Five keys made in the same millisecond, and two older: the id decides between equal times.
		const ids = ["key_t1", "key_t2", "key_t3", "key_t4", "key_t5", "key_t6", "key_t7"].map(
			(id) => `${id}_${tag}`,
		);
		const times = [at, at, at, at, at, at - 1, at - 2];
		await env.DB.batch(
			ids.map((id, i) =>
				env.DB.prepare(
					"INSERT INTO api_keys (id, name, key_hash, prefix, created_at) VALUES (?, ?, ?, 'sk-pagepag', ?)",
				).bind(id, `pager-${tag}-${i}`, `hash-${id}`, times[i] as number),
			),
		);
		const pages = await allPages<{ id: string }>(`/admin/keys?q=pager-${tag}`, 2);
		expect(pages.map((page) => page.length)).toEqual([2, 2, 2, 1]);
		expect(pages.flat().map((key) => key.id)).toEqual([
			`key_t5_${tag}`,
			`key_t4_${tag}`,
			`key_t3_${tag}`,
			`key_t2_${tag}`,
			`key_t1_${tag}`,
			`key_t6_${tag}`,
			`key_t7_${tag}`,
		]);
		expect(pages[0]?.[0]).toEqual({
			id: `key_t5_${tag}`,
			name: `pager-${tag}-4`,
			prefix: "sk-pagepag",
			models: null,
			budget_usd: null,
			budget_period: "total",
			rpm: null,
			tpm: null,
			created_at: "2026-01-05T10:00:00.000Z",
			revoked_at: null,
			spent_usd: 0,
			budget_spent_usd: null,
		});
		// Never a hash, in any page.
		const text = await (await admin(`/admin/keys?q=pager-${tag}`)).text();
		expect(text).not.toContain("hash-");
	});

	it("lists every key once when paged without a search, revoked ones included", async () => {
		const { id: revoked } = await createKey(undefined, `revoked-${unique()}`);
		expect((await admin(`/admin/keys/${revoked}`, { method: "DELETE" })).status).toBe(200);
		const listed = (await allPages<{ id: string; revoked_at: string | null }>("/admin/keys", 3)).flat();
		const ids = listed.map((key) => key.id);
		expect(new Set(ids).size).toBe(ids.length);
		const stored = await env.DB.prepare("SELECT id FROM api_keys ORDER BY created_at DESC, id DESC").all<{
			id: string;
		}>();
		expect(ids).toEqual(stored.results.map((row) => row.id));
		expect(listed.find((key) => key.id === revoked)?.revoked_at).toEqual(expect.any(String));
	});

	it("answers the default page of 50 with the shape of a created key, minus the key, plus its spend", async () => {
		const res = await admin("/admin/keys", {
			method: "POST",
			body: JSON.stringify({ name: `shape-${unique()}`, models: ["openai/gpt-5.5"], rpm: 60 }),
		});
		const { key, ...listing } = (await res.json()) as { key: string; name: string };
		const { status, body } = await getJson<Page<unknown>>(
			`/admin/keys?q=${encodeURIComponent(listing.name)}`,
		);
		expect(status).toBe(200);
		// No budget: nothing for a limiter to tell.
		expect(body).toEqual({ data: [{ ...listing, spent_usd: 0, budget_spent_usd: null }], next_cursor: null });
		expect(JSON.stringify(body)).not.toContain(key);
		const first = await getJson<Page<unknown>>("/admin/keys");
		expect(first.body.data.length).toBeLessThanOrEqual(50);
	});

	it("searches names and prefixes ignoring case, LIKE's wildcards taken literally", async () => {
		const tag = unique();
		const { id: literal } = await createKey(undefined, `Cost-100%_Team-${tag}`);
		const { id: other } = await createKey(undefined, `cost-100xxteam-${tag}`);
		const search = async (q: string) =>
			(await getJson<Page<{ id: string }>>(`/admin/keys?q=${encodeURIComponent(q)}`)).body.data
				.map((key) => key.id)
				.sort();
		expect(await search(`100%_TEAM-${tag}`)).toEqual([literal]);
		expect(await search(`COST-100`).then((ids) => ids.filter((id) => [literal, other].includes(id)))).toEqual(
			[literal, other].sort(),
		);
		expect(await search(`%-${tag}`)).toEqual([]);
		expect(await search(`_ost-100xxteam-${tag}`)).toEqual([]);
		// The prefix is the key's first ten characters.
		const created = (await (
			await admin("/admin/keys", { method: "POST", body: JSON.stringify({ name: `by-prefix-${tag}` }) })
		).json()) as { id: string; prefix: string };
		expect(await search(created.prefix.toUpperCase().replace("SK-", "sk-"))).toContain(created.id);
	});

	it("spent_usd is all time for a total budget and this UTC month for a monthly one, as the limiter counts", async () => {
		const now = Date.now();
		const month = monthWindow(now);
		// The window is the limiter's period: the month budgetPeriodOf names for now.
		const monthly = { budgetUsd: 1, budgetPeriod: "monthly" as const, rpm: null, tpm: null };
		for (const t of [month.start, month.end - 1])
			expect(budgetPeriodOf(monthly, t)).toBe(budgetPeriodOf(monthly, now));
		for (const t of [month.start - 1, month.end])
			expect(budgetPeriodOf(monthly, t)).not.toBe(budgetPeriodOf(monthly, now));

		const tag = unique();
		const make = async (budget_period: string) =>
			(
				(await (
					await admin("/admin/keys", {
						method: "POST",
						body: JSON.stringify({ name: `spend-${budget_period}-${tag}`, budget_usd: 100, budget_period }),
					})
				).json()) as { id: string }
			).id;
		const totalKey = await make("total");
		const monthlyKey = await make("monthly");
		const rows = (keyId: string): UsageInsert[] => [
			{ id: `${keyId}-a`, key_id: keyId, model: "m", created_at: month.start - 1, cost_usd: 1 },
			{ id: `${keyId}-b`, key_id: keyId, model: "m", created_at: month.start, cost_usd: 0.25 },
			{
				id: `${keyId}-c`,
				key_id: keyId,
				model: "m",
				created_at: Math.max(month.start, now - 1000),
				cost_usd: 0.125,
			},
			{ id: `${keyId}-d`, key_id: keyId, model: "m", created_at: month.start - 40 * 86_400_000, cost_usd: 2 },
			{
				id: `${keyId}-e`,
				key_id: keyId,
				model: "m",
				created_at: now - 2000,
				cost_usd: 0.1 + 0.2,
				outcome: "upstream_error",
			},
		];
		await insertUsage([...rows(totalKey), ...rows(monthlyKey)]);
		const spent = async (name: string) => {
			const key = (await getJson<Page<KeySpend>>(`/admin/keys?q=${name}`)).body.data[0];
			return [key?.spent_usd, key?.budget_spent_usd];
		};
		// Rows written with SQL were never booked by the keys' limiters: nothing counts against the budgets.
		expect(await spent(`spend-total-${tag}`)).toEqual([3.675, 0]);
		expect(await spent(`spend-monthly-${tag}`)).toEqual([0.675, 0]);
	});

	it("budget_spent_usd is what the limiter booked, and stays when the usage rows are deleted", async () => {
		const model = uniqueModelId("openai", "dash-budget");
		await putModel(model, { provider: "openai", upstream_model: "text", input_price: 1, output_price: 2 });
		const name = `budget-${unique()}`;
		const created = (await (
			await admin("/admin/keys", {
				method: "POST",
				body: JSON.stringify({ name, budget_usd: 5, budget_period: "monthly" }),
			})
		).json()) as { id: string; key: string };
		const gateIds: string[] = [];
		for (let i = 0; i < 2; i++) {
			const res = await chat(created.key, { model, messages: [{ role: "user", content: "hi" }] });
			expect(res.status).toBe(200);
			await res.body?.cancel();
			gateIds.push(res.headers.get("x-request-id") ?? "");
		}
		const rows = await Promise.all(gateIds.map((id) => usageRow(id)));
		// 19 prompt tokens at $1/M and 10 completion tokens at $2/M, twice.
		const booked = (2 * (USAGE.prompt_tokens * 1 + USAGE.completion_tokens * 2)) / 1e6;
		expect(rows.reduce((sum, row) => sum + Number(row.cost_usd), 0)).toBeCloseTo(booked, 12);
		const listed = async () => (await getJson<Page<KeySpend>>(`/admin/keys?q=${name}`)).body.data[0];
		// The limiter books after the response, as the usage row is written: wait for both.
		let key = await listed();
		for (let i = 0; i < 100 && key?.budget_spent_usd !== booked; i++) {
			await new Promise((resolve) => setTimeout(resolve, 20));
			key = await listed();
		}
		expect(key).toMatchObject({ id: created.id, spent_usd: booked, budget_spent_usd: booked });
		const limits = { budgetUsd: 5, budgetPeriod: "monthly" as const, rpm: null, tpm: null };
		const snapshot = await env.KEY_LIMITER.get(env.KEY_LIMITER.idFromName(created.id)).snapshot(
			limits,
			Date.now(),
		);
		expect(snapshot.spent).toBeCloseTo(booked, 12);

		// Retention deleted the rows: the usage table forgets the spend, the budget does not.
		await env.DB.prepare("DELETE FROM usage WHERE key_id = ?").bind(created.id).run();
		expect(await listed()).toMatchObject({ spent_usd: 0, budget_spent_usd: booked });

		// A revoked key asks no limiter.
		expect((await admin(`/admin/keys/${created.id}`, { method: "DELETE" })).status).toBe(200);
		expect(await listed()).toMatchObject({ spent_usd: 0, budget_spent_usd: null });
	});

	it("budgetSpent answers null when the limiter cannot be read", async () => {
		const broken = {
			KEY_LIMITER: {
				idFromName: () => {
					throw new Error("no Durable Objects today");
				},
			},
		} as unknown as Env;
		const limits = { budgetUsd: 1, budgetPeriod: "total" as const, rpm: null, tpm: null };
		const logged = vi.spyOn(console, "error").mockImplementation(() => {});
		try {
			expect(await budgetSpent(broken, "key_x", limits, Date.now())).toBeNull();
			// The key's id, never what went wrong (an error's text may carry anything).
			expect(logged.mock.calls).toEqual([
				[JSON.stringify({ message: "the key's limiter could not be read", key_id: "key_x" })],
			]);
		} finally {
			logged.mockRestore();
		}
		expect(await budgetSpent(env as Env, `key_fresh_${unique()}`, limits, Date.now())).toBe(0);
	});
});

interface RequestItem {
	id: string;
	created_at: string;
	key_id: string;
	key_name: string | null;
	model: string;
	outcome: string;
}

describe("GET /admin/requests", () => {
	it("pages newest first through equal times without duplicates or gaps, every field of a row", async () => {
		const tag = unique();
		const { id: keyId } = await createKey(undefined, `requests-${tag}`);
		const at = Date.UTC(2026, 2, 1, 8, 30, 0);
		await insertUsage([
			{ id: `gate-r1-${tag}`, key_id: keyId, model: "openai/a", created_at: at - 5000 },
			{ id: `gate-r2-${tag}`, key_id: keyId, model: "openai/a", created_at: at },
			{ id: `gate-r3-${tag}`, key_id: keyId, model: "openai/b", created_at: at },
			{ id: `gate-r4-${tag}`, key_id: keyId, model: "openai/a", created_at: at },
			{ id: `gate-r5-${tag}`, key_id: keyId, model: "openai/b", created_at: at + 1 },
			{ id: `gate-r6-${tag}`, key_id: keyId, model: "openai/a", created_at: at + 2 },
			{
				id: `gate-r7-${tag}`,
				key_id: keyId,
				model: "openai/b",
				created_at: at + 3,
				outcome: "upstream_error",
				status: 502,
				error_code: "upstream_error",
				ingress: "messages",
				streamed: 1,
				prompt_tokens: 12,
				completion_tokens: 0,
				cost_usd: 0.000012,
				latency_ms: 1234,
				ttft_ms: null,
				attempts:
					'[{"model":"openai/b","status":502,"code":"upstream_error","ms":600},{"model":"openai/b","status":502,"code":"upstream_error","ms":630}]',
			},
		]);
		const pages = await allPages<RequestItem>(`/admin/requests?key_id=${keyId}`, 3);
		expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
		expect(pages.flat().map((row) => row.id)).toEqual(
			["r7", "r6", "r5", "r4", "r3", "r2", "r1"].map((r) => `gate-${r}-${tag}`),
		);
		const { body } = await getJson<Page<RequestItem>>(`/admin/requests?key_id=${keyId}&limit=2`);
		expect(body).toEqual({
			data: [
				{
					id: `gate-r7-${tag}`,
					created_at: "2026-03-01T08:30:00.003Z",
					key_id: keyId,
					key_name: `requests-${tag}`,
					model: "openai/b",
					ingress: "messages",
					status: 502,
					outcome: "upstream_error",
					error_code: "upstream_error",
					streamed: true,
					prompt_tokens: 12,
					completion_tokens: 0,
					total_tokens: 12,
					cost_usd: 0.000012,
					latency_ms: 1234,
					ttft_ms: null,
					attempts: 2,
				},
				{
					id: `gate-r6-${tag}`,
					created_at: "2026-03-01T08:30:00.002Z",
					key_id: keyId,
					key_name: `requests-${tag}`,
					model: "openai/a",
					ingress: "chat",
					status: 200,
					outcome: "ok",
					error_code: null,
					streamed: false,
					prompt_tokens: 10,
					completion_tokens: 5,
					total_tokens: 15,
					cost_usd: 0.5,
					latency_ms: 100,
					ttft_ms: null,
					attempts: 1,
				},
			],
			next_cursor: expect.any(String),
		});
	});

	it("filters by model, outcome and a [from, to) window, and names no key it does not know", async () => {
		const tag = unique();
		const { id: keyId } = await createKey(undefined, `filters-${tag}`);
		const at = Date.UTC(2026, 3, 10, 0, 0, 0);
		const orphan = `key_gone_${tag}`;
		await insertUsage([
			{ id: `gate-f1-${tag}`, key_id: keyId, model: "openai/x", created_at: at - 1 },
			{
				id: `gate-f2-${tag}`,
				key_id: keyId,
				model: "openai/x",
				created_at: at,
				outcome: "rejected",
				attempts: "[]",
			},
			{ id: `gate-f3-${tag}`, key_id: keyId, model: "openai/y", created_at: at + HOUR - 1 },
			{ id: `gate-f4-${tag}`, key_id: keyId, model: "openai/x", created_at: at + HOUR, attempts: "not json" },
			{ id: `gate-f5-${tag}`, key_id: orphan, model: "openai/x", created_at: at },
		]);
		const ids = async (query: string) =>
			(await getJson<Page<RequestItem>>(`/admin/requests?${query}`)).body.data.map((row) => row.id);
		expect(await ids(`key_id=${keyId}&model=openai/x`)).toEqual([
			`gate-f4-${tag}`,
			`gate-f2-${tag}`,
			`gate-f1-${tag}`,
		]);
		expect(await ids(`key_id=${keyId}&outcome=rejected`)).toEqual([`gate-f2-${tag}`]);
		expect(await ids(`key_id=${keyId}&outcome=ok&model=openai/x`)).toEqual([
			`gate-f4-${tag}`,
			`gate-f1-${tag}`,
		]);
		const from = new Date(at).toISOString();
		const to = new Date(at + HOUR).toISOString();
		expect(await ids(`key_id=${keyId}&from=${from}&to=${to}`)).toEqual([`gate-f3-${tag}`, `gate-f2-${tag}`]);
		const rows = (await getJson<Page<RequestItem & { attempts: number }>>(`/admin/requests?key_id=${keyId}`))
			.body.data;
		// A refused request made no upstream try; a row whose attempts are not a JSON array counts none.
		expect(rows.map((row) => [row.id, row.attempts])).toEqual([
			[`gate-f4-${tag}`, 0],
			[`gate-f3-${tag}`, 1],
			[`gate-f2-${tag}`, 0],
			[`gate-f1-${tag}`, 1],
		]);
		const gone = (await getJson<Page<RequestItem>>(`/admin/requests?key_id=${orphan}`)).body.data;
		expect(gone.map((row) => [row.id, row.key_name])).toEqual([[`gate-f5-${tag}`, null]]);
	});

	it("counts the upstream tries as attempts, not the fallbacks skipped without a call", async () => {
		const tag = unique();
		const { id: keyId } = await createKey(undefined, `attempts-${tag}`);
		const at = Date.UTC(2026, 3, 12, 0, 0, 0);
		const tried = (model: string, status: number) => ({
			model,
			status,
			code: status === 200 ? null : "upstream_error",
			ms: 300,
		});
		// As src/engine/dispatch.ts records a fallback that is unknown, disabled or not allowed.
		const skipped = (model: string) => ({
			model,
			status: 404,
			code: "model_not_found",
			ms: 0,
			skipped: true,
		});
		const row = (n: number, attempts: string): UsageInsert => ({
			id: `gate-a${n}-${tag}`,
			key_id: keyId,
			model: "openai/a",
			created_at: at - n,
			attempts,
		});
		await insertUsage([
			row(1, JSON.stringify([tried("openai/a", 502), skipped("openai/gone"), tried("openai/b", 200)])),
			row(2, JSON.stringify([tried("openai/a", 502), skipped("openai/gone"), skipped("openai/off")])),
			row(3, JSON.stringify([skipped("openai/gone")])),
			// Hand-edited rows: an entry that is no object still counts; an object is no array.
			row(4, JSON.stringify(["x", { model: "m", skipped: false }])),
			row(5, JSON.stringify(tried("openai/a", 200))),
		]);
		const rows = (await getJson<Page<RequestItem & { attempts: number }>>(`/admin/requests?key_id=${keyId}`))
			.body.data;
		expect(rows.map((r) => [r.id, r.attempts])).toEqual([
			[`gate-a1-${tag}`, 2],
			[`gate-a2-${tag}`, 1],
			[`gate-a3-${tag}`, 0],
			[`gate-a4-${tag}`, 2],
			[`gate-a5-${tag}`, 0],
		]);
	});

	it("lists a request made through the gateway, with its recorded attempt", async () => {
		const model = uniqueModelId("openai", "dash-chat");
		await putModel(model, { provider: "openai", upstream_model: "text" });
		const { id: keyId, key } = await createKey(undefined, `live-${unique()}`);
		const res = await chat(key, { model, messages: [{ role: "user", content: "hi" }] });
		expect(res.status).toBe(200);
		const gateId = res.headers.get("x-request-id");
		let rows: Array<RequestItem & { attempts: number }> = [];
		for (let i = 0; i < 100 && rows.length === 0; i++) {
			rows = (await getJson<Page<RequestItem & { attempts: number }>>(`/admin/requests?key_id=${keyId}`)).body
				.data;
			if (rows.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
		}
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ id: gateId, model, outcome: "ok", status: 200, attempts: 1 });
	});
});

describe("GET /admin/usage: hours and errors", () => {
	it("groups by UTC hour, counting the requests whose outcome is not ok", async () => {
		const tag = unique();
		const { id: keyId } = await createKey(undefined, `hours-${tag}`);
		const hour = Date.UTC(2026, 4, 20, 10, 0, 0);
		await insertUsage([
			{ id: `gate-h1-${tag}`, key_id: keyId, model: "m1", created_at: hour, cost_usd: 0.25 },
			{
				id: `gate-h2-${tag}`,
				key_id: keyId,
				model: "m1",
				created_at: hour + HOUR - 1,
				outcome: "client_disconnected",
				cost_usd: 0.125,
			},
			{
				id: `gate-h3-${tag}`,
				key_id: keyId,
				model: "m2",
				created_at: hour + HOUR,
				outcome: "upstream_error",
			},
			{ id: `gate-h4-${tag}`, key_id: keyId, model: "m2", created_at: hour + 3 * HOUR + 59_000, cost_usd: 1 },
		]);
		const totals = (requests: number, cost: number, errors: number) => ({
			requests,
			prompt_tokens: 10 * requests,
			completion_tokens: 5 * requests,
			total_tokens: 15 * requests,
			cost,
			errors,
		});
		expect((await getJson(`/admin/usage?group_by=hour&key_id=${keyId}`)).body).toEqual({
			data: [
				{ group: "2026-05-20T10:00Z", ...totals(2, 0.375, 1) },
				{ group: "2026-05-20T11:00Z", ...totals(1, 0.5, 1) },
				{ group: "2026-05-20T13:00Z", ...totals(1, 1, 0) },
			],
		});
		expect((await getJson(`/admin/usage?group_by=day&key_id=${keyId}`)).body).toEqual({
			data: [{ group: "2026-05-20", ...totals(4, 1.875, 2) }],
		});
		expect((await getJson(`/admin/usage?group_by=key&key_id=${keyId}`)).body).toEqual({
			data: [{ group: keyId, ...totals(4, 1.875, 2), key_name: `hours-${tag}` }],
		});
		expect(
			(
				await getJson(
					`/admin/usage?group_by=model&key_id=${keyId}&from=2026-05-20T10:30Z&to=2026-05-20T14:00Z`,
				)
			).body,
		).toEqual({
			data: [
				{ group: "m1", ...totals(1, 0.125, 1) },
				{ group: "m2", ...totals(2, 1.5, 1) },
			],
		});
	});
});

describe("GET /admin/usage/models", () => {
	it("gives nearest-rank p50 and p95 latencies, error rates and cost per model, the most expensive first", async () => {
		const tag = unique();
		const { id: keyId } = await createKey(undefined, `latency-${tag}`);
		const at = Date.UTC(2026, 5, 1, 0, 0, 0);
		// Latencies 1..100 ms in a shuffled order, every tenth request failed.
		const latencies = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
		const rows: UsageInsert[] = latencies.map((latency, i) => ({
			id: `gate-p${i}-${tag}`,
			key_id: keyId,
			model: "openai/hundred",
			created_at: at + i,
			latency_ms: latency,
			outcome: i % 10 === 0 ? "upstream_error" : "ok",
			cost_usd: 0.01,
		}));
		// Ties: 5, 5, 5, 10 → rank 2 (p50) is 5, rank 4 (p95) is 10.
		for (const [i, latency] of [5, 10, 5, 5].entries())
			rows.push({
				id: `gate-t${i}-${tag}`,
				key_id: keyId,
				model: "openai/ties",
				created_at: at + i,
				latency_ms: latency,
				cost_usd: 2,
			});
		// The gateway's own refusals never reached a model: left out of requests, errors and latencies.
		rows.push({
			id: `gate-one-${tag}`,
			key_id: keyId,
			model: "openai/one",
			created_at: at,
			latency_ms: 7,
			cost_usd: 0,
			outcome: "rejected",
			status: 404,
			attempts: "[]",
		});
		for (const [i, latency] of [0, 1, 1].entries())
			rows.push({
				id: `gate-rejected-${i}-${tag}`,
				key_id: keyId,
				model: "openai/hundred",
				created_at: at + 200 + i,
				latency_ms: latency,
				cost_usd: 0,
				outcome: "rejected",
				status: 429,
				attempts: "[]",
			});
		// Every other failed outcome counts as an error.
		for (const [i, [outcome, latency]] of (
			[
				["ok", 20],
				["upstream_error", 30],
				["client_disconnected", 40],
				["rejected", 1],
			] as const
		).entries())
			rows.push({
				id: `gate-mixed-${i}-${tag}`,
				key_id: keyId,
				model: "openai/mixed",
				created_at: at + 300 + i,
				latency_ms: latency,
				cost_usd: outcome === "rejected" ? 0 : 0.5,
				outcome,
			});
		// Outside the window asked for below.
		rows.push({
			id: `gate-late-${tag}`,
			key_id: keyId,
			model: "openai/one",
			created_at: at + 86_400_000,
			latency_ms: 9999,
		});
		await insertUsage(rows);

		const { status, body } = await getJson(
			`/admin/usage/models?key_id=${keyId}&from=2026-06-01&to=2026-06-02`,
		);
		expect(status).toBe(200);
		expect(body).toEqual({
			data: [
				{
					model: "openai/ties",
					requests: 4,
					errors: 0,
					error_rate: 0,
					p50_latency_ms: 5,
					p95_latency_ms: 10,
					cost: 8,
				},
				{
					model: "openai/mixed",
					requests: 3,
					errors: 2,
					error_rate: 2 / 3,
					p50_latency_ms: 30,
					p95_latency_ms: 40,
					cost: 1.5,
				},
				{
					model: "openai/hundred",
					requests: 100,
					errors: 10,
					error_rate: 0.1,
					p50_latency_ms: 50,
					p95_latency_ms: 95,
					cost: 1,
				},
			],
		});
		const wider = (
			await getJson<{ data: Array<{ model: string; requests: number }> }>(
				`/admin/usage/models?key_id=${keyId}`,
			)
		).body.data;
		// Its one request that reached the model, outside the first window.
		expect(wider.find((row) => row.model === "openai/one")).toMatchObject({
			requests: 1,
			errors: 0,
			p50_latency_ms: 9999,
			p95_latency_ms: 9999,
		});

		expect((await getJson(`/admin/usage/models?key_id=${keyId}&from=2030-01-01`)).body).toEqual({ data: [] });
	});
});

describe("GET /admin/providers", () => {
	it("lists the configured providers by name and protocol, with no key and no address", async () => {
		const res = await admin("/admin/providers");
		expect(res.status).toBe(200);
		const text = await res.text();
		expect(JSON.parse(text)).toEqual({
			data: [
				{ name: "openai", protocol: "openai", configured: true },
				{ name: "anthropic", protocol: "anthropic", configured: true },
				{ name: "google", protocol: "gemini", configured: true },
				{ name: "groq", protocol: "openai", configured: true },
				{ name: "offline", protocol: "openai", configured: true },
				{ name: "chaos", protocol: "openai", configured: true },
				{ name: "demo", protocol: "openai", configured: true },
			],
		});
		// The provider keys and addresses of vitest.config.ts.
		for (const secret of [
			"sk-upstream-openai-SECRET",
			"sk-ant-upstream-SECRET",
			"AIza-upstream-gemini-SECRET",
			"gsk-upstream-groq-SECRET",
			"sk-offline-SECRET",
			"sk-chaos-upstream-SECRET",
			"SECRET",
			"127.0.0.1",
			"http",
		]) {
			expect(text).not.toContain(secret);
		}
	});
});

describe("PATCH /admin/models/:provider/:name", () => {
	it("changes only the fields named, and a disabled model leaves /v1/models and requests at once", async () => {
		const id = uniqueModelId("openai", "patched");
		await putModel(id, {
			provider: "openai",
			upstream_model: "text",
			input_price: 1,
			output_price: 2,
			cached_input_price: 0.5,
			capabilities: { vision: true },
		});
		const { key } = await createKey();
		const listed = async () =>
			(
				(await (await gateway("/v1/models", { headers: { authorization: `Bearer ${key}` } })).json()) as {
					data: Array<{ id: string }>;
				}
			).data.map((m) => m.id);
		const ask = () => chat(key, { model: id, messages: [{ role: "user", content: "hi" }] });
		expect(await listed()).toContain(id);
		expect((await ask()).status).toBe(200);

		const patch = (body: unknown) =>
			admin(`/admin/models/${id}`, { method: "PATCH", body: JSON.stringify(body) });
		const base = {
			id,
			provider: "openai",
			upstream_model: "text",
			enabled: true,
			input_price: 1,
			output_price: 2,
			cached_input_price: 0.5,
			cache_write_price: null,
			cache_write_1h_price: null,
			kind: "chat",
			max_output_tokens: 8192,
			capabilities: { vision: true, tools: false, json: false, image_output: false },
			fallbacks: [],
		};
		const disabled = await patch({ enabled: false });
		expect(disabled.status).toBe(200);
		expect(await disabled.json()).toEqual({ ...base, enabled: false });
		expect(await listed()).not.toContain(id);
		expect((await ask()).status).toBe(404);

		const changed = await patch({
			enabled: true,
			input_price: 3,
			cached_input_price: null,
			cache_write_price: 4,
			capabilities: { tools: true },
			fallbacks: ["openai/gpt-5.5"],
			max_output_tokens: 1000,
		});
		expect(await changed.json()).toEqual({
			...base,
			input_price: 3,
			cached_input_price: null,
			cache_write_price: 4,
			capabilities: { vision: true, tools: true, json: false, image_output: false },
			fallbacks: ["openai/gpt-5.5"],
			max_output_tokens: 1000,
		});
		expect(await listed()).toContain(id);
		expect((await ask()).status).toBe(200);
		// An empty patch changes nothing; GET /admin/models shows the same entry.
		const unchanged = (await (await patch({})).json()) as Record<string, unknown>;
		const catalog = (await getJson<{ data: Array<{ id: string }> }>("/admin/models")).body.data;
		expect(catalog.find((m) => m.id === id)).toEqual(unchanged);
	});

	it("answers 404 for an unknown model, 400 for a bad field, the provider or the built-in demo model", async () => {
		const missing = await admin("/admin/models/openai/no-such-model", {
			method: "PATCH",
			body: JSON.stringify({ enabled: false }),
		});
		expect(missing.status).toBe(404);
		expect(await missing.json()).toEqual({
			error: {
				message: "No catalog model 'openai/no-such-model'.",
				type: "invalid_request_error",
				param: null,
				code: "model_not_found",
			},
		});
		const id = uniqueModelId("openai", "patch-bad");
		await putModel(id, { provider: "openai", upstream_model: "text" });
		const patch = (path: string, body: unknown) =>
			admin(path, { method: "PATCH", body: JSON.stringify(body) });
		for (const [body, param] of [
			[{ input_price: -1 }, "input_price"],
			[{ enabled: "no" }, "enabled"],
			[{ kind: "video" }, "kind"],
		] as const) {
			const res = await patch(`/admin/models/${id}`, body);
			expect(res.status, JSON.stringify(body)).toBe(400);
			expect(((await res.json()) as { error: { param: string | null } }).error.param).toBe(param);
		}
		// The provider is part of the id: not a field a patch may name.
		const provider = await patch(`/admin/models/${id}`, { provider: "anthropic" });
		expect(provider.status).toBe(400);
		expect(((await provider.json()) as { error: { message: string } }).error.message).toBe(
			'Invalid request body: Unrecognized key: "provider".',
		);
		const demo = await patch("/admin/models/demo/echo", { enabled: false });
		expect(demo.status).toBe(400);
		expect(((await demo.json()) as { error: { code: string } }).error.code).toBe("model_built_in");
		const notJson = await admin(`/admin/models/${id}`, { method: "PATCH", body: "{" });
		expect(notJson.status).toBe(400);
	});
});

describe("the dashboard endpoints refuse bad queries in OpenAI's error shape", () => {
	it("answers 400 naming the parameter for a bad limit, cursor, group_by, outcome or date", async () => {
		const error = (param: string, detail: string) => ({
			error: {
				message: `Invalid value for '${param}': ${detail}.`,
				type: "invalid_request_error",
				param,
				code: "invalid_value",
			},
		});
		const notCursor = "expected a next_cursor from an earlier page";
		const cases: Array<[string, ReturnType<typeof error>]> = [
			["/admin/keys?limit=0", error("limit", "Too small: expected number to be >=1")],
			["/admin/keys?limit=201", error("limit", "Too big: expected number to be <=200")],
			["/admin/requests?limit=abc", error("limit", "expected an integer from 1 to 200")],
			["/admin/requests?limit=-5", error("limit", "expected an integer from 1 to 200")],
			["/admin/keys?cursor=!!", error("cursor", notCursor)],
			[`/admin/requests?cursor=${btoa("no colon").replaceAll("=", "")}`, error("cursor", notCursor)],
			[`/admin/requests?cursor=${btoa("abc:gate-x").replaceAll("=", "")}`, error("cursor", notCursor)],
			[
				"/admin/usage?group_by=week",
				error("group_by", 'Invalid option: expected one of "day"|"hour"|"model"|"key"'),
			],
			[
				"/admin/requests?outcome=failed",
				error(
					"outcome",
					'Invalid option: expected one of "ok"|"upstream_error"|"client_disconnected"|"rejected"',
				),
			],
			["/admin/usage/models?from=yesterday", error("from", "expected an ISO 8601 date or time")],
		];
		for (const [path, expected] of cases) {
			const res = await admin(path);
			expect(res.status, path).toBe(400);
			expect(await res.json(), path).toEqual(expected);
		}
		for (const path of [
			"/admin/requests?colour=red",
			"/admin/usage/models?model=x",
			"/admin/keys?search=x",
		]) {
			const res = await admin(path);
			expect(res.status, path).toBe(400);
		}
	});

	it("needs the admin token, and answers wrong methods with 405 and Allow", async () => {
		for (const path of ["/admin/requests", "/admin/providers", "/admin/usage/models"]) {
			expect((await gateway(path)).status, path).toBe(401);
			const res = await admin(path, { method: "POST", body: "{}" });
			expect(res.status, path).toBe(405);
			expect(res.headers.get("allow"), path).toBe("GET");
		}
		const res = await admin("/admin/models/openai/x", { method: "DELETE" });
		expect(res.status).toBe(405);
		expect(res.headers.get("allow")).toBe("PUT, PATCH");
	});
});
