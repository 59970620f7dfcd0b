#!/usr/bin/env node
// `npm run bench`: the gateway against a bare pass-through Worker, side by side in workerd.
//
//   1. builds the deployable bundle (`wrangler deploy --dry-run --outdir .bench/bundle`), prints its size;
//   2. starts a fake OpenAI and Anthropic upstream (bench/fake-upstream.mjs) and two Miniflare instances, one per
//      target, each in its own process with its own workerd, with the bindings, vars and
//      compatibility settings of wrangler.toml and local (on-disk) D1, KV and R2;
//   3. applies the migrations to the gateway's D1, creates a key and two models (openai/bench for
//      chat, anthropic/bench for the Messages pass-through and the translated Responses stream)
//      through the admin API, and two embeddings models (openai/bench-embed, google/bench-embed)
//      when embeddings scenarios run;
//   4. measures, alternating the targets round by round (bare, gateway, bare, gateway, …) so that
//      machine drift hits both alike; reads each process group's CPU time from /proc;
//   5. runs the scaling checks and the in-process decoder check (bench/stage.mjs);
//   6. profiles the gateway's start-up (`wrangler check startup`, bench/startup.mjs);
//   7. prints the tables and writes .bench/results.json.
// `npm run bench -- --quick` (or BENCH_QUICK=1) runs everything briefly, to check the harness.
// `npm run bench -- --profile` profiles the gateway isolate instead (bench/profile.mjs), and
// `npm run bench -- --plumbing` prices the platform's building blocks (bench/plumbing-worker.js).
import { execFileSync, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildBundle } from "./bundle.mjs";
import { CLK_TCK, createMeter, descendants, processName } from "./cpu.mjs";
import {
	closedLoop,
	closeTarget,
	createTarget,
	embeddingsTarget,
	messagesTarget,
	responsesTarget,
	send,
} from "./load.mjs";
import { profileText, profileWhile, saveProfile, summarizeProfile } from "./profile.mjs";
import {
	compare,
	embeddingsTable,
	headlineTable,
	messagesTable,
	onlyTable,
	responsesTable,
	scalingTables,
	summarize,
	writeJson,
} from "./report.mjs";
import { measureStartup } from "./startup.mjs";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(benchDir, "..");
const outDir = path.join(root, ".bench");
const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const profiling = process.argv.includes("--profile");
const plumbing = process.argv.includes("--plumbing");
// `--only=stream-c1` (or another scenario key): just that scenario, no scaling series; for bisecting.
// Several keys, comma-separated (`--only=stream-c16,messages-stream-c16`), run those in one start.
const onlyArg = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
const only = onlyArg ? onlyArg.split(",").filter((key) => key !== "") : null;
// `--baseline=<bundle.js>` (with --only): another build of the gateway takes the bare proxy's place,
// so the ratios compare two gateways; bench/compare.mjs builds a git ref's bundle and runs this.
const baseline = process.argv.find((arg) => arg.startsWith("--baseline="))?.slice("--baseline=".length);
if (baseline && !only) throw new Error("--baseline needs --only=<scenario>");

const ORDER = ["bare", "gateway"];
// Five rounds: on this kind of shared machine one round's ratio can be 15% off the next one's.
// BENCH_ROUNDS sets another number, e.g. for steadier figures when bisecting.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (quick ? 2 : 5));
const ROUND_MS = quick ? 300 : 1500;
/** After each measured round: lets waitUntil work (usage rows) finish inside the measured CPU window. */
const SETTLE_MS = 150;
// BENCH_STREAM_CHUNKS changes the streamed scenarios' length (200 by default), for bisecting.
const STREAM_CHUNKS = Number(process.env.BENCH_STREAM_CHUNKS ?? 200);
const MB = 1024 * 1024;

const startedAt = performance.now();
const log = (message) =>
	console.log(`[bench ${((performance.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Child processes, and shutting everything down (normal end, error, Ctrl-C).

const children = [];
const workerdPids = new Set();
let shuttingDown = false;

async function shutdown() {
	if (shuttingDown) return;
	shuttingDown = true;
	for (const child of children) {
		try {
			if (child.exitCode === null && child.connected) child.send({ type: "stop" });
		} catch {
			// Its IPC channel is already closed: it is stopping on its own.
		}
	}
	const deadline = Date.now() + 5000;
	while (
		Date.now() < deadline &&
		children.some((child) => child.exitCode === null && child.signalCode === null)
	) {
		await sleep(50);
	}
	for (const child of children) {
		if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
	}
	// Miniflare disposes of its workerd; if a host was killed instead, its workerd is ended here.
	for (const pid of workerdPids) {
		if (processName(pid) === "workerd") {
			try {
				process.kill(pid, "SIGKILL");
			} catch {
				// Already gone.
			}
		}
	}
}

for (const signal of ["SIGINT", "SIGTERM"]) {
	process.on(signal, () => {
		console.error(`\n[bench] ${signal}: shutting down`);
		shutdown().finally(() => process.exit(130));
	});
}

/** Forks a helper and waits for its {type:"ready"} message. */
function start(script, args, env, timeoutMs = 60_000) {
	const child = fork(path.join(benchDir, script), args, {
		env: { ...process.env, ...env },
		stdio: ["ignore", "inherit", "inherit", "ipc"],
	});
	children.push(child);
	child.on("error", () => {}); // e.g. EPIPE on a last "stop" to a child that has just exited.
	return new Promise((resolve, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`${script} did not start in ${timeoutMs} ms`)),
			timeoutMs,
		);
		child.on("message", (message) => {
			if (message?.type === "ready" || message?.type === "done") {
				clearTimeout(timer);
				resolve({ child, message });
			} else if (message?.type === "failed") {
				clearTimeout(timer);
				reject(new Error(`${script} failed: ${message.error}`));
			}
		});
		child.on("exit", (code) => {
			clearTimeout(timer);
			reject(new Error(`${script} exited with code ${code} before it was ready`));
		});
	});
}

// ---------------------------------------------------------------------------------------------
// Build: the deployable bundle, and the decoder alone for the in-process check.

async function buildStage() {
	const esbuild = await import("esbuild");
	const outfile = path.join(outDir, "stage.mjs");
	await esbuild.build({
		stdin: {
			contents: 'export { sseDecoder } from "./src/engine/stream/sse-decode.ts";',
			resolveDir: root,
			loader: "ts",
			sourcefile: "bench-stage-entry.ts",
		},
		bundle: true,
		format: "esm",
		platform: "neutral",
		outfile,
		logLevel: "warning",
	});
	await esbuild.stop?.();
	return outfile;
}

/** wrangler.toml as `wrangler dev` hands it to Miniflare, and the migrations as wrangler splits them. */
async function readWranglerSetup() {
	const wrangler = await import("wrangler");
	const { workerOptions } = wrangler.unstable_getMiniflareWorkerOptions(path.join(root, "wrangler.toml"));
	const migrationsDir = path.join(root, "migrations");
	const files = readdirSync(migrationsDir)
		.filter((name) => name.endsWith(".sql"))
		.sort();
	const statements = files.flatMap((name) =>
		wrangler.unstable_splitSqlQuery(readFileSync(path.join(migrationsDir, name), "utf8")),
	);
	return { workerOptions, migrations: files, statements };
}

// ---------------------------------------------------------------------------------------------
// Request bodies. `bench` tells the fake what to answer; both targets pass it through untouched.

const plainBody = (bench = {}, content = "hi") =>
	Buffer.from(
		JSON.stringify({
			model: "openai/bench",
			messages: [{ role: "user", content }],
			bench: { stream: false, ...bench },
		}),
	);
const streamBody = (bench) =>
	Buffer.from(
		JSON.stringify({
			model: "openai/bench",
			messages: [{ role: "user", content: "hi" }],
			stream: true,
			stream_options: { include_usage: true },
			bench: { stream: true, ...bench },
		}),
	);
/** The same requests in Anthropic's Messages format, to the anthropic/bench model (a pass-through). */
const messagesPlainBody = (bench = {}) =>
	Buffer.from(
		JSON.stringify({
			model: "anthropic/bench",
			max_tokens: 1024,
			messages: [{ role: "user", content: "hi" }],
			bench: { stream: false, ...bench },
		}),
	);
const messagesStreamBody = (bench) =>
	Buffer.from(
		JSON.stringify({
			model: "anthropic/bench",
			max_tokens: 1024,
			messages: [{ role: "user", content: "hi" }],
			stream: true,
			bench: { stream: true, ...bench },
		}),
	);
/**
 * OpenAI's Responses API to anthropic/bench: translated (Responses → chat → Claude's Messages, its
 * events → canonical chunks → the Responses events). No `bench` field: the translation refuses fields
 * it does not know, so the fake reads the chunk count from max_output_tokens (max_tokens upstream).
 * `store: false`, so that the bench measures the stream, not the D1 write of a stored response.
 */
const responsesStreamBody = (chunks) =>
	Buffer.from(
		JSON.stringify({
			model: "anthropic/bench",
			input: "hi",
			max_output_tokens: chunks,
			stream: true,
			store: false,
		}),
	);
/**
 * OpenAI's embeddings request for `inputs` distinct passages of ~200 characters, to openai/bench-embed
 * (a pass-through to the fake's /embeddings) or google/bench-embed (re-shaped into batchEmbedContents
 * calls of at most 100 inputs: 512 inputs are 6 calls). `dimensions` (EMBEDDING_DIMS) sets the
 * vectors' length in both fakes' answers; no `bench` field, as Gemini's path refuses unknown fields.
 */
const EMBEDDING_DIMS = Number(process.env.BENCH_EMBEDDING_DIMS ?? 256);
const embeddingInputs = (inputs) =>
	Array.from({ length: inputs }, (_, i) =>
		`passage ${i}: ${"The quick brown fox jumps over the lazy dog. ".repeat(5)}`.slice(0, 200),
	);
const embeddingsBody = (provider, inputs, format = "float") =>
	Buffer.from(
		JSON.stringify({
			model: `${provider}/bench-embed`,
			input: inputs === 1 ? embeddingInputs(1)[0] : embeddingInputs(inputs),
			encoding_format: format,
			dimensions: EMBEDDING_DIMS,
		}),
	);
/** The embeddings scenarios: each provider and encoding with 1 and 512 inputs, all in the same rounds. */
const EMBEDDINGS_SCENARIOS = ["openai", "google"]
	.flatMap((provider) =>
		["float", "base64"].flatMap((format) =>
			[1, 512].map((inputs) => ({
				key: `embeddings-${provider === "google" ? "gemini" : provider}-${inputs}${format === "base64" ? "-base64" : ""}`,
				api: "embeddings",
				provider,
				format,
				inputs,
				units: inputs,
				concurrency: 1,
				stream: false,
				body: embeddingsBody(provider, inputs, format),
			})),
		),
	)
	.map((def, i) => (i === 0 ? def : { ...def, twin: "embeddings-openai-1" }));

/** A non-streamed request whose body is `bytes` long, padded in the user message. */
function sizedBody(bytes) {
	const empty = plainBody({}, "").length;
	return plainBody({}, "x".repeat(Math.max(0, bytes - empty)));
}

// ---------------------------------------------------------------------------------------------
// Measurement: rounds alternate the targets; each round's CPU is read around it.

let meter;
const targets = {};

function emptyAcc() {
	return {
		results: [],
		elapsedMs: 0,
		spanMs: 0,
		cpu: { workerd: 0, host: 0, other: 0, loadgen: 0, fake: 0 },
	};
}

async function measureRound(acc, name, work) {
	const before = meter.snapshot();
	const t0 = performance.now();
	const { results, elapsedMs } = await work(targets[name]);
	await sleep(SETTLE_MS);
	const spanMs = performance.now() - t0;
	const cpu = meter.diff(before, meter.snapshot());
	acc.results.push(...results);
	acc.elapsedMs += elapsedMs;
	acc.spanMs += spanMs;
	acc.cpu.workerd += cpu[`${name}.workerd`];
	acc.cpu.host += cpu[`${name}.host`];
	acc.cpu.loadgen += cpu.loadgen;
	acc.cpu.fake += cpu.fake;
	const ours = Object.entries(cpu).reduce((sum, [key, value]) => (key === "machine" ? sum : sum + value), 0);
	acc.cpu.other += Math.max(0, cpu.machine - ours);
}

/** Runs `work` for each target, `rounds` times, alternating; returns both targets' summaries. */
async function alternate(rounds, work, units = 1) {
	const [pair] = await alternateEach(rounds, [{ work, units }]);
	return pair;
}

/**
 * Several workloads measured in the same rounds: each round runs every workload on every target in
 * turn (bare A, gateway A, bare B, gateway B, …), so drift hits all of them alike and their figures
 * compare with each other as well as with the bare proxy. Returns one {bare, gateway} per workload.
 */
async function alternateEach(rounds, workloads) {
	meter.refresh();
	const accs = workloads.map(() => ({ bare: emptyAcc(), gateway: emptyAcc() }));
	for (let round = 0; round < rounds; round++) {
		for (const [i, { work }] of workloads.entries()) {
			for (const name of ORDER) await measureRound(accs[i][name], name, work);
		}
	}
	return workloads.map(({ units = 1 }, i) => ({
		bare: summarize(accs[i].bare, units),
		gateway: summarize(accs[i].gateway, units),
	}));
}

/** Scenario keys in the order they run; `api: "messages"` ones go to POST /v1/messages. */
const SCENARIOS = [
	{ key: "plain-c1", concurrency: 1, stream: false, body: plainBody() },
	{ key: "plain-c16", concurrency: 16, stream: false, body: plainBody() },
	{ key: "stream-c1", concurrency: 1, stream: true, body: streamBody({ chunks: STREAM_CHUNKS }) },
	{ key: "stream-c16", concurrency: 16, stream: true, body: streamBody({ chunks: STREAM_CHUNKS }) },
	// Tokens 1 ms apart (Node's timer floor; real models are 10-50 times slower): the upstream
	// stays awake between requests for both targets alike, so TTFB measures the Workers and not
	// how long the fake had been idle (bench/RESULTS.md, "Time to first byte"). Longer rounds:
	// a stream takes ~0.24 s.
	{
		key: "stream-c1-paced",
		concurrency: 1,
		stream: true,
		body: streamBody({ chunks: STREAM_CHUNKS, gapMs: 1 }),
		roundMs: quick ? 600 : 3000,
	},
	// Anthropic's Messages API to a Claude model: a pass-through (the body upstream with only
	// `model` replaced, the answer back with only message_start's id and model rewritten). The
	// same text per chunk, chunk count and concurrencies as chat, so each ratio to the bare proxy
	// (which relays the same upstream bytes) compares with chat's.
	// `twin`: the chat scenario it mirrors; when both run, their rounds interleave (mainScenarios).
	{
		key: "messages-plain-c1",
		twin: "plain-c1",
		api: "messages",
		concurrency: 1,
		stream: false,
		body: messagesPlainBody(),
	},
	{
		key: "messages-plain-c16",
		twin: "plain-c16",
		api: "messages",
		concurrency: 16,
		stream: false,
		body: messagesPlainBody(),
	},
	{
		key: "messages-stream-c1",
		twin: "stream-c1",
		api: "messages",
		concurrency: 1,
		stream: true,
		body: messagesStreamBody({ chunks: STREAM_CHUNKS }),
	},
	{
		key: "messages-stream-c16",
		twin: "stream-c16",
		api: "messages",
		concurrency: 16,
		stream: true,
		body: messagesStreamBody({ chunks: STREAM_CHUNKS }),
	},
	// OpenAI's Responses API to the same Claude model: translated, not passed through (the request
	// becomes a chat request and then Claude's; Claude's events become canonical chunks and then the
	// Responses semantic events, with sequence numbers). The same fake, text and 200 chunks as the
	// Messages scenarios; the bare proxy relays the fake Claude's events for the ratio.
	{
		key: "responses-stream-c1",
		twin: "stream-c1",
		api: "responses",
		concurrency: 1,
		stream: true,
		body: responsesStreamBody(STREAM_CHUNKS),
	},
	{
		key: "responses-stream-c16",
		twin: "stream-c16",
		api: "responses",
		concurrency: 16,
		stream: true,
		body: responsesStreamBody(STREAM_CHUNKS),
	},
	// POST /v1/embeddings (issue 16): gateway CPU per input with 1 and 512 inputs, for the OpenAI
	// pass-through and for Gemini (512 inputs = 6 batchEmbedContents calls, 4 at a time), float and
	// base64 (the openai package's default; for Gemini the gateway encodes it). All eight run in the
	// same rounds (twins of embeddings-openai-1). The bare proxy relays each to the fake's OpenAI
	// /embeddings: an answer of the shape and size the client gets.
	...EMBEDDINGS_SCENARIOS,
];
if (only) {
	const unknown = only.filter((key) => !SCENARIOS.some((def) => def.key === key));
	if (unknown.length > 0) {
		throw new Error(
			`--only: unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((d) => d.key).join(", ")}`,
		);
	}
}
const selected = SCENARIOS.filter((def) => !only || only.includes(def.key));
const needsMessages = selected.some((def) => def.api === "messages");
const needsResponses = selected.some((def) => def.api === "responses");
const needsEmbeddings = selected.some((def) => def.api === "embeddings");
/** The target of a scenario's API: the chat one, or its Messages, Responses or embeddings twin on the same connections. */
const targetFor = (target, api) =>
	api === "messages"
		? target.messages
		: api === "responses"
			? target.responses
			: api === "embeddings"
				? target.embeddings
				: target;

async function mainScenarios() {
	const scenarios = {};
	for (const def of selected) {
		if (scenarios[def.key]) continue;
		// A Messages or Responses scenario runs in the same rounds as its chat twin when both are
		// selected (all three when all are), so that Messages ÷ chat and Responses ÷ chat are not
		// comparisons of two moments of a shared machine.
		const twins = selected.filter((other) => other.twin === def.key);
		const group = [def, ...twins];
		log(
			`measuring ${group.map((d) => d.key).join(" + ")} (${ROUNDS} rounds × ${def.roundMs ?? ROUND_MS} ms per target${twins.length > 0 ? " and API" : ""}, alternating)`,
		);
		const pairs = await alternateEach(
			ROUNDS,
			group.map((d) => ({
				units: d.units ?? (d.stream ? STREAM_CHUNKS : 1),
				work: (target) =>
					closedLoop(targetFor(target, d.api), {
						body: d.body,
						stream: d.stream,
						concurrency: d.concurrency,
						durationMs: d.roundMs ?? ROUND_MS,
					}),
			})),
		);
		group.forEach((d, i) => {
			scenarios[d.key] = {
				api: d.api ?? "chat",
				concurrency: d.concurrency,
				stream: d.stream,
				chunks: d.stream ? STREAM_CHUNKS : 0,
				...(d.api === "embeddings"
					? { provider: d.provider, format: d.format, inputs: d.inputs, dimensions: EMBEDDING_DIMS }
					: {}),
				...pairs[i],
				ratios: compare(pairs[i].bare, pairs[i].gateway),
			};
		});
	}
	return scenarios;
}

const scaleCount = (n) => Math.max(1, quick ? Math.ceil(n / 5) : n);

async function scalingChecks(gatewayHost) {
	const rounds = 2;
	const chunks = [];
	for (const [n, count] of [
		[10, 150],
		[100, 60],
		[1000, 12],
		[10000, 3],
	]) {
		log(`scaling: streams of ${n} chunks`);
		const body = streamBody({ chunks: n });
		const perRound = scaleCount(count);
		const pair = await alternate(
			rounds,
			(target) => closedLoop(target, { body, stream: true, concurrency: 1, maxRequests: perRound }),
			n,
		);
		chunks.push({ chunks: n, ...pair });
	}
	const [small, large] = [chunks[0], chunks[chunks.length - 1]];
	const marginal = (t) => ({
		wallUs: ((large[t].meanMs - small[t].meanMs) * 1000) / (large.chunks - small.chunks),
		cpuUs:
			(large[t].cpuUsPerRequest.workerd - small[t].cpuUsPerRequest.workerd) / (large.chunks - small.chunks),
	});
	const marginalChunk = {
		from: small.chunks,
		to: large.chunks,
		bare: marginal("bare"),
		gateway: marginal("gateway"),
	};

	const bodies = [];
	for (const [label, bytes, count] of [
		["1 KB", 1024, 150],
		["100 KB", 100 * 1024, 60],
		["5 MB", 5 * MB, 6],
	]) {
		log(`scaling: request bodies of ${label}`);
		const body = sizedBody(bytes);
		const perRound = scaleCount(count);
		const pair = await alternate(rounds, (target) =>
			closedLoop(target, { body, stream: false, concurrency: 1, maxRequests: perRound }),
		);
		bodies.push({ label, bytes: body.length, kb: body.length / 1024, ...pair });
	}

	const [mid, big] = [bodies[1], bodies[bodies.length - 1]];
	const perKb = (t) => ({
		wallUs: ((big[t].meanMs - mid[t].meanMs) * 1000) / (big.kb - mid.kb),
		cpuUs: (big[t].cpuUsPerRequest.workerd - mid[t].cpuUsPerRequest.workerd) / (big.kb - mid.kb),
	});
	const marginalBodyKb = { from: mid.label, to: big.label, bare: perKb("bare"), gateway: perKb("gateway") };

	const bigLine = [];
	for (const [label, bytes, piece] of [
		["10 MB line, 64 KB writes", 10 * MB, 65536],
		["10 MB line, 1 KB writes", 10 * MB, 1024],
		["1 MB line, 1 KB writes", 1 * MB, 1024],
	]) {
		log(`scaling: one ${label}`);
		const body = streamBody({ line: bytes, piece });
		const pair = await alternate(quick ? 1 : 3, (target) =>
			closedLoop(target, { body, stream: true, concurrency: 1, maxRequests: bytes > MB ? 1 : 5 }),
		);
		bigLine.push({ label, piece, bytes, ...pair });
	}

	const usageTable = await usageTableSeries(gatewayHost);
	return { chunks, marginalChunk, bodies, marginalBodyKb, bigLine, usageTable };
}

/** Runs SQL on a target's D1 through its host process; resolves to the last statement's rows. */
function runSql(host, statements) {
	return new Promise((resolve, reject) => {
		const onMessage = (message) => {
			if (message?.type !== "sql-done" && message?.type !== "sql-failed") return;
			host.child.off("message", onMessage);
			if (message.type === "sql-done") resolve(message.rows);
			else reject(new Error(`SQL in the ${host.message.url} host failed: ${message.error}`));
		};
		host.child.on("message", onMessage);
		host.child.send({ type: "sql", statements });
	});
}

/**
 * Every request writes a usage row, so the gateway's cost per request must not grow with the rows
 * already stored (a random primary key did: each insert dirtied a random page of the index). The
 * table is filled with rows of past traffic (older ids and times, 50 keys, 20 models), then plain
 * requests at c=16 are measured again.
 */
const FILL_STEP = 50_000;

async function usageTableSeries(gatewayHost) {
	const fills = [0, 250_000, 750_000];
	const series = [];
	let filled = 0;
	for (const add of fills) {
		if (add > 0) {
			log(`scaling: adding ${add} past usage rows to the gateway's table`);
			// 50,000 rows a statement, then unmeasured requests: SQLite copies the fill's journal into the
			// database file at later commits, which would otherwise land in the next measured round.
			const statements = [];
			for (let at = 0; at < add; at += FILL_STEP) statements.push(fillUsageSql(filled + at, FILL_STEP));
			await runSql(gatewayHost, statements);
			filled += add;
			await closedLoop(targets.gateway, {
				body: plainBody(),
				stream: false,
				concurrency: 16,
				durationMs: 2000,
			});
		}
		const [{ rows }] = await runSql(gatewayHost, ["SELECT COUNT(*) AS rows FROM usage"]);
		log(`scaling: plain requests at c=16 with ${rows} usage rows stored`);
		const pair = await alternate(3, (target) =>
			closedLoop(target, { body: plainBody(), stream: false, concurrency: 16, durationMs: ROUND_MS }),
		);
		series.push({ rowsBefore: rows, ...pair });
	}
	return series;
}

/** `count` usage rows from before any request of this run, with ids that sort before the gateway's. */
function fillUsageSql(from, count) {
	// 'gate-0' and nine decimal digits sort before every id the gateway makes: their base-36 time has
	// started with a letter since 1994.
	return `WITH RECURSIVE n(i) AS (SELECT ${from + 1} UNION ALL SELECT i + 1 FROM n WHERE i < ${from + count})
		INSERT INTO usage (id, key_id, model, provider, upstream_model, prompt_tokens, completion_tokens,
			total_tokens, cost_usd, outcome, status, streamed, latency_ms, created_at, attempts)
		SELECT printf('gate-0%09d', i) || hex(randomblob(8)), 'key-past-' || (i % 50), 'model-' || (i % 20),
			'openai', 'bench', 12, 7, 19, 0.0000123, 'ok', 200, 0, 3, 1600000000000 + i * 100,
			'[{"model":"bench","status":200,"code":null,"ms":1}]'
		FROM n`;
}

// ---------------------------------------------------------------------------------------------

/**
 * Before measuring the Messages scenarios: the bare proxy relays them, and the gateway passes them
 * through to the fake Claude with the upstream's bytes kept but the message's id and model rewritten.
 */
async function checkMessages() {
	for (const name of ORDER) {
		for (const [body, stream] of [
			[messagesPlainBody(), false],
			[messagesStreamBody({ chunks: 3 }), true],
		]) {
			const result = await send(targets[name].messages, body, stream);
			if (!result.ok) {
				throw new Error(
					`${name} answered ${result.status} to a Messages ${stream ? "stream" : "request"} (is anthropic/bench a pass-through?)`,
				);
			}
		}
	}
	const { host, port, path: route, headers } = targets.gateway.messages;
	const post = async (body) => {
		const res = await fetch(`http://${host}:${port}${route}`, { method: "POST", headers, body });
		return res.text();
	};
	const json = JSON.parse(await post(messagesPlainBody()));
	if (json.type !== "message" || json.id === "msg_bench" || json.model !== "anthropic/bench") {
		throw new Error(
			`the gateway's Messages answer was not a rewritten pass-through: ${JSON.stringify(json)}`,
		);
	}
	const events = (await post(messagesStreamBody({ chunks: 3 }))).split("\n\n").filter((e) => e !== "");
	const names = events.map((e) => /^event: (\S+)/.exec(e)?.[1]);
	const expected = [
		"message_start",
		"content_block_start",
		"ping",
		"content_block_delta",
		"content_block_delta",
		"content_block_delta",
		"content_block_stop",
		"message_delta",
		"message_stop",
	];
	const start = JSON.parse(events[0].slice(events[0].indexOf("data: ") + 6));
	if (
		names.join() !== expected.join() ||
		start.message.id === "msg_bench" ||
		start.message.model !== "anthropic/bench"
	) {
		throw new Error(`the gateway's Messages stream was not a rewritten pass-through: ${events.join(" | ")}`);
	}
}

/**
 * Before measuring the Responses scenarios: the bare proxy relays the fake Claude's events, and the
 * gateway's answer is the translated Responses stream: every event `event: <type>` + `data:` with the
 * same type, sequence numbers 0, 1, 2, … without a gap, response.created first, one
 * response.output_text.delta per upstream chunk, and response.completed last, completed, with all
 * the text and the output tokens. Nothing is stored (`store: false`).
 */
async function checkResponses() {
	const chunks = 3;
	for (const name of ORDER) {
		const result = await send(targets[name].responses, responsesStreamBody(chunks), true);
		if (!result.ok) {
			throw new Error(
				`${name} answered ${result.status} to a Responses stream${name === "gateway" ? " (did it end with response.completed?)" : ""}`,
			);
		}
	}
	const { host, port, path: route, headers } = targets.gateway.responses;
	const res = await fetch(`http://${host}:${port}${route}`, {
		method: "POST",
		headers,
		body: responsesStreamBody(chunks),
	});
	const text = await res.text();
	const fail = (why) => {
		throw new Error(`the gateway's Responses stream ${why}: ${text.slice(0, 2000)}`);
	};
	if (!(res.headers.get("content-type") ?? "").startsWith("text/event-stream"))
		fail("is not an event stream");
	const events = text
		.split("\n\n")
		.filter((e) => e !== "")
		.map((e) => {
			const match = /^event: (\S+)\ndata: (.*)$/s.exec(e);
			if (!match) fail(`has an event that is not \`event:\` + \`data:\` (${e.slice(0, 200)})`);
			const data = JSON.parse(match[2]);
			if (data.type !== match[1]) fail(`has an event named ${match[1]} whose data is of type ${data.type}`);
			return data;
		});
	events.forEach((data, i) => {
		if (data.sequence_number !== i) fail(`has sequence number ${data.sequence_number} at event ${i}`);
	});
	const types = events.map((data) => data.type);
	const deltas = events.filter((data) => data.type === "response.output_text.delta");
	const last = events.at(-1);
	if (
		types[0] !== "response.created" ||
		types[1] !== "response.in_progress" ||
		deltas.length !== chunks ||
		deltas.some((data) => data.delta !== " tok") ||
		last?.type !== "response.completed" ||
		last.response?.status !== "completed" ||
		last.response?.model !== "anthropic/bench" ||
		last.response?.output?.[0]?.content?.[0]?.text !== " tok".repeat(chunks) ||
		last.response?.usage?.output_tokens !== chunks
	) {
		fail(`is not the translation expected (${types.join(", ")})`);
	}
}

/**
 * Before measuring the embeddings scenarios: both targets answer every one of them with one vector
 * per input, in order, of the length asked for (floats, or base64 of that many float32s); the
 * gateway names the catalog model, and for Gemini estimates the usage (a quarter of the characters)
 * and sends 512 inputs as 6 batchEmbedContents calls (100 × 5 + 12), as the fake counted them.
 */
async function checkEmbeddings(fakeBase) {
	const fail = (why) => {
		throw new Error(`embeddings check: ${why}`);
	};
	for (const def of selected.filter((d) => d.api === "embeddings")) {
		for (const name of ORDER) {
			const { host, port, path: route, headers } = targets[name].embeddings;
			if (def.provider === "google" && name === "gateway") {
				await fetch(`${fakeBase}/__bench/embeddings-stats`, { method: "DELETE" });
			}
			const res = await fetch(`http://${host}:${port}${route}`, { method: "POST", headers, body: def.body });
			const text = await res.text();
			if (res.status !== 200) fail(`${name} answered ${def.key} with ${res.status}: ${text.slice(0, 300)}`);
			const answer = JSON.parse(text);
			if (answer.object !== "list" || answer.data?.length !== def.inputs) {
				fail(`${name} answered ${def.key} with ${answer.data?.length} vectors`);
			}
			for (const [i, item] of answer.data.entries()) {
				const length =
					def.format === "base64" ? Buffer.from(item.embedding, "base64").length / 4 : item.embedding.length;
				if (item.index !== i || length !== EMBEDDING_DIMS) {
					fail(`${name}'s ${def.key} vector ${i}: index ${item.index}, ${length} numbers`);
				}
			}
			if (name !== "gateway" && !baseline) continue;
			if (answer.model !== `${def.provider}/bench-embed`) fail(`${def.key} answered as ${answer.model}`);
			if (def.provider !== "google" || name !== "gateway") continue;
			const tokens = embeddingInputs(def.inputs).reduce(
				(n, t) => n + Math.max(1, Math.ceil(t.length / 4)),
				0,
			);
			if (answer.usage?.prompt_tokens !== tokens) {
				fail(`${def.key}: usage ${JSON.stringify(answer.usage)}, expected ${tokens} estimated tokens`);
			}
			const stats = await (await fetch(`${fakeBase}/__bench/embeddings-stats`)).json();
			const expected = Array.from({ length: Math.ceil(def.inputs / 100) }, (_, i) =>
				Math.min(100, def.inputs - i * 100),
			);
			const sizes = [...stats.sizes].sort((a, b) => b - a);
			if (sizes.join() !== expected.join()) {
				fail(
					`${def.key}: batchEmbedContents calls of ${stats.sizes.join(", ")}, expected ${expected.join(", ")}`,
				);
			}
		}
	}
	log("embeddings: both targets answer every scenario; 512 inputs reach Gemini as 6 calls");
}

/** --plumbing: the platform's price of each building block, added one at a time to the bare proxy. */
async function plumbingChecks(host) {
	meter = createMeter({
		workerd: () => {
			const pids = descendants(host.child.pid).filter((pid) => processName(pid) === "workerd");
			for (const pid of pids) workerdPids.add(pid);
			return pids;
		},
	});
	const chunks = quick ? 2000 : 10000;
	const streamRows = [
		["bare proxy (upstream body returned as is)", "mode=bare"],
		["+ 1 identity TransformStream (pipeThrough)", "mode=identity&n=1"],
		["+ 7 identity TransformStreams", "mode=identity&n=7"],
		["+ 1 JS TransformStream (transform enqueues the chunk)", "mode=transform&n=1"],
		["+ 7 JS TransformStreams", "mode=transform&n=7"],
		["+ 1 JS ReadableStream pulling from the body", "mode=pull&n=1"],
		["+ 1 JS ReadableStream pulling, raced against a setTimeout per read", "mode=timer&n=1"],
		["+ a JS loop writing to a native IdentityTransformStream (the gateway's shape)", "mode=pump&n=1"],
		["… and the request body read whole and sent as text, as the gateway does", "mode=readpump&n=1"],
	];
	const requestRows = [
		["bare proxy", "mode=bare"],
		["+ 1 D1 query per request", "mode=d1&n=1"],
		["+ 2 D1 queries per request", "mode=d1&n=2"],
	];
	const measure = async (query, body, stream, count) => {
		const target = createTarget("plumbing", host.message.url, "unused", `/v1/chat/completions?${query}`);
		await closedLoop(target, {
			body,
			stream,
			concurrency: 1,
			maxRequests: Math.max(1, Math.ceil(count / 5)),
		});
		const before = meter.snapshot();
		const { results, elapsedMs } = await closedLoop(target, {
			body,
			stream,
			concurrency: 1,
			maxRequests: count,
		});
		await sleep(SETTLE_MS);
		const cpu = meter.diff(before, meter.snapshot());
		closeTarget(target);
		if (results.some((r) => !r.ok)) throw new Error(`plumbing ${query}: failed requests`);
		const ttfbs = results.map((r) => r.ttfb).sort((a, b) => a - b);
		const ttfbMs = ttfbs[Math.floor(ttfbs.length / 2)] ?? 0;
		return { wallUs: (elapsedMs * 1000) / count, cpuUs: (cpu.workerd * 1e6) / count, ttfbMs };
	};
	const out = { streams: [], requests: [] };
	for (const [label, query] of streamRows) {
		log(`plumbing: ${label}`);
		const m = await measure(query, streamBody({ chunks }), true, 3);
		// Time to first byte on short streams, many of them, so the median means something.
		const short = await measure(query, streamBody({ chunks: 20 }), true, 100);
		out.streams.push({
			label,
			query,
			wallUsPerChunk: m.wallUs / chunks,
			cpuUsPerChunk: m.cpuUs / chunks,
			ttfbMs: short.ttfbMs,
		});
	}
	for (const [label, query] of requestRows) {
		log(`plumbing: ${label}`);
		const m = await measure(query, plainBody(), false, quick ? 100 : 500);
		out.requests.push({ label, query, wallUsPerRequest: m.wallUs, cpuUsPerRequest: m.cpuUs });
	}
	const base = (list, key) => list[0][key];
	console.log(`\n## Platform building blocks (bench/plumbing-worker.js; ${chunks}-chunk streams, c=1)\n`);
	console.log(
		"| streamed | wall µs/chunk | workerd CPU µs/chunk | CPU added vs bare | TTFB p50 ms (20-chunk streams) |",
	);
	console.log("|---|--:|--:|--:|--:|");
	for (const row of out.streams) {
		const added = row.cpuUsPerChunk - base(out.streams, "cpuUsPerChunk");
		console.log(
			`| ${row.label} | ${row.wallUsPerChunk.toFixed(1)} | ${row.cpuUsPerChunk.toFixed(1)} | ${added.toFixed(1)} | ${row.ttfbMs.toFixed(2)} |`,
		);
	}
	console.log("\n| non-streamed | wall µs/request | workerd CPU µs/request | CPU added vs bare |");
	console.log("|---|--:|--:|--:|");
	for (const row of out.requests) {
		const added = row.cpuUsPerRequest - base(out.requests, "cpuUsPerRequest");
		console.log(
			`| ${row.label} | ${row.wallUsPerRequest.toFixed(0)} | ${row.cpuUsPerRequest.toFixed(0)} | ${added.toFixed(0)} |`,
		);
	}
	writeJson(outDir, { plumbing: out }, "plumbing.json");
}

/** --profile: where the gateway isolate's time goes, non-streamed and streamed, at c=16. */
async function profileGateway(inspectorUrl, bundlePath) {
	const runs = [
		{ key: "plain-c16", body: plainBody(), stream: false, units: 1, unit: "request" },
		{
			key: "stream-c16",
			body: streamBody({ chunks: STREAM_CHUNKS }),
			stream: true,
			units: STREAM_CHUNKS,
			unit: "chunk",
		},
		{
			key: "messages-plain-c16",
			api: "messages",
			body: messagesPlainBody(),
			stream: false,
			units: 1,
			unit: "request",
		},
		{
			key: "messages-stream-c16",
			api: "messages",
			body: messagesStreamBody({ chunks: STREAM_CHUNKS }),
			stream: true,
			units: STREAM_CHUNKS,
			unit: "chunk",
		},
		{
			key: "responses-stream-c16",
			api: "responses",
			body: responsesStreamBody(STREAM_CHUNKS),
			stream: true,
			units: STREAM_CHUNKS,
			unit: "chunk",
		},
		// The 512-input embeddings scenarios, at c=4 (a 512-input request takes tens of milliseconds);
		// per input. Only with --only (`--profile --only=embeddings-gemini-512`).
		...EMBEDDINGS_SCENARIOS.filter((def) => def.inputs > 1 && only?.includes(def.key)).map((def) => ({
			key: def.key,
			api: "embeddings",
			body: def.body,
			stream: false,
			units: def.inputs,
			unit: "input",
			concurrency: 4,
		})),
	];
	const report = {};
	// `--profile --only=messages-stream-c16,stream-c16` profiles just those (c=16 keys only).
	for (const run of runs.filter((r) => !only || only.includes(r.key))) {
		log(`profiling the gateway isolate: ${run.key}`);
		meter.refresh();
		const before = meter.snapshot();
		const { profile, result } = await profileWhile(inspectorUrl, "gateway", () =>
			closedLoop(targetFor(targets.gateway, run.api), {
				body: run.body,
				stream: run.stream,
				concurrency: run.concurrency ?? 16,
				durationMs: quick ? 1000 : 4000,
			}),
		);
		await sleep(SETTLE_MS);
		const cpu = meter.diff(before, meter.snapshot());
		const units = result.results.length * run.units;
		const summary = summarizeProfile(profile, bundlePath, units);
		const file = path.join(outDir, `profile-${run.key}.cpuprofile`);
		saveProfile(file, profile);
		const workerdUs = (cpu["gateway.workerd"] * 1e6) / units;
		report[run.key] = { units, workerdUsPerUnit: workerdUs, ...summary };
		console.log(
			`\n### ${run.key}: ${result.results.length} requests; workerd CPU ${workerdUs.toFixed(1)} µs per ${run.unit} with the profiler attached. V8 sampled ${summary.usPerUnit.toFixed(1)} µs of busy isolate time per ${run.unit}: samples measure wall time, so on a loaded machine this can exceed the CPU figure; read the shares. "(program)" is native code running under the isolate (workerd's streams, I/O). Raw profile: ${path.relative(root, file)} (open in Chrome DevTools)\n`,
		);
		console.log(profileText(`per ${run.unit}`, summary));
	}
	writeJson(outDir, { profile: report }, "profile.json");
}

function machineInfo() {
	const cpuModel =
		/model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model;
	const version = (pkg, from = root) => {
		try {
			return JSON.parse(readFileSync(path.join(from, "node_modules", pkg, "package.json"), "utf8")).version;
		} catch {
			return null;
		}
	};
	const wranglerDir = path.join(root, "node_modules", "wrangler");
	const nested = (pkg) =>
		existsSync(path.join(wranglerDir, "node_modules", pkg)) ? version(pkg, wranglerDir) : version(pkg);
	let workerd = nested("workerd");
	try {
		const bin = path.join(
			existsSync(path.join(wranglerDir, "node_modules", "workerd")) ? wranglerDir : root,
			"node_modules",
			"workerd",
			"bin",
			"workerd",
		);
		workerd = execFileSync(bin, ["--version"]).toString().trim();
	} catch {
		// Keep the package version.
	}
	return {
		nproc: cpus().length,
		cpuModel,
		node: process.version,
		workerd,
		miniflare: nested("miniflare"),
		wrangler: version("wrangler"),
		clkTck: CLK_TCK,
		loadavgAtStart: loadavg(),
	};
}

async function main() {
	const machine = machineInfo();
	log(
		`${machine.nproc} cores (${machine.cpuModel}), Node ${machine.node}, ${machine.workerd}, miniflare ${machine.miniflare}${quick ? " — QUICK MODE" : ""}`,
	);
	rmSync(path.join(outDir, "state"), { recursive: true, force: true });

	if (!plumbing) log("building the deployable bundle (wrangler deploy --dry-run --outdir .bench/bundle)");
	// --plumbing needs neither the gateway's bundle nor its decoder.
	const [bundle, stagePath, setup] = await Promise.all([
		plumbing ? null : buildBundle(root, path.join(outDir, "bundle")),
		plumbing ? null : buildStage(),
		readWranglerSetup(),
	]);
	if (bundle) {
		log(
			`bundle: ${bundle.rawBytes} bytes, ${bundle.gzipBytes} gzipped (gzip -9); wrangler: ${bundle.wranglerSays}`,
		);
	}

	const upstreamKey = `sk-upstream-${randomBytes(8).toString("hex")}`;
	const fake = await start("fake-upstream.mjs", [], { BENCH_UPSTREAM_KEY: upstreamKey });
	const upstreamUrl = `http://127.0.0.1:${fake.message.port}/v1`;
	const adminToken = randomBytes(16).toString("hex");
	const hostConfig = (name, scriptPath, statements) => ({
		BENCH_HOST_CONFIG: JSON.stringify({
			name,
			inspect: profiling && name === "gateway",
			scriptPath,
			stateDir: path.join(outDir, "state", name),
			statements,
			worker: {
				compatibilityDate: setup.workerOptions.compatibilityDate,
				compatibilityFlags: setup.workerOptions.compatibilityFlags,
				bindings: {
					...setup.workerOptions.bindings,
					OPENAI_BASE_URL: upstreamUrl,
					OPENAI_API_KEY: upstreamKey,
					// The gateway appends /v1/messages, as to https://api.anthropic.com.
					ANTHROPIC_BASE_URL: `http://127.0.0.1:${fake.message.port}`,
					ANTHROPIC_API_KEY: upstreamKey,
					// The gateway appends /v1beta/models/…, as to https://generativelanguage.googleapis.com.
					GEMINI_BASE_URL: `http://127.0.0.1:${fake.message.port}`,
					GEMINI_API_KEY: upstreamKey,
					ADMIN_TOKEN: adminToken,
				},
				d1Databases: setup.workerOptions.d1Databases,
				kvNamespaces: setup.workerOptions.kvNamespaces,
				r2Buckets: setup.workerOptions.r2Buckets,
			},
		}),
	});
	if (plumbing) {
		const host = await start(
			"host.mjs",
			[],
			hostConfig("plumbing", path.join(benchDir, "plumbing-worker.js"), []),
		);
		await plumbingChecks(host);
		return;
	}

	log(`starting both workers in workerd (migrations: ${setup.migrations.join(", ")})`);
	const [bareHost, gatewayHost] = await Promise.all([
		baseline
			? start("host.mjs", [], hostConfig("bare", path.resolve(baseline), setup.statements))
			: start("host.mjs", [], hostConfig("bare", path.join(benchDir, "bare-proxy.js"), [])),
		start("host.mjs", [], hostConfig("gateway", bundle.scriptPath, setup.statements)),
	]);

	// Admin API: a key and the bench models.
	const gatewayUrl = gatewayHost.message.url;
	const admin = async (method, route, body, base = gatewayUrl) => {
		const res = await fetch(new URL(route, base), {
			method,
			headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
			body: JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status} ${text}`);
		return JSON.parse(text);
	};
	const setUp = async (base) => {
		const { key } = await admin("POST", "/admin/keys", { name: "bench" }, base);
		const model = { provider: "openai", upstream_model: "bench", input_price: 1, output_price: 2 };
		await admin("PUT", "/admin/models/openai/bench", model, base);
		if (needsMessages || needsResponses) {
			await admin("PUT", "/admin/models/anthropic/bench", { ...model, provider: "anthropic" }, base);
		}
		if (needsEmbeddings) {
			// The seeded embeddings models' prices (migration 0011).
			for (const [provider, price] of [
				["openai", 0.02],
				["google", 0.15],
			]) {
				await admin(
					"PUT",
					`/admin/models/${provider}/bench-embed`,
					{
						provider,
						upstream_model: "bench-embed",
						kind: "embeddings",
						input_price: price,
						output_price: 0,
					},
					base,
				);
			}
		}
		return key;
	};
	const key = await setUp(gatewayUrl);
	// The bare proxy takes any key; a baseline gateway has its own database and needs its own.
	targets.bare = createTarget(
		"bare",
		bareHost.message.url,
		baseline ? await setUp(bareHost.message.url) : key,
	);
	targets.gateway = createTarget("gateway", gatewayUrl, key);
	for (const target of Object.values(targets)) {
		const targetKey = target.headers.authorization.slice("Bearer ".length);
		target.messages = messagesTarget(target, targetKey);
		// The bare proxy relays the fake Claude's events; a baseline gateway answers as the gateway does.
		target.responses = responsesTarget(
			target,
			targetKey,
			target === targets.bare && !baseline ? "messages" : "responses",
		);
		target.embeddings = embeddingsTarget(target, targetKey);
	}

	const groupPids = (host, workerd) => () => {
		const pids = descendants(host.child.pid);
		for (const pid of pids) if (processName(pid) === "workerd") workerdPids.add(pid);
		return workerd ? pids.filter((pid) => processName(pid) === "workerd") : [host.child.pid];
	};
	meter = createMeter({
		"bare.workerd": groupPids(bareHost, true),
		"bare.host": groupPids(bareHost, false),
		"gateway.workerd": groupPids(gatewayHost, true),
		"gateway.host": groupPids(gatewayHost, false),
		fake: () => [fake.child.pid],
		loadgen: () => [process.pid],
	});
	const pids = meter.pids();
	if (pids["bare.workerd"].length === 0 || pids["gateway.workerd"].length === 0) {
		throw new Error("could not find the workerd processes under the Miniflare hosts");
	}
	log(`workerd pids: bare ${pids["bare.workerd"].join(",")}, gateway ${pids["gateway.workerd"].join(",")}`);

	// Both targets must answer correctly before anything is measured.
	for (const name of ORDER) {
		for (const [body, stream] of [
			[plainBody(), false],
			[streamBody({ chunks: 3 }), true],
		]) {
			const result = await send(targets[name], body, stream);
			if (!result.ok)
				throw new Error(`${name} answered ${result.status} to a ${stream ? "stream" : "plain"} request`);
		}
	}
	if (needsMessages) await checkMessages();
	if (needsResponses) await checkResponses();
	if (needsEmbeddings) await checkEmbeddings(`http://127.0.0.1:${fake.message.port}`);
	log("warming up both targets");
	for (const name of ORDER) {
		await closedLoop(targets[name], {
			body: plainBody(),
			stream: false,
			concurrency: 4,
			maxRequests: quick ? 100 : 600,
		});
		await closedLoop(targets[name], {
			body: streamBody({ chunks: STREAM_CHUNKS }),
			stream: true,
			concurrency: 4,
			maxRequests: quick ? 10 : 60,
		});
		if (needsResponses) {
			await closedLoop(targets[name].responses, {
				body: responsesStreamBody(STREAM_CHUNKS),
				stream: true,
				concurrency: 4,
				maxRequests: quick ? 10 : 60,
			});
		}
		for (const def of selected.filter((d) => d.api === "embeddings")) {
			await closedLoop(targets[name].embeddings, {
				body: def.body,
				stream: false,
				concurrency: 1,
				maxRequests: Math.ceil((quick ? 40 : 200) / Math.sqrt(def.inputs)),
			});
		}
		if (!needsMessages) continue;
		await closedLoop(targets[name].messages, {
			body: messagesPlainBody(),
			stream: false,
			concurrency: 4,
			maxRequests: quick ? 100 : 600,
		});
		await closedLoop(targets[name].messages, {
			body: messagesStreamBody({ chunks: STREAM_CHUNKS }),
			stream: true,
			concurrency: 4,
			maxRequests: quick ? 10 : 60,
		});
	}

	if (profiling) {
		await profileGateway(gatewayHost.message.inspectorUrl, bundle.scriptPath);
		return;
	}

	const scenarios = await mainScenarios();
	if (only) {
		if (only.length === 1) {
			const { bare, gateway, ratios } = scenarios[only[0]];
			console.log(JSON.stringify({ only: only[0], bare, gateway, ratios }, null, 1));
		} else {
			console.log(`\n## Selected scenarios (--only=${only.join(",")})\n`);
			console.log(onlyTable(scenarios));
			if (needsEmbeddings) {
				console.log(`\n### Embeddings: workerd CPU per input (c=1, ${EMBEDDING_DIMS}-dimension vectors)\n`);
				console.log(embeddingsTable(scenarios));
			}
			writeJson(outDir, { when: new Date().toISOString(), only, scenarios }, "only.json");
		}
		return;
	}
	const scaling = await scalingChecks(gatewayHost);
	log("scaling: the SSE decoder in-process on a 10 MB line in 1 B / 1 KB / 64 KB pieces");
	const stage = await start("stage.mjs", [pathToFileURL(stagePath).href], {}, 180_000);
	scaling.stage = stage.message.results;

	for (const target of Object.values(targets)) closeTarget(target);
	const startupRuns = quick ? 1 : 5;
	log(`start-up: wrangler check startup, ${startupRuns} runs`);
	// An alpha command of wrangler's: its failure costs this one figure, not the run.
	const startup = await measureStartup(root, outDir, startupRuns).catch((error) => ({
		error: String(error.message ?? error).split("\n")[0],
	}));
	const results = {
		when: new Date().toISOString(),
		quick,
		machine: { ...machine, loadavgAtEnd: loadavg() },
		method: {
			order: ORDER,
			rounds: ROUNDS,
			roundMs: ROUND_MS,
			settleMs: SETTLE_MS,
			streamChunks: STREAM_CHUNKS,
			cpu: "utime+stime from /proc/<pid>/stat; workerd = the Miniflare instance's workerd process; host = the Node process running that Miniflare (drains workerd's stdout); per request = CPU over a round (plus settle) ÷ requests",
		},
		bundle: { rawBytes: bundle.rawBytes, gzipBytes: bundle.gzipBytes, wranglerSays: bundle.wranglerSays },
		startup,
		scenarios,
		scaling,
		durationS: (performance.now() - startedAt) / 1000,
	};
	const file = writeJson(outDir, results);

	const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
	console.log(
		`\n## AIGate gateway vs bare pass-through Worker${quick ? " (QUICK MODE: not for publishing)" : ""}\n`,
	);
	console.log(headlineTable(scenarios));
	console.log("\n### Messages pass-through next to chat (same chunks, concurrency and upstream text)\n");
	console.log(messagesTable(scenarios));
	console.log(
		"\n### Translated Responses stream next to chat (same chunks, concurrency and upstream text)\n",
	);
	console.log(responsesTable(scenarios));
	console.log(`\n### Embeddings: workerd CPU per input (c=1, ${EMBEDDING_DIMS}-dimension vectors)\n`);
	console.log(embeddingsTable(scenarios));
	console.log(
		`\nBundle (wrangler deploy --dry-run): ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzipped (gzip -9); wrangler reports "${bundle.wranglerSays}".`,
	);
	console.log(
		startup.error
			? `Start-up: not measured (wrangler check startup failed: ${startup.error}).\n`
			: `Start-up (wrangler check startup, ${startup.busyMs.length} runs): median ${startup.medianMs.toFixed(1)} ms of CPU in the global scope (runs: ${startup.busyMs.map((ms) => ms.toFixed(1)).join(", ")}); Cloudflare allows 1 s.\n`,
	);
	console.log("## Scaling checks\n");
	console.log(scalingTables(scaling));
	console.log(
		`\n${machine.nproc} × ${machine.cpuModel}, Node ${machine.node}, ${machine.workerd}, miniflare ${machine.miniflare}; load average at start ${machine.loadavgAtStart.map((v) => v.toFixed(2)).join(" ")}.`,
	);
	console.log(`Results: ${path.relative(root, file)} (took ${results.durationS.toFixed(0)} s)`);
}

let exitCode = 0;
try {
	await main();
} catch (error) {
	console.error(`\n[bench] failed: ${error?.stack ?? error}`);
	exitCode = 1;
} finally {
	await shutdown();
}
process.exit(exitCode);
