#!/usr/bin/env node
// `npm run dev`: prepares local settings once, applies the D1 migrations to the local database and
// starts `wrangler dev` on port 8787. Extra arguments go to wrangler (e.g. `-- --var NAME:VALUE`).
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";

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

// PORT and PERSIST_DIR let tests start a second, isolated gateway beside yours.
const persist = process.env.PERSIST_DIR ? ["--persist-to", process.env.PERSIST_DIR] : [];
await import("./copy-docs-assets.mjs"); // the /docs UI into public/
run(["d1", "migrations", "apply", "DB", "--local", ...persist]);
run(["dev", "--port", process.env.PORT ?? "8787", "--ip", "127.0.0.1", ...persist, ...process.argv.slice(2)]);
