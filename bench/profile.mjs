// `npm run bench -- --profile`: a V8 CPU profile of the gateway's isolate in workerd (through
// workerd's inspector), taken while the load generator runs, summarised by function and by source
// file of the original TypeScript (through the bundle's source map). Only the gateway's own isolate
// is sampled: Miniflare's D1/KV/R2 simulators run in other isolates of the same workerd process.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire, SourceMap } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
// Miniflare's own WebSocket client (wrangler's dependency), so the bench adds no package of its own.
const miniflareRequire = createRequire(require.resolve("miniflare"));
const WebSocket = miniflareRequire("ws");

/** A minimal Chrome DevTools Protocol session. */
async function connect(inspectorUrl, workerName) {
	const base = new URL(inspectorUrl);
	const list = await (await fetch(`http://${base.host}/json/list`)).json();
	const target = list.find((t) => t.title?.includes(workerName) || t.id?.includes(workerName)) ?? list[0];
	if (!target) throw new Error("workerd's inspector lists no isolate");
	const wsUrl = target.webSocketDebuggerUrl ?? `ws://${base.host}/${target.id}`;
	const socket = new WebSocket(wsUrl);
	await new Promise((resolve, reject) => {
		socket.once("open", resolve);
		socket.once("error", reject);
	});
	let nextId = 1;
	const pending = new Map();
	socket.on("message", (data) => {
		const message = JSON.parse(String(data));
		const waiter = pending.get(message.id);
		if (!waiter) return;
		pending.delete(message.id);
		if (message.error) waiter.reject(new Error(`${message.error.message}`));
		else waiter.resolve(message.result);
	});
	const call = (method, params = {}) =>
		new Promise((resolve, reject) => {
			const id = nextId++;
			pending.set(id, { resolve, reject });
			socket.send(JSON.stringify({ id, method, params }));
		});
	return { call, close: () => socket.close(), title: target.title ?? target.id };
}

/** Runs `work` while sampling every `intervalUs`; returns the raw profile. */
export async function profileWhile(inspectorUrl, workerName, work, intervalUs = 200) {
	const session = await connect(inspectorUrl, workerName);
	try {
		await session.call("Profiler.enable");
		await session.call("Profiler.setSamplingInterval", { interval: intervalUs });
		await session.call("Profiler.start");
		const result = await work();
		const { profile } = await session.call("Profiler.stop");
		return { profile, result, title: session.title };
	} finally {
		session.close();
	}
}

/** Self time by function and by original source file; `units` divides totals into per-unit µs. */
export function summarizeProfile(profile, bundlePath, units) {
	const mapPath = `${bundlePath}.map`;
	let sourceMap = null;
	try {
		sourceMap = new SourceMap(JSON.parse(readFileSync(mapPath, "utf8")));
	} catch {
		sourceMap = null;
	}
	const bundleName = path.basename(bundlePath);
	const locate = (frame) => {
		if (!frame.url) return { file: `(${frame.functionName || "native"})`, line: 0 };
		if (sourceMap && frame.url.endsWith(bundleName)) {
			const entry = sourceMap.findEntry(frame.lineNumber, frame.columnNumber);
			if (entry?.originalSource) {
				const file = entry.originalSource
					.replace(/^.*node_modules\//, "node_modules/")
					.replace(/^.*?\/(src\/)/, "$1");
				return { file, line: (entry.originalLine ?? 0) + 1 };
			}
		}
		return { file: frame.url.split("/").slice(-2).join("/"), line: frame.lineNumber + 1 };
	};

	const selfUs = new Map();
	const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
	for (let i = 0; i < profile.samples.length; i++) {
		const id = profile.samples[i];
		selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
	}
	const functions = new Map();
	const files = new Map();
	let total = 0;
	let idle = 0;
	for (const [id, time] of selfUs) {
		const frame = byNode.get(id).callFrame;
		if (frame.functionName === "(idle)") {
			idle += time;
			continue;
		}
		total += time;
		const where = locate(frame);
		const packageName = where.file.startsWith("node_modules/")
			? where.file
					.split("/")
					.slice(0, where.file.startsWith("node_modules/@") ? 3 : 2)
					.join("/")
			: where.file;
		files.set(packageName, (files.get(packageName) ?? 0) + time);
		const key = `${frame.functionName || "(anonymous)"}  ${where.file}:${where.line}`;
		functions.set(key, (functions.get(key) ?? 0) + time);
	}
	// Inclusive time of the gateway's own functions (src/…): each sample counts once per function on its stack.
	const parent = new Map();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const keyOf = new Map();
	const nodeKey = (id) => {
		let key = keyOf.get(id);
		if (key === undefined) {
			const frame = byNode.get(id).callFrame;
			const where = locate(frame);
			key = where.file.startsWith("src/")
				? `${frame.functionName || "(anonymous)"}  ${where.file}:${where.line}`
				: null;
			keyOf.set(id, key);
		}
		return key;
	};
	const inclusive = new Map();
	for (let i = 0; i < profile.samples.length; i++) {
		const delta = profile.timeDeltas[i] ?? 0;
		if (byNode.get(profile.samples[i]).callFrame.functionName === "(idle)") continue;
		const seen = new Set();
		for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) {
			const key = nodeKey(id);
			if (key && !seen.has(key)) {
				seen.add(key);
				inclusive.set(key, (inclusive.get(key) ?? 0) + delta);
			}
		}
	}
	const top = (map, n) =>
		[...map.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, n)
			.map(([name, us]) => ({ name, us, share: us / total, usPerUnit: us / units }));
	return {
		sampledUs: total,
		idleUs: idle,
		usPerUnit: total / units,
		byFile: top(files, 15),
		byFunction: top(functions, 25),
		inclusiveSrc: top(inclusive, 20),
	};
}

export function profileText(label, summary) {
	const lines = [
		`${label}: ${(summary.usPerUnit).toFixed(1)} µs sampled in the gateway isolate per unit (idle excluded)`,
		"",
		"| self time by source (file or package) | share | µs/unit |",
		"|---|--:|--:|",
		...summary.byFile.map(
			(x) => `| ${x.name} | ${(x.share * 100).toFixed(1)}% | ${x.usPerUnit.toFixed(1)} |`,
		),
		"",
		"| self time by function | share | µs/unit |",
		"|---|--:|--:|",
		...summary.byFunction.map(
			(x) => `| \`${x.name}\` | ${(x.share * 100).toFixed(1)}% | ${x.usPerUnit.toFixed(1)} |`,
		),
		"",
		"| total time (self + callees) of the gateway's own functions | share | µs/unit |",
		"|---|--:|--:|",
		...summary.inclusiveSrc.map(
			(x) => `| \`${x.name}\` | ${(x.share * 100).toFixed(1)}% | ${x.usPerUnit.toFixed(1)} |`,
		),
	];
	return lines.join("\n");
}

export function saveProfile(file, profile) {
	writeFileSync(file, JSON.stringify(profile));
}
