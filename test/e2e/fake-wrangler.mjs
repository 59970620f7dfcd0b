#!/usr/bin/env node
// A stand-in for wrangler 4.86 in the `npm run setup` tests: answers the handful of commands setup
// uses with output shaped like the real ones (see scripts/setup/wrangler.mjs for where each format
// was checked), against a pretend Cloudflare account kept in a JSON file.
//   FAKE_WRANGLER_STATE  the account: { d1: [], kv: [], r2: [], workers: {}, migrations: {} }
//   FAKE_WRANGLER_LOG    every invocation appended as a JSON line: { argv, stdin }
//   FAKE_WRANGLER_FAIL   a command prefix (e.g. "kv namespace create") that fails as if logged out
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const BANNER = "\n ⛅️ wrangler 4.86.0\n───────────────────";
const NOT_LOGGED_IN =
	"✘ [ERROR] In a non-interactive environment, it's necessary to set a CLOUDFLARE_API_TOKEN environment variable for wrangler to work. Please go to https://developers.cloudflare.com/fundamentals/api/get-started/create-token/ for instructions on how to create an api token, and assign its value to CLOUDFLARE_API_TOKEN.";

const argv = process.argv.slice(2);
const stdin = process.stdin.isTTY ? "" : readFileSync(0, "utf8");
appendFileSync(requiredEnv("FAKE_WRANGLER_LOG"), `${JSON.stringify({ argv, stdin })}\n`);

function requiredEnv(name) {
	const value = process.env[name];
	if (!value) fail(`fake wrangler: ${name} is not set`);
	return value;
}

function fail(message) {
	process.stderr.write(`${message}\n`);
	process.exit(1);
}

/** Positionals and flags; `--config`/`-c` take a value, every other flag is boolean here. */
function parse(args) {
	const positionals = [];
	const flags = new Set();
	let config;
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (arg === "--config" || arg === "-c") config = args[++i];
		else if (arg.startsWith("-")) flags.add(arg);
		else positionals.push(arg);
	}
	return { positionals, flags, config };
}

const statePath = requiredEnv("FAKE_WRANGLER_STATE");
const loadState = () =>
	existsSync(statePath)
		? JSON.parse(readFileSync(statePath, "utf8"))
		: { d1: [], kv: [], r2: [], workers: {}, migrations: {} };
const saveState = (state) => writeFileSync(statePath, JSON.stringify(state, null, 2));

const { positionals, flags, config } = parse(argv);
const command = positionals.join(" ");
const failing = process.env.FAKE_WRANGLER_FAIL;
if (failing && command.startsWith(failing)) fail(NOT_LOGGED_IN);

const configText = () => (config ? readFileSync(config, "utf8") : fail("✘ [ERROR] No config file found."));
const workerName = () => /^name\s*=\s*"([^"]+)"/m.exec(configText())?.[1] ?? fail("✘ [ERROR] No name");
const out = (text) => process.stdout.write(`${text}\n`);
const now = () => new Date().toISOString();

const handlers = {
	"d1 list": (state) => out(JSON.stringify(state.d1, null, 2)),
	"d1 create": (state, [name]) => {
		if (state.d1.some((db) => db.name === name)) {
			fail(
				`✘ [ERROR] A request to the Cloudflare API failed.\n\n  A database with that name already exists [code: 7502]`,
			);
		}
		const db = { uuid: randomUUID(), name, created_at: now(), version: "production", jurisdiction: null };
		state.d1.push(db);
		out(`${BANNER}\n✅ Successfully created DB '${name}' in region WEUR\nCreated your new D1 database.\n`);
		out(
			`To access your new D1 Database in your Worker, add the following snippet to your configuration file:`,
		);
		out(`[[d1_databases]]\nbinding = "${name}"\ndatabase_name = "${name}"\ndatabase_id = "${db.uuid}"`);
	},
	"kv namespace list": (state) => out(JSON.stringify(state.kv, null, "  ")),
	"kv namespace create": (state, [title]) => {
		if (state.kv.some((ns) => ns.title === title)) {
			fail(`✘ [ERROR] A KV namespace with the title "${title}" already exists.`);
		}
		const id = randomUUID().replaceAll("-", "");
		state.kv.push({ id, title, supports_url_encoding: true });
		out(`${BANNER}\nResource location: remote\n🌀 Creating namespace with title "${title}"\n✨ Success!`);
		out(
			`To access your new KV Namespace in your Worker, add the following snippet to your configuration file:`,
		);
		out(`[[kv_namespaces]]\nbinding = "${title.replaceAll("-", "_")}"\nid = "${id}"`);
	},
	"r2 bucket list": (state) => {
		const blocks = state.r2.map((b) => `name:           ${b.name}\ncreation_date:  ${b.creation_date}`);
		out(`${BANNER}\nListing buckets...\n${blocks.join("\n\n")}`);
	},
	"r2 bucket create": (state, [name]) => {
		if (state.r2.some((bucket) => bucket.name === name)) {
			fail("✘ [ERROR] The bucket you tried to create already exists, and you own it. [code: 10004]");
		}
		state.r2.push({ name, creation_date: now() });
		out(
			`${BANNER}\nCreating bucket '${name}'...\n✅ Created bucket '${name}' with default storage class of Standard.`,
		);
	},
	"d1 migrations apply": (state) => {
		if (!flags.has("--remote")) fail("fake wrangler: only --remote migrations are modelled");
		// Like wrangler: the remote database is found through database_id in the config.
		const id = /database_id\s*=\s*"([^"]+)"/.exec(configText())?.[1];
		const db = state.d1.find((candidate) => candidate.uuid === id);
		if (!db) fail(`✘ [ERROR] Couldn't find DB with id "${id}" [code: 7404]`);
		const dir = path.join(path.dirname(config ?? ""), "migrations");
		state.migrations[db.uuid] ??= [];
		const applied = state.migrations[db.uuid];
		const pending = readdirSync(dir).filter((file) => file.endsWith(".sql") && !applied.includes(file));
		if (pending.length === 0) return out(`${BANNER}\n✅ No migrations to apply!`);
		applied.push(...pending);
		out(`${BANNER}\nMigrations to be applied:\n${pending.map((file) => `│ ${file} │`).join("\n")}`);
		out(
			`🌀 Executing on remote database ${db.name} (${db.uuid}):\n${pending.map((f) => `│ ${f} │ ✅ │`).join("\n")}`,
		);
	},
	"secret list": (state) => {
		const worker = state.workers[workerName()];
		if (!worker) {
			fail(
				`✘ [ERROR] Worker "${workerName()}" not found.\n\nIf this is a new Worker, run \`wrangler deploy\` first to create it.`,
			);
		}
		out(
			JSON.stringify(
				Object.keys(worker.secrets).map((name) => ({ name, type: "secret_text" })),
				null,
				"  ",
			),
		);
	},
	// Used by the README test: `npx wrangler login` succeeds as after a browser log-in.
	login: (state) => {
		state.loggedIn = true;
		out(`${BANNER}\nSuccessfully logged in.`);
	},
	"secret put": (state, [key]) => {
		if (process.stdin.isTTY) fail("fake wrangler: would prompt for the secret on the terminal");
		const name = workerName();
		out(`${BANNER}\n🌀 Creating the secret for the Worker "${name}" `);
		if (!state.workers[name]) {
			out(`🌀 Creating new Worker "${name}"...`);
			state.workers[name] = { secrets: {} };
		}
		state.workers[name].secrets[key] = stdin.trimEnd();
		out(`✨ Success! Uploaded secret ${key}`);
	},
};

const entry = Object.entries(handlers).find(([prefix]) => command.startsWith(prefix));
if (!entry) fail(`fake wrangler: unknown command "${command}"`);
const state = loadState();
entry[1](state, positionals.slice(entry[0].split(" ").length));
saveState(state);
