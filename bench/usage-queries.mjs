#!/usr/bin/env node
// `npm run bench:usage`: the admin API's dashboard queries on a usage table of 1,000,000 rows, with
// the indexes of migrations/0012_dashboard_indexes.sql and, as the in-process baseline, without them.
//
//   1. bundles the query modules the routes call (src/auth/key-page.ts, src/usage/queries/*.ts) with
//      esbuild, so that the bench runs the routes' very SQL;
//   2. starts one Miniflare (the one wrangler runs) with two local, on-disk D1 databases: `base` gets
//      migrations 0001–0011, `dashboard` every migration. Both get the same 50 keys and the same
//      1,000,000 usage rows (30 days of traffic, 50 keys, 10 models, mixed outcomes, keys and models
//      skewed; deterministic draws, 50,000 rows a statement); 0012 is applied to `dashboard` after
//      the fill, timed (what a deployment's migration costs);
//   3. runs every query once on each database (the warm-up; the answers must be equal: an index
//      never changes a result), then RUNS rounds, alternating the databases query by query so that
//      the machine's drift hits both alike. A query's time is D1's own `meta.duration` (the SQL's
//      time inside the database, in whole ms, as D1 reports it in production too), its median over
//      the rounds; the rows read are D1's `meta.rows_read`, what D1 bills;
//   4. times 200-row inserts (the recorder's batch) on both, the write cost of the indexes, and
//      prints each database's size, then the plans of every query with 0012 (EXPLAIN QUERY PLAN).
// `--alternatives` also times, on `dashboard`, the formulations the query modules replaced (a label
// made per row; a rank for every row), against theirs. `--keep` leaves the databases in
// .bench/usage-d1. BENCH_USAGE_RUNS sets the rounds (default 5).
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, "..");
const outDir = path.join(root, ".bench");
const stateDir = path.join(outDir, "usage-d1");
const keep = process.argv.includes("--keep");
const alternatives = process.argv.includes("--alternatives");

const ROWS = Number(process.env.BENCH_USAGE_ROWS ?? 1_000_000);
const FILL_STEP = 50_000;
const RUNS = Number(process.env.BENCH_USAGE_RUNS ?? 5);
const KEYS = 50;
const MODELS = 10;
const DAY = 86_400_000;
// A fixed "now" (mid-month, so that a monthly budget's window holds part of the 30 days): every run
// reads the same windows.
const NOW = Date.UTC(2026, 11, 10, 12, 0, 0);
const START = NOW - 30 * DAY;

const startedAt = performance.now();
const log = (message) =>
	console.log(`[bench:usage ${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);

// ---------------------------------------------------------------------------------------------
// The routes' query functions, and the Miniflare wrangler itself runs.

async function bundleQueries() {
	const esbuild = await import("esbuild");
	const outfile = path.join(outDir, "usage-queries.mjs");
	await esbuild.build({
		stdin: {
			contents: [
				'export { listKeyPage } from "./src/auth/key-page.ts";',
				'export { listRequests } from "./src/usage/queries/requests.ts";',
				'export { usageReport } from "./src/usage/queries/report.ts";',
				'export { modelStats } from "./src/usage/queries/model-stats.ts";',
			].join("\n"),
			resolveDir: root,
			loader: "ts",
			sourcefile: "bench-usage-queries-entry.ts",
		},
		bundle: true,
		format: "esm",
		platform: "neutral",
		outfile,
		logLevel: "warning",
	});
	await esbuild.stop?.();
	return import(pathToFileURL(outfile).href);
}

async function startMiniflare() {
	const require = createRequire(import.meta.url);
	const wranglerRequire = createRequire(require.resolve("wrangler/package.json"));
	const { Miniflare, Log, LogLevel } = await import(pathToFileURL(wranglerRequire.resolve("miniflare")).href);
	const wrangler = await import(pathToFileURL(require.resolve("wrangler")).href);
	const mf = new Miniflare({
		log: new Log(LogLevel.WARN),
		cf: false,
		modules: true,
		script: "export default { fetch() { return new Response(null, { status: 204 }); } };",
		compatibilityDate: "2026-04-20",
		d1Databases: { BASE: "bench-usage-base", DASHBOARD: "bench-usage-dashboard" },
		d1Persist: stateDir,
	});
	await mf.ready;
	const base = await mf.getD1Database("BASE");
	const dashboard = await mf.getD1Database("DASHBOARD");
	return { mf, base, dashboard, splitSql: wrangler.unstable_splitSqlQuery };
}

// ---------------------------------------------------------------------------------------------
// Schema and data.

function migrations(splitSql) {
	const dir = path.join(root, "migrations");
	return readdirSync(dir)
		.filter((name) => name.endsWith(".sql"))
		.sort()
		.map((name) => ({ name, statements: splitSql(readFileSync(path.join(dir, name), "utf8")) }));
}

async function run(db, statements) {
	for (const statement of statements) await db.prepare(statement).run();
}

/** 50 keys, created over the 60 days before the traffic; every other key has a monthly budget. */
function keysSql() {
	const rows = Array.from({ length: KEYS }, (_, i) => {
		const n = String(i).padStart(2, "0");
		const period = i % 2 === 0 ? "monthly" : "total";
		return `('key_bench_${n}', 'team-${n}', 'hash-${n}', 'sk-bench${n}', ${i % 3 === 0 ? 100 : "NULL"}, '${period}', ${START - (60 - i) * DAY})`;
	});
	return `INSERT INTO api_keys (id, name, key_hash, prefix, budget_usd, budget_period, created_at) VALUES ${rows.join(", ")}`;
}

/**
 * Deterministic pseudo-random draws, so that both databases get the very same rows (SQLite's
 * random() cannot give that): per row `i` and stream, a multiply–xorshift hash in 32 bits, one
 * materialized stage per round so that no expression is copied into the next. SQLite has no XOR
 * (a ^ b = (a | b) - (a & b)); every product stays under 2^63, so nothing turns into a REAL.
 */
const STREAMS = 11;
const xorShift = (x, bits) => `((${x} | (${x} >> ${bits})) - (${x} & (${x} >> ${bits})))`;
const streams = (expression) =>
	Array.from({ length: STREAMS }, (_, s) => `${expression(`h${s}`, s + 1)} AS h${s}`).join(", ");
const hashStages = `hash0 AS MATERIALIZED (
		SELECT i, ${streams((_, seed) => `(i * 2654435761 + ${seed * 1013904223}) % 4294967296`)} FROM n),
	hash1 AS MATERIALIZED (SELECT i, ${streams((h) => `${xorShift(h, 16)} * 1597334677 % 4294967296`)} FROM hash0),
	hash2 AS MATERIALIZED (SELECT i, ${streams((h) => `${xorShift(h, 13)} * 1103515245 % 4294967296`)} FROM hash1)`;
/** Stream `s`'s draw in [0, n): the top 16 bits of the last round. */
const draw = (s, n) => `(${xorShift(`h${s}`, 16)} / 65536 % ${n})`;

/**
 * Rows `from`+1 … `from`+`count` of the synthetic traffic, in time order as the gateway writes them
 * (ids start with the time, as gate ids do). Keys and models are skewed (the minimum of two uniform
 * draws: key 0 gets ~4% of the traffic, key 49 ~0.04%); 98% of requests are ok, 1.2% upstream
 * errors, 0.6% client disconnects, 0.2% rejected; latencies 150 ms to ~12 s with a long tail.
 */
function fillSql(from, count) {
	const step = (30 * DAY) / ROWS;
	// MATERIALIZED: each draw is computed once per row, not again wherever the INSERT names it.
	return `WITH RECURSIVE n(i) AS (SELECT ${from + 1} UNION ALL SELECT i + 1 FROM n WHERE i < ${from + count}),
	${hashStages},
	draws AS MATERIALIZED (
		SELECT i, CAST(${START} + i * ${step} AS INTEGER) AS t,
			min(${draw(0, KEYS)}, ${draw(1, KEYS)}) AS k,
			min(${draw(2, MODELS)}, ${draw(3, MODELS)}) AS m,
			${draw(4, 1000)} AS o,
			10 + ${draw(5, 4000)} AS p,
			1 + ${draw(6, 1500)} AS c,
			150 + ${draw(7, 2000)} + ${draw(8, 100)} * ${draw(9, 100)} AS l,
			${draw(10, 3)} AS g
		FROM hash2
	)
	INSERT INTO usage (id, key_id, model, provider, upstream_model, ingress, prompt_tokens, completion_tokens,
		total_tokens, cost_usd, outcome, status, error_code, streamed, latency_ms, ttft_ms, created_at, attempts)
	SELECT 'gate-' || printf('%013d', t) || printf('%07d', i),
		printf('key_bench_%02d', k), printf('bench/model-%d', m), 'openai', printf('model-%d', m),
		CASE g WHEN 0 THEN 'chat' WHEN 1 THEN 'messages' ELSE 'responses' END,
		CASE WHEN o < 998 THEN p ELSE 0 END, CASE WHEN o < 980 THEN c ELSE 0 END,
		CASE WHEN o < 998 THEN p ELSE 0 END + CASE WHEN o < 980 THEN c ELSE 0 END,
		CASE WHEN o < 998 THEN (p * (m + 1) * 0.25 + CASE WHEN o < 980 THEN c ELSE 0 END * (m + 1) * 2.0) / 1e6 ELSE 0 END,
		CASE WHEN o < 980 THEN 'ok' WHEN o < 992 THEN 'upstream_error' WHEN o < 998 THEN 'client_disconnected' ELSE 'rejected' END,
		CASE WHEN o < 980 THEN 200 WHEN o < 992 THEN 502 WHEN o < 998 THEN 200 ELSE 429 END,
		CASE WHEN o < 980 THEN NULL WHEN o < 992 THEN 'upstream_error' WHEN o < 998 THEN NULL ELSE 'rate_limit_exceeded' END,
		g > 0, l, CASE WHEN g > 0 AND o < 992 THEN l / 10 END, t,
		CASE WHEN o >= 998 THEN '[]'
			WHEN o >= 980 AND o < 992 THEN '[{"model":"m","status":502,"code":"upstream_error","ms":90},{"model":"m","status":502,"code":"upstream_error","ms":95}]'
			ELSE '[{"model":"m","status":200,"code":null,"ms":' || l || '}]' END
	FROM draws`;
}

// ---------------------------------------------------------------------------------------------
// The dashboard's queries, as the routes call them.

const HOUR = 3_600_000;
const scenarios = (q) => {
	const page = (limit, after = null) => ({ limit: limit + 1, after });
	const recentDeep = { createdAt: NOW - 15 * DAY, id: "gate-~" };
	return [
		[
			"keys: first page of 50, with spend",
			(db) => q.listKeyPage(db, { search: null, page: page(50), now: NOW }),
		],
		["keys: search 'team-1'", (db) => q.listKeyPage(db, { search: "team-1", page: page(50), now: NOW })],
		["requests: first page", (db) => q.listRequests(db, {}, page(50))],
		["requests: page 15 days back (cursor)", (db) => q.listRequests(db, {}, page(50, recentDeep))],
		["requests: one key", (db) => q.listRequests(db, { keyId: "key_bench_07" }, page(50))],
		["requests: rare key (key 49)", (db) => q.listRequests(db, { keyId: "key_bench_49" }, page(50))],
		["requests: one model", (db) => q.listRequests(db, { model: "bench/model-3" }, page(50))],
		["requests: outcome rejected (0.2%)", (db) => q.listRequests(db, { outcome: "rejected" }, page(50))],
		[
			"requests: upstream_error, last 24 h",
			(db) => q.listRequests(db, { outcome: "upstream_error", from: NOW - DAY, to: NOW }, page(50)),
		],
		[
			"requests: key + model + outcome",
			(db) =>
				q.listRequests(
					db,
					{ keyId: "key_bench_20", model: "bench/model-8", outcome: "client_disconnected" },
					page(50),
				),
		],
		["usage: by hour, last 24 h", (db) => q.usageReport(db, { from: NOW - DAY, to: NOW }, "hour")],
		["usage: by hour, last 7 days", (db) => q.usageReport(db, { from: NOW - 7 * DAY, to: NOW }, "hour")],
		["usage: by day, 30 days", (db) => q.usageReport(db, { from: START, to: NOW + HOUR }, "day")],
		["usage: by model, last 7 days", (db) => q.usageReport(db, { from: NOW - 7 * DAY, to: NOW }, "model")],
		["usage: by key, last 7 days", (db) => q.usageReport(db, { from: NOW - 7 * DAY, to: NOW }, "key")],
		[
			"usage: one key by day, 30 days",
			(db) => q.usageReport(db, { keyId: "key_bench_07", from: START, to: NOW + HOUR }, "day"),
		],
		["models: last 24 h", (db) => q.modelStats(db, { from: NOW - DAY, to: NOW })],
		["models: last 7 days", (db) => q.modelStats(db, { from: NOW - 7 * DAY, to: NOW })],
		["models: 30 days", (db) => q.modelStats(db, { from: START, to: NOW + HOUR })],
		[
			"models: one key, 30 days",
			(db) => q.modelStats(db, { keyId: "key_bench_07", from: START, to: NOW + HOUR }),
		],
	];
};

/**
 * `--alternatives`: SQL the query modules no longer use, beside the function the route calls, over
 * the same rows and windows. Each pair must answer alike (`same` puts both answers in one form).
 */
function alternativeScenarios(q) {
	const from = (days) => NOW - days * DAY;
	const to = NOW + HOUR;
	const window = (days) => `created_at >= ${from(days)} AND created_at < ${to}`;
	// The report as it was: strftime on every row, grouped by the text it makes.
	const labelPerRow = (label, days) => `SELECT ${label} AS "group", COUNT(*) AS requests,
		SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
		SUM(total_tokens) AS total_tokens, SUM(cost_usd) AS cost, SUM(outcome <> 'ok') AS errors
		FROM usage WHERE ${window(days)} GROUP BY 1 ORDER BY 1`;
	// Percentiles from a rank for every row (ROW_NUMBER), the partition's totals beside it.
	const rankEveryRow = (days) => `WITH ranked AS (
		SELECT model, latency_ms, ROW_NUMBER() OVER m AS position, COUNT(*) OVER m AS requests,
			SUM(outcome <> 'ok') OVER m AS errors, TOTAL(cost_usd) OVER m AS cost
		FROM usage WHERE ${window(days)}
		WINDOW m AS (PARTITION BY model ORDER BY latency_ms ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING))
	SELECT model, requests, errors, cost,
		MAX(CASE WHEN position = (requests * 50 + 99) / 100 THEN latency_ms END) AS p50_latency_ms,
		MAX(CASE WHEN position = (requests * 95 + 99) / 100 THEN latency_ms END) AS p95_latency_ms
	FROM ranked WHERE position IN ((requests * 50 + 99) / 100, (requests * 95 + 99) / 100)
	GROUP BY model ORDER BY cost DESC, model`;
	const raw = (sql) => async (db) => (await db.prepare(sql).bind().all()).results;
	const rounded = (rows) => rows.map((row) => ({ ...row, cost: Math.round(row.cost * 1e6) }));
	const models = (rows) =>
		rows.map((r) => [
			r.model,
			r.requests,
			r.errors,
			r.p50_latency_ms,
			r.p95_latency_ms,
			Math.round(r.cost * 1e6),
		]);
	const hour = "strftime('%Y-%m-%dT%H:00Z', created_at / 1000, 'unixepoch')";
	const day = "strftime('%Y-%m-%d', created_at / 1000, 'unixepoch')";
	return [
		{
			name: "usage by hour, 7 days: label per row → per group",
			old: raw(labelPerRow(hour, 7)),
			current: (db) => q.usageReport(db, { from: from(7), to }, "hour"),
			same: rounded,
		},
		{
			name: "usage by day, 30 days: label per row → per group",
			old: raw(labelPerRow(day, 30)),
			current: (db) => q.usageReport(db, { from: from(30), to }, "day"),
			same: rounded,
		},
		{
			name: "models, 7 days: rank every row → per latency",
			old: raw(rankEveryRow(7)),
			current: (db) => q.modelStats(db, { from: from(7), to }),
			same: models,
		},
		{
			name: "models, 30 days: rank every row → per latency",
			old: raw(rankEveryRow(30)),
			current: (db) => q.modelStats(db, { from: from(30), to }),
			same: models,
		},
	];
}

const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A D1 that records what each statement reported (duration, rows read) and its SQL: the query
 * functions call prepare().bind().all(), once per query.
 */
function recording(db) {
	const calls = [];
	const wrapped = {
		prepare(sql) {
			const statement = db.prepare(sql);
			return {
				bind: (...params) => ({
					all: async () => {
						const result = await statement.bind(...params).all();
						calls.push({ sql, params, meta: result.meta });
						return result;
					},
				}),
			};
		},
	};
	return { db: wrapped, calls };
}

/** One run of a query: its answer, the SQL's time in D1 (ms), the rows it read, and its statements. */
async function once(db, fn) {
	const recorder = recording(db);
	const answer = await fn(recorder.db);
	return {
		answer,
		ms: recorder.calls.reduce((sum, call) => sum + call.meta.duration, 0),
		rowsRead: recorder.calls.reduce((sum, call) => sum + call.meta.rows_read, 0),
		calls: recorder.calls,
	};
}

const sizeOf = async (db) => (await db.prepare("SELECT 1").all()).meta.size_after;
const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
const fmtMs = (ms) => (ms < 1 ? "<1" : ms.toFixed(0));

// ---------------------------------------------------------------------------------------------

mkdirSync(outDir, { recursive: true });
rmSync(stateDir, { recursive: true, force: true });
const queries = await bundleQueries();
const { mf, base, dashboard, splitSql } = await startMiniflare();
let disposed = false;
const dispose = async () => {
	if (disposed) return;
	disposed = true;
	await mf.dispose();
	if (!keep) rmSync(stateDir, { recursive: true, force: true });
};
for (const signal of ["SIGINT", "SIGTERM"])
	process.on(signal, () => dispose().finally(() => process.exit(130)));

try {
	const all = migrations(splitSql);
	const dashboardMigration = all.find((m) => m.name.startsWith("0012_"));
	if (!dashboardMigration) throw new Error("migrations/0012_dashboard_indexes.sql is missing");
	const databases = { base, dashboard };
	for (const db of Object.values(databases)) {
		for (const migration of all) if (migration !== dashboardMigration) await run(db, migration.statements);
		await run(db, [keysSql()]);
	}
	log(
		`filling both databases with ${ROWS.toLocaleString("en")} usage rows, ${FILL_STEP.toLocaleString("en")} a statement`,
	);
	const fillStart = performance.now();
	for (let at = 0; at < ROWS; at += FILL_STEP) {
		const sql = fillSql(at, Math.min(FILL_STEP, ROWS - at));
		for (const db of Object.values(databases)) await run(db, [sql]);
	}
	log(`filled in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`);
	const sizeBefore = await sizeOf(dashboard);
	const buildStart = performance.now();
	await run(dashboard, dashboardMigration.statements);
	const buildSeconds = (performance.now() - buildStart) / 1000;
	const sizeAfter = await sizeOf(dashboard);
	log(`applied ${dashboardMigration.name} to one of them in ${buildSeconds.toFixed(1)} s`);

	const list = scenarios(queries);
	const measured = new Map(list.map(([name]) => [name, { base: [], dashboard: [] }]));
	const mismatches = [];
	log(`${list.length} queries: a warm-up, then ${RUNS} rounds on each database, alternating`);
	for (let round = 0; round <= RUNS; round++) {
		for (const [i, [name, fn]] of list.entries()) {
			// Which database goes first alternates by query and by round.
			const order = (i + round) % 2 === 0 ? ["base", "dashboard"] : ["dashboard", "base"];
			const runs = {};
			for (const which of order) runs[which] = await once(databases[which], fn);
			if (round === 0) {
				if (JSON.stringify(runs.base.answer) !== JSON.stringify(runs.dashboard.answer)) mismatches.push(name);
				continue;
			}
			for (const which of order) measured.get(name)[which].push(runs[which]);
		}
	}

	// The write side: batches of 200 rows (the recorder's batch size), after the traffic in time.
	const writes = { base: [], dashboard: [] };
	for (let batch = 0; batch < 20; batch++) {
		const sql = fillSql(ROWS + batch * 200, 200);
		for (const which of batch % 2 === 0 ? ["base", "dashboard"] : ["dashboard", "base"]) {
			const { meta } = await databases[which].prepare(sql).run();
			writes[which].push(meta.duration);
		}
	}

	const width = Math.max(...list.map(([name]) => name.length));
	const line = (cells) => console.log(cells.join("  "));
	console.log(
		`\nDashboard queries at ${ROWS.toLocaleString("en")} usage rows: D1's time for the SQL, median of ${RUNS} rounds\n`,
	);
	line([
		"query".padEnd(width),
		"0001–0011".padStart(9),
		"with 0012".padStart(9),
		"ratio".padStart(6),
		"rows read before".padStart(16),
		"with 0012".padStart(10),
	]);
	for (const [name, runs] of measured) {
		const before = median(runs.base.map((r) => r.ms));
		const after = median(runs.dashboard.map((r) => r.ms));
		// D1 reports whole milliseconds: below 3 ms on both sides a ratio says nothing.
		const ratio = Math.max(before, after) < 3 ? "—" : `${(before / Math.max(after, 1)).toFixed(1)}×`;
		line([
			name.padEnd(width),
			`${fmtMs(before)} ms`.padStart(9),
			`${fmtMs(after)} ms`.padStart(9),
			ratio.padStart(6),
			runs.base[0].rowsRead.toLocaleString("en").padStart(16),
			runs.dashboard[0].rowsRead.toLocaleString("en").padStart(10),
		]);
	}
	line([
		"insert a batch of 200 rows".padEnd(width),
		`${fmtMs(median(writes.base))} ms`.padStart(9),
		`${fmtMs(median(writes.dashboard))} ms`.padStart(9),
	]);
	console.log(
		`\n${dashboardMigration.name}: built in ${buildSeconds.toFixed(1)} s; database ${mb(sizeBefore)} before, ${mb(sizeAfter)} after`,
	);
	console.log(`\nPlans with ${dashboardMigration.name}:`);
	for (const [name, runs] of measured) {
		for (const { sql, params } of runs.dashboard[0].calls) {
			const { results } = await dashboard
				.prepare(`EXPLAIN QUERY PLAN ${sql}`)
				.bind(...params)
				.all();
			console.log(`${name}:\n${results.map((row) => `    ${row.detail}`).join("\n")}`);
		}
	}
	if (alternatives) {
		const pairs = alternativeScenarios(queries);
		const times = pairs.map(() => ({ old: [], current: [] }));
		for (let round = 0; round <= RUNS; round++) {
			for (const [i, pair] of pairs.entries()) {
				const order = (i + round) % 2 === 0 ? ["old", "current"] : ["current", "old"];
				const runs = {};
				for (const which of order) runs[which] = await once(dashboard, pair[which]);
				if (round === 0) {
					if (JSON.stringify(pair.same(runs.old.answer)) !== JSON.stringify(pair.same(runs.current.answer)))
						mismatches.push(pair.name);
					continue;
				}
				for (const which of order) times[i][which].push(runs[which].ms);
			}
		}
		const altWidth = Math.max(...pairs.map((pair) => pair.name.length));
		console.log(
			`\nThe formulations replaced, on the database with ${dashboardMigration.name} (median of ${RUNS}):\n`,
		);
		line(["formulation".padEnd(altWidth), "replaced".padStart(9), "kept".padStart(9), "ratio".padStart(6)]);
		for (const [i, pair] of pairs.entries()) {
			const old = median(times[i].old);
			const current = median(times[i].current);
			line([
				pair.name.padEnd(altWidth),
				`${fmtMs(old)} ms`.padStart(9),
				`${fmtMs(current)} ms`.padStart(9),
				`${(old / Math.max(current, 1)).toFixed(1)}×`.padStart(6),
			]);
		}
	}
	if (mismatches.length > 0) {
		console.error(
			`\nAnswers differ (with and without the indexes, or old and kept SQL): ${mismatches.join("; ")}`,
		);
		process.exitCode = 1;
	}
	log("done");
} finally {
	await dispose();
}
