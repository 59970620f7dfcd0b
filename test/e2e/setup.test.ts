import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

/**
 * `npm run setup` (scripts/setup.mjs) against a fake wrangler (fake-wrangler.mjs) that keeps a
 * pretend Cloudflare account in a JSON file, each test on its own copy of wrangler.toml.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const SETUP = path.join(ROOT, "scripts/setup.mjs");
const FAKE = path.join(import.meta.dirname, "fake-wrangler.mjs");
const SECRET_NAMES = ["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GROQ_API_KEY", "ADMIN_TOKEN"];
const D1_PLACEHOLDER = 'database_id = "00000000-0000-0000-0000-000000000000"';
const KV_PLACEHOLDER = 'id = "00000000000000000000000000000000"';
const GROQ = {
	name: "groq",
	protocol: "openai",
	base_url: "https://api.groq.com/openai/v1",
	key_secret: "GROQ_API_KEY",
};
const KEYS = { OPENAI_API_KEY: "sk-openai-SETUP-SECRET", GROQ_API_KEY: "gsk-groq-SETUP-SECRET" };
const GENERATED_TOKEN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url without padding

/** Everything a fresh account run does, in order; also exactly what --dry-run lists. */
const FRESH_ACCOUNT_COMMANDS = [
	"d1 list --json",
	"d1 create aigate",
	"d1 list --json",
	"kv namespace list",
	"kv namespace create aigate-key-cache",
	"kv namespace list",
	"r2 bucket list",
	"r2 bucket create aigate-images",
	"d1 migrations apply DB --remote",
	"secret list",
	"secret put OPENAI_API_KEY",
	"secret put GROQ_API_KEY",
	"secret put ADMIN_TOKEN",
];

interface Account {
	d1: { uuid: string; name: string }[];
	kv: { id: string; title: string }[];
	r2: { name: string; creation_date: string }[];
	workers: Record<string, { secrets: Record<string, string> }>;
	migrations: Record<string, string[]>;
}
interface Call {
	argv: string[];
	stdin: string;
}
interface Workspace {
	dir: string;
	config: string;
	state: string;
	log: string;
}

/** The repository's wrangler.toml with placeholder ids and one extra provider in PROVIDERS. */
function originalConfig(): string {
	const text = readFileSync(path.join(ROOT, "wrangler.toml"), "utf8")
		.replace(/^database_id = ".*"$/m, D1_PLACEHOLDER)
		.replace(/^id = ".*"$/m, KV_PLACEHOLDER)
		// A JSON string literal of ASCII text is also a valid TOML basic string.
		.replace(/^PROVIDERS = .*$/m, `PROVIDERS = ${JSON.stringify(JSON.stringify([GROQ]))}`);
	expect(text).toContain(D1_PLACEHOLDER);
	expect(text).toContain(KV_PLACEHOLDER);
	return text;
}

const workspaces: string[] = [];
afterEach(() => {
	for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temp dir with a config copy and the migrations beside it, as wrangler expects them. */
function workspace(config = originalConfig()): Workspace {
	const dir = mkdtempSync(path.join(tmpdir(), "aigate-setup-"));
	workspaces.push(dir);
	writeFileSync(path.join(dir, "wrangler.toml"), config);
	cpSync(path.join(ROOT, "migrations"), path.join(dir, "migrations"), { recursive: true });
	return {
		dir,
		config: path.join(dir, "wrangler.toml"),
		state: path.join(dir, "account.json"),
		log: path.join(dir, "calls.jsonl"),
	};
}

/** Runs setup with no terminal (stdin is a pipe) and only the given secrets in the environment. */
function runSetup(ws: Workspace, args: string[] = [], env: Record<string, string> = {}) {
	const inherited = Object.entries(process.env).filter(
		(entry): entry is [string, string] =>
			entry[1] !== undefined && !SECRET_NAMES.includes(entry[0]) && !entry[0].startsWith("FAKE_WRANGLER"),
	);
	const result = spawnSync(process.execPath, [SETUP, "--config", ws.config, ...args], {
		cwd: ws.dir,
		input: "",
		encoding: "utf8",
		env: {
			...Object.fromEntries(inherited),
			WRANGLER_BIN: FAKE,
			FAKE_WRANGLER_STATE: ws.state,
			FAKE_WRANGLER_LOG: ws.log,
			...env,
		},
	});
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const account = (ws: Workspace): Account => JSON.parse(readFileSync(ws.state, "utf8")) as Account;
const seedAccount = (ws: Workspace, state: Account) => writeFileSync(ws.state, JSON.stringify(state));

function calls(ws: Workspace): Call[] {
	if (!existsSync(ws.log)) return [];
	return readFileSync(ws.log, "utf8")
		.split("\n")
		.filter(Boolean)
		.map((line) => JSON.parse(line) as Call);
}

/** A call as a command line without the `--config <copy>` every call carries. */
function commandOf(ws: Workspace, call: Call): string {
	expect(call.argv.slice(-2)).toEqual(["--config", ws.config]);
	return call.argv.slice(0, -2).join(" ");
}

/** The original config with just the two id lines replaced. */
function withIds(original: string, databaseId: string, kvId: string): string {
	const expected = original
		.replace(D1_PLACEHOLDER, `database_id = "${databaseId}"`)
		.replace(`\n${KV_PLACEHOLDER}\n`, `\nid = "${kvId}"\n`);
	expect(expected.split("\n").filter((line, i) => line !== original.split("\n")[i])).toHaveLength(2);
	return expected;
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe("npm run setup", () => {
	it("--dry-run prints every command and runs none", () => {
		const ws = workspace();
		const before = readFileSync(ws.config, "utf8");

		const run = runSetup(ws, ["--dry-run"], KEYS);

		expect(run.status, run.stderr).toBe(0);
		const printed = run.stdout
			.split("\n")
			.filter((line) => line.startsWith("$ "))
			.map((line) => line.slice(2).replace(/\s+#.*$/, ""));
		expect(printed).toEqual(
			FRESH_ACCOUNT_COMMANDS.map((command) => `${FAKE} ${command} --config ${ws.config}`),
		);
		// Provider keys without a value are named as skipped, not silently dropped.
		expect(run.stdout).toContain("# skip secret put ANTHROPIC_API_KEY");
		expect(run.stdout).toContain("# skip secret put GEMINI_API_KEY");
		expect(readFileSync(ws.config, "utf8")).toBe(before);
		expect(existsSync(ws.log)).toBe(false); // wrangler never ran
		expect(existsSync(ws.state)).toBe(false);
	});

	it("sets up a fresh account: resources, ids, remote migrations and secrets via stdin", () => {
		const ws = workspace();
		const original = readFileSync(ws.config, "utf8");

		const run = runSetup(ws, [], KEYS);

		expect(run.status, run.stderr).toBe(0);
		const state = account(ws);
		expect(state.d1.map((db) => db.name)).toEqual(["aigate"]);
		expect(state.kv.map((ns) => ns.title)).toEqual(["aigate-key-cache"]);
		expect(state.r2.map((bucket) => bucket.name)).toEqual(["aigate-images"]);
		const databaseId = state.d1[0]?.uuid ?? "";
		const kvId = state.kv[0]?.id ?? "";
		expect(readFileSync(ws.config, "utf8")).toBe(withIds(original, databaseId, kvId));

		const log = calls(ws);
		expect(log.map((call) => commandOf(ws, call))).toEqual(FRESH_ACCOUNT_COMMANDS);
		// The fake applies migrations only --remote and only once database_id names a real database.
		const migrationFiles = readdirSync(path.join(ROOT, "migrations")).filter((file) => file.endsWith(".sql"));
		expect(state.migrations[databaseId]).toEqual(migrationFiles.sort());

		const secrets = state.workers.aigate?.secrets ?? {};
		expect(Object.keys(secrets).sort()).toEqual(["ADMIN_TOKEN", "GROQ_API_KEY", "OPENAI_API_KEY"]);
		expect(secrets.OPENAI_API_KEY).toBe(KEYS.OPENAI_API_KEY);
		expect(secrets.GROQ_API_KEY).toBe(KEYS.GROQ_API_KEY);
		const token = secrets.ADMIN_TOKEN ?? "";
		expect(token).toMatch(GENERATED_TOKEN);
		expect(occurrences(run.stdout, token)).toBe(1); // shown exactly once
		expect(run.stdout).toMatch(/ANTHROPIC_API_KEY: skipped/);
		expect(run.stdout).toMatch(/GEMINI_API_KEY: skipped/);

		// Values travel on stdin, never in argv; nothing else gets stdin.
		for (const call of log) {
			for (const value of [...Object.values(KEYS), token]) expect(call.argv.join(" ")).not.toContain(value);
			const [verb, action, name] = call.argv;
			const expectedStdin = verb === "secret" && action === "put" ? secrets[name ?? ""] : "";
			expect(call.stdin).toBe(expectedStdin);
		}
	});

	it("changes nothing on a second run, and says so", () => {
		const ws = workspace();
		expect(runSetup(ws, [], KEYS).status).toBe(0);
		const configAfterFirst = readFileSync(ws.config, "utf8");
		const accountAfterFirst = readFileSync(ws.state, "utf8");
		const firstCalls = calls(ws).length;

		const run = runSetup(ws, [], KEYS);

		expect(run.status, run.stderr).toBe(0);
		const second = calls(ws)
			.slice(firstCalls)
			.map((call) => commandOf(ws, call));
		expect(second).toEqual([
			"d1 list --json",
			"kv namespace list",
			"r2 bucket list",
			"d1 migrations apply DB --remote",
			"secret list",
		]);
		expect(readFileSync(ws.config, "utf8")).toBe(configAfterFirst);
		expect(readFileSync(ws.state, "utf8")).toBe(accountAfterFirst);
		expect(run.stdout).toContain("Nothing to do");
		expect(run.stdout).not.toContain(account(ws).workers.aigate?.secrets.ADMIN_TOKEN);
	});

	it("--force-secrets replaces secrets given a value but never regenerates ADMIN_TOKEN", () => {
		const ws = workspace();
		expect(runSetup(ws, [], KEYS).status).toBe(0);
		const token = account(ws).workers.aigate?.secrets.ADMIN_TOKEN;
		const firstCalls = calls(ws).length;

		const run = runSetup(ws, ["--force-secrets"], { ...KEYS, OPENAI_API_KEY: "sk-rotated-SECRET" });

		expect(run.status, run.stderr).toBe(0);
		const puts = calls(ws)
			.slice(firstCalls)
			.map((call) => commandOf(ws, call))
			.filter((command) => command.startsWith("secret put"));
		expect(puts).toEqual(["secret put OPENAI_API_KEY", "secret put GROQ_API_KEY"]);
		expect(account(ws).workers.aigate?.secrets).toMatchObject({
			OPENAI_API_KEY: "sk-rotated-SECRET",
			ADMIN_TOKEN: token,
		});
	});

	it("reuses resources that already exist and writes their ids", () => {
		const ws = workspace();
		const original = readFileSync(ws.config, "utf8");
		const databaseId = "5f3c8a52-1d0e-4c1b-9e55-2b7d6f0a9c11";
		const kvId = "8d2f4c0b9a7e4e5f8a1b3c6d7e9f0a12";
		seedAccount(ws, {
			d1: [
				{ uuid: "0f0f0f0f-0000-4000-8000-000000000001", name: "other-app" },
				{ uuid: databaseId, name: "aigate" },
			],
			kv: [
				{ id: "00112233445566778899aabbccddeeff", title: "other-cache" },
				{ id: kvId, title: "aigate-key-cache" },
			],
			r2: [{ name: "aigate-images", creation_date: "2026-01-02T03:04:05.000Z" }],
			workers: { aigate: { secrets: { ADMIN_TOKEN: "team-admin-token" } } },
			migrations: {},
		});

		const run = runSetup(ws, [], { OPENAI_API_KEY: KEYS.OPENAI_API_KEY });

		expect(run.status, run.stderr).toBe(0);
		const commands = calls(ws).map((call) => commandOf(ws, call));
		expect(commands.filter((command) => command.includes("create"))).toEqual([]);
		expect(commands.filter((command) => command.startsWith("secret put"))).toEqual([
			"secret put OPENAI_API_KEY",
		]);
		expect(readFileSync(ws.config, "utf8")).toBe(withIds(original, databaseId, kvId));
		expect(account(ws).workers.aigate?.secrets.ADMIN_TOKEN).toBe("team-admin-token");
		expect(account(ws).migrations[databaseId]?.length).toBeGreaterThan(0);
	});

	it("stops with a clear message when a wrangler call fails", () => {
		const ws = workspace();
		const before = readFileSync(ws.config, "utf8");

		const run = runSetup(ws, [], { ...KEYS, FAKE_WRANGLER_FAIL: "d1 list" });

		expect(run.status).not.toBe(0);
		expect(run.stderr).toContain(`\`${FAKE} d1 list --json --config ${ws.config}\` failed (exit code 1)`);
		expect(run.stderr).toContain("CLOUDFLARE_API_TOKEN"); // wrangler's own explanation is passed on
		expect(run.stderr).toContain("npx wrangler login");
		expect(run.stdout).not.toContain("Done");
		expect(readFileSync(ws.config, "utf8")).toBe(before);
	});

	it("picks up where a failed run stopped", () => {
		const ws = workspace();
		const failed = runSetup(ws, [], { ...KEYS, FAKE_WRANGLER_FAIL: "secret put" });
		expect(failed.status).not.toBe(0);
		expect(failed.stderr).toContain("secret put OPENAI_API_KEY");
		const firstCalls = calls(ws).length;

		const run = runSetup(ws, [], KEYS);

		expect(run.status, run.stderr).toBe(0);
		const commands = calls(ws)
			.slice(firstCalls)
			.map((call) => commandOf(ws, call));
		expect(commands.filter((command) => command.includes("create"))).toEqual([]);
		expect(commands.filter((command) => command.startsWith("secret put"))).toEqual([
			"secret put OPENAI_API_KEY",
			"secret put GROQ_API_KEY",
			"secret put ADMIN_TOKEN",
		]);
	});

	it("reads PROVIDERS from a multi-line literal string and keeps CRLF line endings", () => {
		const multiLine = `PROVIDERS = '''\n${JSON.stringify([GROQ], null, 2)}\n'''`;
		const original = originalConfig()
			.replace(/^PROVIDERS = .*$/m, multiLine)
			.replaceAll("\n", "\r\n");
		const ws = workspace(original);

		const run = runSetup(ws, [], KEYS);

		expect(run.status, run.stderr).toBe(0);
		expect(account(ws).workers.aigate?.secrets.GROQ_API_KEY).toBe(KEYS.GROQ_API_KEY);
		const state = account(ws);
		const expected = original
			.replace(D1_PLACEHOLDER, `database_id = "${state.d1[0]?.uuid}"`)
			.replace(`\r\n${KV_PLACEHOLDER}\r\n`, `\r\nid = "${state.kv[0]?.id}"\r\n`);
		expect(readFileSync(ws.config, "utf8")).toBe(expected);
	});
});
