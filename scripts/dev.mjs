#!/usr/bin/env node
// `npm run dev`: prepares local settings once, applies the D1 migrations to the local database and
// starts `wrangler dev` on port 8787. Extra arguments go to wrangler (`-- --port 8799 --var NAME:VALUE`);
// a --port, --ip or --persist-to among them replaces the script's own (scripts/dev-args.mjs).
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { devArgs, migrateArgs } from "./dev-args.mjs";

const wrangler =
	process.platform === "win32" ? "node_modules\\.bin\\wrangler.cmd" : "node_modules/.bin/wrangler";

if (!existsSync(".dev.vars")) {
	// Local development only: wrangler reads .dev.vars for `wrangler dev` and never deploys it.
	writeFileSync(
		".dev.vars",
		[
			"# Local settings for `wrangler dev` (not committed, never deployed).",
			"ADMIN_TOKEN=dev-admin-token",
			"DEMO_MODEL=on",
			"LOG_REQUESTS=on",
			"# Add real provider keys to reach them from your local gateway:",
			"# OPENAI_API_KEY=sk-...",
			"# ANTHROPIC_API_KEY=sk-ant-...",
			"# GEMINI_API_KEY=...",
			"",
		].join("\n"),
	);
	console.log("Wrote .dev.vars (ADMIN_TOKEN=dev-admin-token, demo model and request log lines on).");
}

const run = (args) => {
	const result = spawnSync(wrangler, args, { stdio: "inherit" });
	if (result.status !== 0) process.exit(result.status ?? 1);
};
process.on("SIGTERM", () => process.exit(143));

// PORT and PERSIST_DIR let tests start a second, isolated gateway beside yours; the same options
// given as arguments win over them.
const userArgs = process.argv.slice(2);
await import("./copy-docs-assets.mjs"); // the /docs UI into public/
run(migrateArgs(userArgs, process.env));
run(devArgs(userArgs, process.env));
