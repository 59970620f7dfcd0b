// Summaries, the printed tables (Markdown, so they can be pasted as they are) and the JSON file.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { percentile } from "./load.mjs";

const fixed = (value, digits) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const ms = (value) => fixed(value, value >= 100 ? 0 : value >= 10 ? 1 : 2);
const us = (value) => fixed(value, value >= 100 ? 0 : 1);
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN);
const signed = (value) => (Number.isFinite(value) ? `${value >= 0 ? "+" : ""}${ms(value)}` : "–");
const check = (ok) => (ok ? "✅" : "❌");

/** Timing and CPU of one target over all its rounds of one scenario. */
export function summarize(acc, units = 1) {
	const ok = acc.results.filter((r) => r.ok);
	const totals = ok.map((r) => r.total).sort((a, b) => a - b);
	const ttfbs = ok.map((r) => r.ttfb).sort((a, b) => a - b);
	const requests = acc.results.length;
	const perRequestUs = (seconds) => (seconds * 1e6) / Math.max(1, requests);
	const perUnitUs = (seconds) => (seconds * 1e6) / Math.max(1, requests * units);
	const runtime = acc.cpu.workerd + acc.cpu.host;
	return {
		requests,
		errors: requests - ok.length,
		elapsedS: acc.elapsedMs / 1000,
		rps: requests / (acc.elapsedMs / 1000),
		meanMs: totals.reduce((sum, t) => sum + t, 0) / Math.max(1, totals.length),
		p50Ms: percentile(totals, 50),
		p99Ms: percentile(totals, 99),
		ttfbP50Ms: percentile(ttfbs, 50),
		ttfbP99Ms: percentile(ttfbs, 99),
		bytes: acc.results.reduce((sum, r) => sum + r.bytes, 0),
		cpuSeconds: { ...acc.cpu },
		cpuUsPerRequest: {
			workerd: perRequestUs(acc.cpu.workerd),
			host: perRequestUs(acc.cpu.host),
			runtime: perRequestUs(runtime),
			loadgen: perRequestUs(acc.cpu.loadgen),
			fake: perRequestUs(acc.cpu.fake),
		},
		cpuUsPerUnit: { workerd: perUnitUs(acc.cpu.workerd), runtime: perUnitUs(runtime) },
		otherLoadCores: acc.cpu.other / Math.max(1e-9, acc.spanMs / 1000),
	};
}

export function compare(bare, gateway) {
	return {
		rps: ratio(gateway.rps, bare.rps),
		p50: ratio(gateway.p50Ms, bare.p50Ms),
		p99: ratio(gateway.p99Ms, bare.p99Ms),
		ttfbP50: ratio(gateway.ttfbP50Ms, bare.ttfbP50Ms),
		ttfbP99: ratio(gateway.ttfbP99Ms, bare.ttfbP99Ms),
		addedP50Ms: gateway.p50Ms - bare.p50Ms,
		addedTtfbP50Ms: gateway.ttfbP50Ms - bare.ttfbP50Ms,
		cpuWorkerd: ratio(gateway.cpuUsPerRequest.workerd, bare.cpuUsPerRequest.workerd),
		cpuRuntime: ratio(gateway.cpuUsPerRequest.runtime, bare.cpuUsPerRequest.runtime),
	};
}

function table(header, rows) {
	const lines = [
		`| ${header.join(" | ")} |`,
		`|${header.map((_, i) => (i === 0 ? "---" : "--:")).join("|")}|`,
	];
	for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
	return lines.join("\n");
}

/** The headline table: every figure of both targets, the gateway's ratio to the bare proxy, the targets. */
export function headlineTable(s) {
	const rows = [];
	const row = (label, bare, gateway, fmt, opts = {}) => {
		const r = ratio(gateway, bare);
		rows.push([
			label,
			fmt(bare),
			fmt(gateway),
			fixed(r, 2),
			opts.added ? signed(gateway - bare) : "",
			opts.target ? `${opts.target.text} ${check(opts.target.ok(r, gateway - bare))}` : "",
		]);
	};
	const errors = (label, sc) =>
		rows.push([
			label,
			`${sc.bare.errors}/${sc.bare.requests}`,
			`${sc.gateway.errors}/${sc.gateway.requests}`,
			"",
			"",
			"",
		]);

	for (const key of ["plain-c1", "plain-c16"]) {
		const sc = s[key];
		if (!sc) continue;
		const c = sc.concurrency;
		row(`Non-streamed c=${c}: requests/s`, sc.bare.rps, sc.gateway.rps, (v) => fixed(v, 0), {
			target: c === 16 ? { text: "≥ 0.8×", ok: (r) => r >= 0.8 } : undefined,
		});
		row(`Non-streamed c=${c}: p50 latency (ms)`, sc.bare.p50Ms, sc.gateway.p50Ms, ms, {
			added: true,
			target: c === 1 ? { text: "added < 0.5 ms", ok: (_, d) => d < 0.5 } : undefined,
		});
		row(`Non-streamed c=${c}: p99 latency (ms)`, sc.bare.p99Ms, sc.gateway.p99Ms, ms, { added: true });
		errors(`Non-streamed c=${c}: errors`, sc);
	}
	// Anthropic's Messages API to a Claude model (a pass-through), beside chat's figures.
	for (const key of ["messages-plain-c1", "messages-plain-c16"]) {
		const sc = s[key];
		if (!sc) continue;
		const c = sc.concurrency;
		row(`Messages pass-through, non-streamed c=${c}: requests/s`, sc.bare.rps, sc.gateway.rps, (v) =>
			fixed(v, 0),
		);
		row(`Messages pass-through, non-streamed c=${c}: p50 latency (ms)`, sc.bare.p50Ms, sc.gateway.p50Ms, ms, {
			added: true,
		});
		errors(`Messages pass-through, non-streamed c=${c}: errors`, sc);
	}
	for (const key of ["stream-c1", "stream-c16", "stream-c1-paced"]) {
		const sc = s[key];
		if (!sc) continue;
		const c = sc.concurrency;
		const paced = key.endsWith("-paced");
		const label = `Streamed ${sc.chunks} chunks${paced ? " 1 ms apart" : ""} c=${c}`;
		// The target is judged on the paced stream: in the back-to-back one the bare proxy meets an
		// upstream that has just finished writing, the gateway one that has idled (bench/RESULTS.md).
		row(`${label}: TTFB p50 (ms)`, sc.bare.ttfbP50Ms, sc.gateway.ttfbP50Ms, ms, {
			added: true,
			target: paced ? { text: "added < 1 ms", ok: (_, d) => d < 1 } : undefined,
		});
		row(`${label}: TTFB p99 (ms)`, sc.bare.ttfbP99Ms, sc.gateway.ttfbP99Ms, ms, { added: true });
		row(`${label}: total p50 (ms)`, sc.bare.p50Ms, sc.gateway.p50Ms, ms, { added: true });
		row(`${label}: total p99 (ms)`, sc.bare.p99Ms, sc.gateway.p99Ms, ms, { added: true });
		row(`${label}: streams/s`, sc.bare.rps, sc.gateway.rps, (v) => fixed(v, 1));
		errors(`${label}: errors`, sc);
	}
	for (const key of [
		"messages-stream-c1",
		"messages-stream-c16",
		"responses-stream-c1",
		"responses-stream-c16",
	]) {
		const sc = s[key];
		if (!sc) continue;
		const api = sc.api === "messages" ? "Messages pass-through" : "Responses, translated";
		const label = `${api}, streamed ${sc.chunks} chunks c=${sc.concurrency}`;
		row(`${label}: TTFB p50 (ms)`, sc.bare.ttfbP50Ms, sc.gateway.ttfbP50Ms, ms, { added: true });
		row(`${label}: total p50 (ms)`, sc.bare.p50Ms, sc.gateway.p50Ms, ms, { added: true });
		row(`${label}: streams/s`, sc.bare.rps, sc.gateway.rps, (v) => fixed(v, 1));
		errors(`${label}: errors`, sc);
	}
	for (const key of ["plain-c1", "messages-plain-c1", "plain-c16", "messages-plain-c16"]) {
		const sc = s[key];
		if (!sc) continue;
		const what = sc.api === "messages" ? "Messages pass-through" : "non-streamed";
		const cpu = (t) => sc[t].cpuUsPerRequest;
		row(
			`CPU/request, ${what} c=${sc.concurrency}: workerd (µs)`,
			cpu("bare").workerd,
			cpu("gateway").workerd,
			us,
			{ added: true, target: { text: "≤ 1.5×", ok: (r) => r <= 1.5 } },
		);
		row(
			`CPU/request, ${what} c=${sc.concurrency}: workerd + Miniflare host (µs)`,
			cpu("bare").runtime,
			cpu("gateway").runtime,
			us,
			{ added: true },
		);
	}
	for (const key of [
		"stream-c1",
		"messages-stream-c1",
		"responses-stream-c1",
		"stream-c16",
		"messages-stream-c16",
		"responses-stream-c16",
	]) {
		const sc = s[key];
		if (!sc) continue;
		const what =
			sc.api === "messages"
				? "Messages pass-through "
				: sc.api === "responses"
					? "Responses translated "
					: "";
		const unit = (t) => sc[t].cpuUsPerUnit;
		row(
			`CPU/streamed chunk, ${what}c=${sc.concurrency}: workerd (µs)`,
			unit("bare").workerd,
			unit("gateway").workerd,
			us,
			{
				added: true,
			},
		);
		row(
			`CPU/streamed chunk, ${what}c=${sc.concurrency}: workerd + host (µs)`,
			unit("bare").runtime,
			unit("gateway").runtime,
			us,
			{ added: true },
		);
	}
	const c16 = s["plain-c16"];
	if (c16) {
		row(
			"Load generator CPU/request, non-streamed c=16 (µs)",
			c16.bare.cpuUsPerRequest.loadgen,
			c16.gateway.cpuUsPerRequest.loadgen,
			us,
		);
		row(
			"Fake upstream CPU/request, non-streamed c=16 (µs)",
			c16.bare.cpuUsPerRequest.fake,
			c16.gateway.cpuUsPerRequest.fake,
			us,
		);
	}
	const other = Object.values(s).map((sc) => Math.max(sc.bare.otherLoadCores, sc.gateway.otherLoadCores));
	rows.push([
		"Other processes' CPU during the runs (cores, worst scenario)",
		"",
		"",
		"",
		"",
		fixed(Math.max(...other), 2),
	]);
	return table(["Measure", "bare proxy", "gateway", "gateway ÷ bare", "gateway − bare", "target"], rows);
}

/** Each Messages scenario and the chat scenario it mirrors (same chunks, concurrency and text). */
const MESSAGES_PAIRS = [
	["plain-c1", "messages-plain-c1"],
	["plain-c16", "messages-plain-c16"],
	["stream-c1", "messages-stream-c1"],
	["stream-c16", "messages-stream-c16"],
];

/** Each translated Responses scenario and the chat scenario it mirrors. */
const RESPONSES_PAIRS = [
	["stream-c1", "responses-stream-c1"],
	["stream-c16", "responses-stream-c16"],
];

/**
 * Messages pass-through beside chat: workerd CPU per request (non-streamed) or per content chunk
 * (streamed), each API's ratio to the bare proxy relaying the same upstream bytes, and Messages ÷
 * chat, both of the gateway's own CPU and of the two ratios (the fair one: the two upstream formats
 * differ in bytes and events, which the bare proxy's figures absorb).
 */
export function messagesTable(s) {
	return besideChat(s, MESSAGES_PAIRS, "messages", "Messages");
}

/**
 * The translated Responses stream beside chat's, as the Messages table: CPU per content chunk, each
 * API's ratio to the bare proxy (which relays the fake Claude's events for Responses, the fake
 * OpenAI's chunks for chat), and Responses ÷ chat of the gateway's CPU and of the ratios. No target:
 * a translation does more than chat's path (two translations instead of none), so the table says
 * how much more.
 */
export function responsesTable(s) {
	return besideChat(s, RESPONSES_PAIRS, "responses", "Responses", false);
}

function besideChat(s, pairs, name, label, target = true) {
	const rows = [];
	for (const [chatKey, messagesKey] of pairs) {
		const chat = s[chatKey];
		const messages = s[messagesKey];
		if (!chat || !messages) continue;
		const unit = chat.stream ? "chunk" : "request";
		const cpu = (sc, t) => (sc.stream ? sc[t].cpuUsPerUnit.workerd : sc[t].cpuUsPerRequest.workerd);
		const chatRatio = ratio(cpu(chat, "gateway"), cpu(chat, "bare"));
		const messagesRatio = ratio(cpu(messages, "gateway"), cpu(messages, "bare"));
		rows.push([
			`CPU/${unit}, ${chat.stream ? `streamed ${chat.chunks} chunks` : "non-streamed"} c=${chat.concurrency} (µs)`,
			us(cpu(chat, "bare")),
			us(cpu(chat, "gateway")),
			fixed(chatRatio, 2),
			us(cpu(messages, "bare")),
			us(cpu(messages, "gateway")),
			fixed(messagesRatio, 2),
			fixed(ratio(cpu(messages, "gateway"), cpu(chat, "gateway")), 2),
			target
				? `${fixed(ratio(messagesRatio, chatRatio), 2)} ${check(messagesRatio <= chatRatio * 1.05)}`
				: fixed(ratio(messagesRatio, chatRatio), 2),
		]);
		rows.push([
			`${chat.stream ? "streams" : "requests"}/s c=${chat.concurrency}`,
			fixed(chat.bare.rps, chat.stream ? 1 : 0),
			fixed(chat.gateway.rps, chat.stream ? 1 : 0),
			fixed(ratio(chat.gateway.rps, chat.bare.rps), 2),
			fixed(messages.bare.rps, chat.stream ? 1 : 0),
			fixed(messages.gateway.rps, chat.stream ? 1 : 0),
			fixed(ratio(messages.gateway.rps, messages.bare.rps), 2),
			fixed(ratio(messages.gateway.rps, chat.gateway.rps), 2),
			fixed(ratio(ratio(messages.gateway.rps, messages.bare.rps), ratio(chat.gateway.rps, chat.bare.rps)), 2),
		]);
	}
	if (rows.length === 0) return `(no ${label} scenario beside its chat one)`;
	return table(
		[
			"Measure",
			"chat: bare",
			"chat: gateway",
			"chat: ÷ bare",
			`${name}: bare`,
			`${name}: gateway`,
			`${name}: ÷ bare`,
			`${name} ÷ chat, gateway`,
			`${name} ÷ chat, of the ratios${target ? " (target ≤ 1, ✅ within 5%)" : ""}`,
		],
		rows,
	);
}

/**
 * The embeddings scenarios: per scenario, workerd CPU per input (per request ÷ inputs) of both
 * targets and their ratio; then per provider and encoding, the gateway's CPU per input with 512
 * inputs ÷ with 1 (the issue's figure: flat or falling, ✅ at ≤ 1.05), and its marginal CPU per
 * extra input ((CPU per 512-input request − CPU per 1-input request) ÷ 511).
 */
export function embeddingsTable(s) {
	const list = Object.entries(s).filter(([, sc]) => sc.api === "embeddings");
	if (list.length === 0) return "(no embeddings scenario)";
	const label = (sc) =>
		`${sc.provider === "google" ? "Gemini (batchEmbedContents)" : "OpenAI pass-through"}, ${sc.format}`;
	const perInput = (sc, t) => sc[t].cpuUsPerUnit.workerd;
	const perRequest = (sc, t) => sc[t].cpuUsPerRequest.workerd;
	const scenarioRows = list.map(([key, sc]) => [
		`${key} (${label(sc)}, ${sc.inputs} input${sc.inputs === 1 ? "" : "s"})`,
		us(perInput(sc, "bare")),
		us(perInput(sc, "gateway")),
		fixed(ratio(perInput(sc, "gateway"), perInput(sc, "bare")), 2),
		us(perRequest(sc, "gateway")),
		ms(sc.bare.p50Ms),
		ms(sc.gateway.p50Ms),
		`${sc.bare.errors + sc.gateway.errors}/${sc.bare.requests + sc.gateway.requests}`,
	]);
	const seriesRows = [];
	for (const [, one] of list) {
		if (one.inputs !== 1) continue;
		const many = list
			.map(([, sc]) => sc)
			.find((sc) => sc.provider === one.provider && sc.format === one.format && sc.inputs > 1);
		if (!many) continue;
		const flat = ratio(perInput(many, "gateway"), perInput(one, "gateway"));
		const marginal = (t) => (perRequest(many, t) - perRequest(one, t)) / (many.inputs - one.inputs);
		seriesRows.push([
			label(one),
			us(perInput(one, "gateway")),
			us(perInput(many, "gateway")),
			`${fixed(flat, 3)} ${check(flat <= 1.05)}`,
			fixed(ratio(perInput(many, "bare"), perInput(one, "bare")), 3),
			us(marginal("gateway")),
			us(marginal("bare")),
		]);
	}
	return [
		table(
			[
				"scenario",
				"bare µs/input",
				"gateway µs/input",
				"gateway ÷ bare",
				"gateway µs/request",
				"bare p50 ms",
				"gateway p50 ms",
				"errors",
			],
			scenarioRows,
		),
		"",
		seriesRows.length === 0
			? "(no 1-input and many-input pair of the same provider and encoding)"
			: table(
					[
						"series",
						"gateway µs/input, 1 input",
						`gateway µs/input, ${list.find(([, sc]) => sc.inputs > 1)?.[1].inputs} inputs`,
						"gateway: many ÷ 1 (target ≤ 1, ✅ within 5%)",
						"bare: many ÷ 1",
						"gateway marginal µs per extra input",
						"bare marginal µs per extra input",
					],
					seriesRows,
				),
	].join("\n");
}

/** `--only` with several scenarios: one line each, then Messages and Responses beside chat where both ran. */
export function onlyTable(s) {
	const rows = Object.entries(s).map(([key, sc]) => {
		const per = sc.stream ? "chunk" : "request";
		const cpu = (t) => (sc.stream ? sc[t].cpuUsPerUnit.workerd : sc[t].cpuUsPerRequest.workerd);
		return [
			key,
			`${us(cpu("bare"))} / ${per}`,
			`${us(cpu("gateway"))} / ${per}`,
			fixed(ratio(cpu("gateway"), cpu("bare")), 2),
			fixed(sc.bare.rps, 1),
			fixed(sc.gateway.rps, 1),
			fixed(ratio(sc.gateway.rps, sc.bare.rps), 2),
			`${sc.bare.errors + sc.gateway.errors}/${sc.bare.requests + sc.gateway.requests}`,
			fixed(Math.max(sc.bare.otherLoadCores, sc.gateway.otherLoadCores), 2),
		];
	});
	return [
		table(
			[
				"scenario",
				"bare workerd CPU µs",
				"gateway workerd CPU µs",
				"CPU ÷ bare",
				"bare /s",
				"gateway /s",
				"throughput ÷ bare",
				"errors",
				"other load (cores)",
			],
			rows,
		),
		...(Object.values(s).some((sc) => sc.api === "messages") ? ["", messagesTable(s)] : []),
		...(Object.values(s).some((sc) => sc.api === "responses") ? ["", responsesTable(s)] : []),
	].join("\n");
}

/** Growth of a per-unit figure from the previous row: ~1 means flat (linear total work). */
const growth = (list, pick) =>
	list.map((item, i) => (i === 0 ? "" : `×${fixed(ratio(pick(item), pick(list[i - 1])), 2)}`));

export function scalingTables(scaling) {
	const out = [];
	const chunks = scaling.chunks;
	const chunkGrowth = growth(chunks, (x) => x.gateway.cpuUsPerUnit.workerd);
	out.push(
		"Stream length (c=1; per chunk = per stream ÷ chunks, so fixed per-request cost shrinks as streams grow):",
		"",
		table(
			[
				"chunks",
				"bare ms/stream",
				"gateway ms/stream",
				"bare µs/chunk",
				"gateway µs/chunk",
				"bare CPU µs/chunk",
				"gateway CPU µs/chunk",
				"CPU ratio",
				"gateway CPU/chunk vs previous",
			],
			chunks.map((x, i) => [
				x.chunks,
				ms(x.bare.meanMs),
				ms(x.gateway.meanMs),
				us((x.bare.meanMs * 1000) / x.chunks),
				us((x.gateway.meanMs * 1000) / x.chunks),
				us(x.bare.cpuUsPerUnit.workerd),
				us(x.gateway.cpuUsPerUnit.workerd),
				fixed(ratio(x.gateway.cpuUsPerUnit.workerd, x.bare.cpuUsPerUnit.workerd), 2),
				chunkGrowth[i],
			]),
		),
		"",
	);
	const marginal = scaling.marginalChunk;
	if (marginal) {
		out.push(
			`Marginal cost of one more chunk (from the ${marginal.from}- and ${marginal.to}-chunk streams): bare ${us(marginal.bare.wallUs)} µs wall / ${us(marginal.bare.cpuUs)} µs CPU, gateway ${us(marginal.gateway.wallUs)} µs wall / ${us(marginal.gateway.cpuUs)} µs CPU (CPU ratio ${fixed(ratio(marginal.gateway.cpuUs, marginal.bare.cpuUs), 2)}).`,
			"",
		);
	}
	const bodies = scaling.bodies;
	const bodyGrowth = growth(bodies, (x) => x.gateway.cpuUsPerRequest.workerd / x.kb);
	out.push(
		"Request body size (non-streamed, c=1):",
		"",
		table(
			[
				"body",
				"bare ms/request",
				"gateway ms/request",
				"bare CPU µs/request",
				"gateway CPU µs/request",
				"gateway CPU µs/KB",
				"CPU ratio",
				"gateway CPU/KB vs previous",
			],
			bodies.map((x, i) => [
				x.label,
				ms(x.bare.meanMs),
				ms(x.gateway.meanMs),
				us(x.bare.cpuUsPerRequest.workerd),
				us(x.gateway.cpuUsPerRequest.workerd),
				fixed(x.gateway.cpuUsPerRequest.workerd / x.kb, 2),
				fixed(ratio(x.gateway.cpuUsPerRequest.workerd, x.bare.cpuUsPerRequest.workerd), 2),
				bodyGrowth[i],
			]),
		),
		"",
	);
	const perKb = scaling.marginalBodyKb;
	if (perKb) {
		out.push(
			`Marginal cost of one more KB of request body (from the ${perKb.from} and ${perKb.to} bodies): bare ${us(perKb.bare.wallUs)} µs wall / ${us(perKb.bare.cpuUs)} µs CPU, gateway ${us(perKb.gateway.wallUs)} µs wall / ${us(perKb.gateway.cpuUs)} µs CPU (CPU ratio ${fixed(ratio(perKb.gateway.cpuUs, perKb.bare.cpuUs), 2)}).`,
			"",
		);
	}
	const line = scaling.bigLine;
	out.push(
		"One huge `data:` line (a base64 image), end to end (the fake writes it in pieces of this size; TCP and workerd may merge them):",
		"",
		table(
			[
				"line, written in",
				"bare ms",
				"gateway ms",
				"bare CPU ms",
				"gateway CPU ms",
				"gateway CPU ns/byte",
				"CPU ratio",
			],
			line.map((x) => [
				x.label,
				ms(x.bare.meanMs),
				ms(x.gateway.meanMs),
				ms(x.bare.cpuUsPerRequest.workerd / 1000),
				ms(x.gateway.cpuUsPerRequest.workerd / 1000),
				fixed((x.gateway.cpuUsPerRequest.workerd * 1000) / x.bytes, 2),
				fixed(ratio(x.gateway.cpuUsPerRequest.workerd, x.bare.cpuUsPerRequest.workerd), 2),
			]),
		),
		"",
	);
	const usageTable = scaling.usageTable;
	if (usageTable) {
		const usageGrowth = growth(usageTable, (x) => x.gateway.cpuUsPerRequest.workerd);
		out.push(
			"Usage rows already stored (non-streamed, c=16; every gateway request adds one row):",
			"",
			table(
				[
					"rows stored",
					"bare CPU µs/request",
					"gateway CPU µs/request",
					"CPU ratio",
					"gateway requests/s",
					"gateway CPU vs previous",
				],
				usageTable.map((x, i) => [
					x.rowsBefore,
					us(x.bare.cpuUsPerRequest.workerd),
					us(x.gateway.cpuUsPerRequest.workerd),
					fixed(ratio(x.gateway.cpuUsPerRequest.workerd, x.bare.cpuUsPerRequest.workerd), 2),
					fixed(x.gateway.rps, 0),
					usageGrowth[i],
				]),
			),
			"",
		);
	}
	const stage = scaling.stage;
	out.push(
		"The gateway's SSE decoder alone, in-process (Node, exact piece sizes; see bench/stage.mjs):",
		"",
		table(
			["piece", "line", "pieces", "wall ms", "CPU ms", "CPU ns/byte", "ns/piece", "ns/byte vs 1 MB line"],
			stage.map((x) => {
				const base = stage.find((y) => y.piece === x.piece && y.lineBytes < x.lineBytes);
				return [
					x.piece === 1 ? "1 B" : `${x.piece / 1024} KB`,
					`${Math.round(x.lineBytes / 1024 / 1024)} MB`,
					x.pieces,
					ms(x.wallMs),
					ms(x.cpuMs),
					fixed(x.cpuNsPerByte, 2),
					fixed(x.nsPerPiece, 0),
					base ? `×${fixed(x.cpuNsPerByte / base.cpuNsPerByte, 2)}` : "",
				];
			}),
		),
	);
	return out.join("\n");
}

export function writeJson(outDir, data, name = "results.json") {
	mkdirSync(outDir, { recursive: true });
	const file = path.join(outDir, name);
	writeFileSync(file, `${JSON.stringify(data, null, "\t")}\n`);
	return file;
}
