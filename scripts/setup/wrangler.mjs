// Runs wrangler for `npm run setup` and reads its output. Output formats relied on (wrangler 4.86,
// checked in node_modules/wrangler/wrangler-dist/cli.js and `wrangler <command> --help`):
// - `d1 list --json`: JSON array of { uuid, name, created_at, version, … } (the D1 list API result).
// - `kv namespace list`: always JSON, an array of { id, title, … }; `kv namespace create <title>`
//   uses the title as given when no --env is passed.
// - `r2 bucket list`: no JSON option; after "Listing buckets..." one "name: <bucket>" /
//   "creation_date: <date>" block per bucket (formatLabelledValues, possibly coloured).
// - `secret list`: JSON array of { name, type } by default (--format json); fails with
//   `Worker "<name>" not found.` before the first deploy or `secret put`.
// - `secret put <KEY>`: reads the value from stdin when stdin is not a TTY; creates a placeholder
//   Worker when none exists yet (confirm() falls back to yes when non-interactive).
// - `d1 migrations apply <DB> --remote`: prints "No migrations to apply!" when up to date and skips
//   its confirmation prompt when stdin/stdout are not TTYs.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";

/** The project's own wrangler, started with this Node so it works the same on every platform. */
const BUNDLED_WRANGLER = fileURLToPath(
	new URL("../../node_modules/wrangler/bin/wrangler.js", import.meta.url),
);

export class WranglerError extends Error {}

/** Command lines, in one place so the dry run prints exactly what a real run executes. */
export const commands = {
	d1List: () => ["d1", "list", "--json"],
	d1Create: (name) => ["d1", "create", name],
	kvList: () => ["kv", "namespace", "list"],
	kvCreate: (title) => ["kv", "namespace", "create", title],
	r2List: () => ["r2", "bucket", "list"],
	r2Create: (name) => ["r2", "bucket", "create", name],
	migrate: () => ["d1", "migrations", "apply", "DB", "--remote"],
	secretList: () => ["secret", "list"],
	secretPut: (name) => ["secret", "put", name],
};

/**
 * A runner bound to one wrangler executable and config file. A path ending in .js/.mjs/.cjs is run
 * with this Node (no exec bit or shebang needed); anything else is executed directly.
 */
export function createWrangler({ bin, configPath }) {
	const file = bin ?? BUNDLED_WRANGLER;
	const viaNode = /\.[cm]?js$/.test(file);
	const display = bin ?? "wrangler";
	const argsFor = (args) => [...args, "--config", configPath];
	return {
		/** The command as a person would type it, for the dry run and error messages. */
		describe: (args) => [display, ...argsFor(args)].join(" "),
		/**
		 * Runs wrangler without a terminal: stdin is a pipe (the secret value, or empty) so wrangler
		 * never prompts, and output is captured to be parsed. Returns { status, stdout, stderr }.
		 */
		run(args, input = "") {
			const argv = viaNode ? [file, ...argsFor(args)] : argsFor(args);
			const result = spawnSync(viaNode ? process.execPath : file, argv, {
				input,
				encoding: "utf8",
				maxBuffer: 64 * 1024 * 1024,
			});
			if (result.error) {
				throw new WranglerError(`Could not start wrangler (${file}): ${result.error.message}`);
			}
			return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
		},
	};
}

/** Runs a command that must succeed; on failure the error carries wrangler's own explanation. */
export function runOrFail(wrangler, args, input) {
	const result = wrangler.run(args, input);
	if (result.status !== 0) throw failure(wrangler, args, result);
	return result.stdout;
}

export function failure(wrangler, args, { status, stdout, stderr }) {
	const output = stripVTControlCharacters(`${stderr}\n${stdout}`)
		.split("\n")
		.filter((line) => line.trim() !== "")
		.slice(-20);
	return new WranglerError(
		[
			`\`${wrangler.describe(args)}\` failed (exit code ${status}):`,
			...output.map((line) => `  ${line}`),
			"If wrangler is not logged in, run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN, and",
			"CLOUDFLARE_ACCOUNT_ID if you have several accounts), then run `npm run setup` again:",
			"it reuses whatever it already created.",
		].join("\n"),
	);
}

/** Parses a JSON array printed by wrangler, tolerating stray lines around it. */
function parseJsonArray(stdout, what) {
	const text = stripVTControlCharacters(stdout);
	const start = text.indexOf("[");
	const end = text.lastIndexOf("]");
	try {
		const value = JSON.parse(text.slice(start, end + 1));
		if (start !== -1 && Array.isArray(value)) return value;
	} catch {
		// Reported below with the output that could not be read.
	}
	throw new WranglerError(`Could not read the ${what} wrangler printed:\n${stdout.trim()}`);
}

/** Map of D1 database name to uuid, from `d1 list --json`. */
export function parseD1List(stdout) {
	return new Map(parseJsonArray(stdout, "D1 database list").map((db) => [db.name, db.uuid]));
}

/** Map of KV namespace title to id, from `kv namespace list`. */
export function parseKvList(stdout) {
	return new Map(parseJsonArray(stdout, "KV namespace list").map((ns) => [ns.title, ns.id]));
}

/** Bucket names (mapped to themselves: buckets have no id) from `r2 bucket list`'s labelled blocks. */
export function parseR2List(stdout) {
	const names = stripVTControlCharacters(stdout).matchAll(/^\s*name:\s+(\S+)\s*$/gm);
	return new Map(Array.from(names, (match) => [match[1], match[1]]));
}

/** Secret names from `secret list`. */
export function parseSecretList(stdout) {
	return new Set(parseJsonArray(stdout, "secret list").map((secret) => secret.name));
}

/** `secret list` fails this way while the Worker does not exist yet: it simply has no secrets. */
export function isWorkerNotFound({ stdout, stderr }) {
	return /Worker "[^"]+"[^\n]* not found/.test(stripVTControlCharacters(`${stderr}\n${stdout}`));
}

export function migrationsUpToDate(stdout) {
	return stdout.includes("No migrations to apply");
}
