#!/usr/bin/env node
// `npm run check:bundle`: builds the Worker exactly as `wrangler deploy` would (wrangler.toml's
// settings, minify included) without uploading it, prints the bundle's raw and gzipped size and fails
// above 100 KiB gzipped (issue 7). Source maps are left out: they are uploaded beside the script and
// do not count towards its size.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const LIMIT_GZIP_BYTES = 100 * 1024;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const wranglerPackage = createRequire(import.meta.url).resolve("wrangler/package.json");
const wrangler = path.join(path.dirname(wranglerPackage), "bin", "wrangler.js");
const outdir = mkdtempSync(path.join(tmpdir(), "aigate-bundle-"));

/** Builds into `outdir`, reports, and returns the exit code. */
function check() {
	const build = spawnSync(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outdir], {
		cwd: root,
		encoding: "utf8",
		env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
	});
	if (build.status !== 0) {
		process.stderr.write(`${build.stdout}${build.stderr}`);
		console.error(`check:bundle: wrangler deploy --dry-run failed (exit ${build.status ?? build.signal}).`);
		return 1;
	}

	// Every module wrangler would upload: the entry point and any chunks, not the maps.
	const modules = readdirSync(outdir, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile() && /\.(m?js|cjs|wasm)$/.test(entry.name))
		.map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
		.sort();
	if (modules.length === 0) {
		console.error(`check:bundle: wrangler wrote no modules to ${outdir}.`);
		return 1;
	}

	const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
	let raw = 0;
	let gzip = 0;
	for (const file of modules) {
		const content = readFileSync(file);
		const zipped = gzipSync(content).length;
		raw += content.length;
		gzip += zipped;
		if (modules.length > 1) {
			console.log(`  ${path.relative(outdir, file)}: ${kib(content.length)} raw, ${kib(zipped)} gzip`);
		}
	}
	console.log(`Worker bundle: ${raw} bytes raw (${kib(raw)}), ${gzip} bytes gzip (${kib(gzip)})`);
	if (gzip > LIMIT_GZIP_BYTES) {
		console.error(
			`check:bundle: ${kib(gzip)} gzipped is over the ${kib(LIMIT_GZIP_BYTES)} limit by ${gzip - LIMIT_GZIP_BYTES} bytes.`,
		);
		return 1;
	}
	console.log(`Within the ${kib(LIMIT_GZIP_BYTES)} gzip limit (${LIMIT_GZIP_BYTES - gzip} bytes to spare).`);
	return 0;
}

try {
	process.exitCode = check();
} finally {
	rmSync(outdir, { recursive: true, force: true });
}
