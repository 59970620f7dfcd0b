// The gateway's deployable bundle, built as `wrangler deploy` would upload it
// (`wrangler deploy --dry-run --outdir`). Used by bench/run.mjs for the checkout it runs in and by
// bench/compare.mjs for another commit's worktree; its wrangler runner serves bench/startup.mjs too.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wranglerBin = path.join(root, "node_modules", ".bin", "wrangler");

/** Builds the Worker in `cwd` into `bundleDir`; returns the script's path and sizes. */
export async function buildBundle(cwd, bundleDir) {
	rmSync(bundleDir, { recursive: true, force: true });
	const output = await runWrangler(["deploy", "--dry-run", "--outdir", bundleDir], cwd);
	const scriptPath = path.join(bundleDir, "index.js");
	const modules = readdirSync(bundleDir).filter((name) => /\.(m?js|wasm)$/.test(name));
	if (modules.length !== 1)
		throw new Error(`expected one module in ${bundleDir}, found ${modules.join(", ")}`);
	const source = readFileSync(scriptPath);
	return {
		scriptPath,
		rawBytes: source.length,
		gzipBytes: gzipSync(source, { level: 9 }).length,
		wranglerSays: /Total Upload:.*$/m.exec(output)?.[0]?.trim() ?? null,
	};
}

/** Runs this checkout's wrangler in `cwd`; resolves with its output, rejects with it on failure. */
export function runWrangler(args, cwd) {
	return new Promise((resolve, reject) => {
		const child = spawn(wranglerBin, args, {
			cwd,
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" },
			stdio: ["ignore", "pipe", "pipe"],
		});
		let output = "";
		child.stdout.on("data", (data) => {
			output += data;
		});
		child.stderr.on("data", (data) => {
			output += data;
		});
		child.on("error", reject);
		child.on("exit", (code) =>
			code === 0 ? resolve(output) : reject(new Error(`wrangler ${args.join(" ")} failed:\n${output}`)),
		);
	});
}
