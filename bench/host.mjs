// One benchmark target: a Miniflare instance (hence one workerd process) running one Worker, in a
// process of its own so that the runtime's CPU can be read from /proc apart from the load generator's.
//
// The orchestrator (bench/run.mjs) forks this with a JSON config in BENCH_HOST_CONFIG and receives
// {type:"ready", url} once the Worker answers on its own direct socket (no Miniflare entry worker
// in front, the closest local equivalent of a request reaching a deployed Worker).
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const config = JSON.parse(process.env.BENCH_HOST_CONFIG ?? "{}");

// The Miniflare that wrangler itself runs (`wrangler dev`), with its own workerd, rather than any
// other copy that happens to be hoisted into node_modules.
const require = createRequire(import.meta.url);
const wranglerRequire = createRequire(require.resolve("wrangler/package.json"));
const { Miniflare, Log, LogLevel } = await import(pathToFileURL(wranglerRequire.resolve("miniflare")).href);

const stderrTail = [];
const mf = new Miniflare({
	log: new Log(LogLevel.WARN),
	logRequests: false,
	// No request for the real `Request.cf` object from the internet: a fixed placeholder.
	cf: false,
	// Only for `npm run bench -- --profile`: workerd's own V8 inspector on a free port.
	...(config.inspect ? { inspectorPort: 0 } : {}),
	defaultPersistRoot: config.stateDir,
	// The gateway logs a line per request; drained here (the cost of reading them shows in this
	// process, apart from workerd's). Errors are kept for the orchestrator's failure message.
	handleRuntimeStdio(stdout, stderr) {
		stdout.resume();
		stderr.on("data", (data) => {
			stderrTail.push(String(data));
			if (stderrTail.length > 20) stderrTail.shift();
			if (process.env.BENCH_VERBOSE) process.stderr.write(`[${config.name}] ${data}`);
		});
	},
	workers: [
		{
			name: config.name,
			modules: true,
			scriptPath: config.scriptPath,
			compatibilityDate: config.worker.compatibilityDate,
			compatibilityFlags: config.worker.compatibilityFlags,
			bindings: config.worker.bindings,
			d1Databases: config.worker.d1Databases,
			kvNamespaces: config.worker.kvNamespaces,
			r2Buckets: config.worker.r2Buckets,
			unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
		},
	],
});

let stopping = false;
async function stop(code = 0) {
	if (stopping) return;
	stopping = true;
	try {
		await mf.dispose();
	} finally {
		process.exit(code);
	}
}
process.on("message", (message) => message?.type === "stop" && stop());
/** Runs SQL statements in order on the Worker's D1; resolves to the last one's rows. */
async function runStatements(statements) {
	const db = await mf.getD1Database("DB");
	let rows = [];
	for (const statement of statements) rows = (await db.prepare(statement).all()).results;
	return rows;
}

// {type:"sql", statements}: run against the Worker's D1 (the orchestrator fills the usage table
// for a scaling check); answers with the last statement's rows.
process.on("message", async (message) => {
	if (message?.type !== "sql") return;
	try {
		process.send?.({ type: "sql-done", rows: await runStatements(message.statements) });
	} catch (error) {
		process.send?.({ type: "sql-failed", error: String(error?.stack ?? error) });
	}
});
process.on("disconnect", () => stop());
process.on("SIGTERM", () => stop());
process.on("SIGINT", () => stop());

try {
	await mf.ready;
	const url = await mf.unsafeGetDirectURL(config.name);
	if (config.statements?.length) await runStatements(config.statements);
	const inspectorUrl = config.inspect ? (await mf.getInspectorURL()).href : null;
	process.send?.({ type: "ready", url: url.href, inspectorUrl });
} catch (error) {
	process.send?.({ type: "failed", error: `${error?.stack ?? error}\n${stderrTail.join("")}` });
	await stop(1);
}
