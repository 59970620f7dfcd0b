// `npm run bench:compare -- <git ref> [runs] [scenario]`: the working tree's gateway against the
// gateway of <ref> (default HEAD), side by side in workerd, alternating rounds as the main bench
// does. Each run starts fresh processes: a workerd's JIT and heap differ from one start to the next
// by more than most changes do, so several runs are averaged. Prints CPU per request (or per chunk)
// and requests/s of each run, and the means of the ratios (working tree ÷ <ref>).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

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
	rmSync(bundleDir, { recursive: true, force: true });
	execFileSync(
		path.join(root, "node_modules", ".bin", "wrangler"),
		["deploy", "--dry-run", "--outdir", bundleDir],
		{
			cwd: tree,
			env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
			stdio: ["ignore", "ignore", "inherit"],
		},
	);
} finally {
	git("worktree", "remove", "--force", tree);
	rmSync(work, { recursive: true, force: true });
}

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
const mean = (key) => ratios.reduce((sum, r) => sum + r[key], 0) / ratios.length;
console.log(
	`${scenario}, ${runs} runs: working tree ÷ ${ref}: CPU ×${mean("cpu").toFixed(3)}, throughput ×${mean("rps").toFixed(3)}`,
);
