// `npm run bench:compare -- <git ref> [runs] [scenario]`: the working tree's gateway against the
// gateway of <ref> (default HEAD), side by side in workerd, alternating rounds as the main bench
// does. Each run starts fresh processes: a workerd's JIT and heap differ from one start to the next
// by more than most changes do, so several runs are averaged. Prints CPU per request (or per chunk)
// and requests/s of each run, and the mean ratios (working tree ÷ <ref>) with 95% confidence intervals.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle } from "./bundle.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [ref = "HEAD", runsArg = "5", scenario = "plain-c16"] = process.argv.slice(2);
const runs = Number(runsArg);

// The baseline's bundle, built from a temporary worktree of <ref> with this checkout's node_modules.
const work = mkdtempSync(path.join(os.tmpdir(), "aigate-compare-"));
const tree = path.join(work, "tree");
const bundleDir = path.join(root, ".bench", "baseline");
const git = (...args) => execFileSync("git", args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
try {
	git("worktree", "add", "--detach", tree, ref);
	symlinkSync(path.join(root, "node_modules"), path.join(tree, "node_modules"));
	await buildBundle(tree, bundleDir);
} finally {
	git("worktree", "remove", "--force", tree);
	rmSync(work, { recursive: true, force: true });
}

// Two-sided 95% quantiles of Student's t by degrees of freedom (1–15); 1.96 beyond.
const T_975 = [
	Number.NaN,
	12.706,
	4.303,
	3.182,
	2.776,
	2.571,
	2.447,
	2.365,
	2.306,
	2.262,
	2.228,
	2.201,
	2.179,
	2.16,
	2.145,
	2.131,
];

const ratios = [];
for (let i = 1; i <= runs; i++) {
	const result = spawnSync(
		process.execPath,
		[
			path.join(root, "bench", "run.mjs"),
			`--only=${scenario}`,
			`--baseline=${path.join(bundleDir, "index.js")}`,
		],
		{ cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
	);
	const output = result.stdout ?? "";
	const json = output.slice(output.indexOf("{\n"));
	if (result.status !== 0 || !json.startsWith("{")) {
		console.error(output, result.stderr);
		process.exit(1);
	}
	const { bare: before, gateway: after } = JSON.parse(json);
	const cpu = (t) => t.cpuUsPerUnit?.workerd ?? t.cpuUsPerRequest.workerd;
	const r = { cpu: cpu(after) / cpu(before), rps: after.rps / before.rps };
	ratios.push(r);
	console.log(
		`run ${i}: ${ref} ${cpu(before).toFixed(1)} µs CPU, ${before.rps.toFixed(0)}/s; working tree ${cpu(after).toFixed(1)} µs CPU, ${after.rps.toFixed(0)}/s; CPU ×${r.cpu.toFixed(3)}, throughput ×${r.rps.toFixed(3)}`,
	);
}
console.log(
	`${scenario}, ${runs} runs: working tree ÷ ${ref}: CPU ${interval(ratios.map((r) => r.cpu))}, throughput ${interval(ratios.map((r) => r.rps))}`,
);

/**
 * The mean ratio and its 95% confidence interval over the runs (Student's t: runs are independent
 * fresh starts, rounds within a run are not). A change is only shown when the interval leaves 1:
 * on this kind of machine one run's ratio can be 10% off the next one's.
 */
function interval(values) {
	const n = values.length;
	const mean = values.reduce((sum, v) => sum + v, 0) / n;
	if (n < 2) return `×${mean.toFixed(3)}`;
	const sd = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1));
	const half = (T_975[n - 1] ?? 1.96) * (sd / Math.sqrt(n));
	const verdict = mean + half < 1 ? "lower" : mean - half > 1 ? "higher" : "no difference shown";
	return `×${mean.toFixed(3)} (95% CI ${(mean - half).toFixed(3)}–${(mean + half).toFixed(3)}: ${verdict})`;
}
