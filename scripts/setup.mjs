#!/usr/bin/env node
// `npm run setup`: prepares a fresh Cloudflare account for AIGate. Creates (or reuses, by name) the
// D1 database, KV namespace and R2 bucket, writes their ids into the Wrangler config, applies the D1
// migrations remotely and stores the provider keys and ADMIN_TOKEN as Worker secrets. Safe to run
// again: it only does what is missing, and says so when nothing is. See `--help`.
import { parseArgs } from "node:util";
import { applyIds, loadConfig, readSetupFacts, saveConfig } from "./setup/config.mjs";
import { obtainValue, secretNames, valueSource } from "./setup/secrets.mjs";
import {
	commands,
	createWrangler,
	failure,
	isWorkerNotFound,
	migrationsUpToDate,
	parseD1List,
	parseKvList,
	parseR2List,
	parseSecretList,
	runOrFail,
} from "./setup/wrangler.mjs";

const USAGE = `Usage: npm run setup -- [options]

Creates the D1 database, KV namespace and R2 bucket (reusing any that exist by name), writes their
ids into the Wrangler config, applies the D1 migrations remotely and stores the Worker secrets.
Secret values come from environment variables of the same name, else a prompt on a terminal.

Options:
  --dry-run          print every command it would run, run none and change nothing
  --config <path>    Wrangler config to use and update (default: wrangler.toml)
  --wrangler <path>  wrangler executable (default: the project's; env WRANGLER_BIN)
  --force-secrets    overwrite secrets that are already set (with values given or typed)
  -h, --help         show this help`;

function parseOptions(argv) {
	let values;
	try {
		({ values } = parseArgs({
			args: argv,
			options: {
				"dry-run": { type: "boolean", default: false },
				config: { type: "string", default: "wrangler.toml" },
				wrangler: { type: "string" },
				"force-secrets": { type: "boolean", default: false },
				help: { type: "boolean", short: "h", default: false },
			},
		}));
	} catch (error) {
		throw new Error(`${error.message}. See \`npm run setup -- --help\`.`);
	}
	return {
		dryRun: values["dry-run"],
		configPath: values.config,
		bin: values.wrangler ?? (process.env.WRANGLER_BIN || undefined),
		forceSecrets: values["force-secrets"],
		help: values.help,
	};
}

/** Collects what changed, so the last line can say "nothing to do" when nothing did. */
function createReport() {
	const changes = [];
	return {
		same: (what, detail) => console.log(`  = ${what}: ${detail}`),
		changed: (what, detail) => {
			changes.push(what);
			console.log(`  + ${what}: ${detail}`);
		},
		note: (what, detail) => console.log(`  - ${what}: ${detail}`),
		finish() {
			if (changes.length === 0) console.log("\nNothing to do: everything was already set up.");
			else console.log(`\nDone: ${changes.length} change(s). Deploy with \`npm run deploy\`.`);
		},
	};
}

/**
 * Finds a resource by name in wrangler's listing and creates it only when absent. The id is read
 * back from a second listing rather than scraped from the create command's human-oriented output.
 */
function ensureResource(wrangler, report, { what, name, list, parse, create, readsId }) {
	const existing = parse(runOrFail(wrangler, list)).get(name);
	if (existing !== undefined) {
		report.same(`${what} "${name}"`, readsId ? `exists (${existing})` : "exists");
		return existing;
	}
	runOrFail(wrangler, create);
	if (!readsId) {
		report.changed(`${what} "${name}"`, "created");
		return name;
	}
	const created = parse(runOrFail(wrangler, list)).get(name);
	if (created === undefined) {
		throw new Error(`wrangler created ${what} "${name}" but its listing does not show it.`);
	}
	report.changed(`${what} "${name}"`, `created (${created})`);
	return created;
}

function resourceSteps(facts) {
	const kvTitle = `${facts.workerName}-key-cache`;
	return {
		d1: {
			what: "D1 database",
			name: facts.databaseName,
			list: commands.d1List(),
			parse: parseD1List,
			create: commands.d1Create(facts.databaseName),
			readsId: true,
		},
		kv: {
			what: "KV namespace",
			name: kvTitle,
			list: commands.kvList(),
			parse: parseKvList,
			create: commands.kvCreate(kvTitle),
			readsId: true,
		},
		r2: {
			what: "R2 bucket",
			name: facts.bucketName,
			list: commands.r2List(),
			parse: parseR2List,
			create: commands.r2Create(facts.bucketName),
			readsId: false, // the config names buckets, it holds no id
		},
	};
}

/** Rewrites only the id lines that differ, so a second run leaves the file untouched. */
function writeIds(config, ids, report) {
	const changed = applyIds(config, ids);
	if (changed.length === 0) return report.same(config.path, "resource ids already up to date");
	saveConfig(config);
	report.changed(config.path, `wrote ${changed.join(" and ")}`);
}

/** Wrangler records applied migrations in the database, so this is a no-op when up to date. */
function applyMigrations(wrangler, report) {
	const output = runOrFail(wrangler, commands.migrate());
	if (migrationsUpToDate(output)) return report.same("D1 migrations", "none to apply");
	report.changed("D1 migrations", "applied (remote)");
}

/** Names of secrets already stored; none while the Worker does not exist yet. */
function existingSecrets(wrangler, report) {
	const result = wrangler.run(commands.secretList());
	if (result.status === 0) return parseSecretList(result.stdout);
	if (!isWorkerNotFound(result)) throw failure(wrangler, commands.secretList(), result);
	report.note("Worker", "not deployed yet; `secret put` creates a placeholder until `npm run deploy`");
	return new Set();
}

async function ensureSecrets(wrangler, names, options, report) {
	const existing = existingSecrets(wrangler, report);
	const interactive = Boolean(process.stdin.isTTY);
	for (const name of names) {
		const exists = existing.has(name);
		if (exists && !options.forceSecrets) {
			report.same(`secret ${name}`, "already set (--force-secrets replaces it)");
			continue;
		}
		const obtained = await obtainValue(name, process.env, interactive, { exists });
		if (obtained === undefined) {
			if (exists) report.same(`secret ${name}`, "kept: no new value given");
			else if (interactive) report.note(`secret ${name}`, "skipped (left empty)");
			else report.note(`secret ${name}`, `skipped: no value (set ${name} or run on a terminal)`);
			continue;
		}
		// The value goes through stdin, never argv, so it does not show up in process listings.
		runOrFail(wrangler, commands.secretPut(name), obtained.value);
		if (!obtained.generated) report.changed(`secret ${name}`, "stored");
		else {
			report.changed(`secret ${name}`, "generated and stored; shown only this once, keep it safe:");
			console.log(`      ${obtained.value}`);
		}
	}
}

/** Where a secret's value would come from, in words, for the dry run. */
function describeSource(name, options) {
	const source = valueSource(name, process.env, Boolean(process.stdin.isTTY));
	const when = options.forceSecrets && source !== "generate" ? "even if already set" : "only if not set yet";
	const from = {
		env: `value from $${name}`,
		prompt: "value typed at a prompt",
		generate: "a generated token",
	};
	return source === "none" ? undefined : `${when}; ${from[source]}, sent on stdin`;
}

/** Prints every command a run on a fresh account would execute, executing none of them. */
function printPlan(wrangler, config, facts, names, options) {
	const command = (args, note) =>
		console.log(`$ ${wrangler.describe(args)}${note === undefined ? "" : `    # ${note}`}`);
	console.log("Dry run: nothing is executed and the config is not changed. A run would do:");
	for (const step of Object.values(resourceSteps(facts))) {
		command(step.list);
		command(step.create, `only if no ${step.what} "${step.name}" exists`);
		if (step.readsId) command(step.list, "only after creating it, to read its id");
	}
	console.log(`# write the D1 and KV ids into ${config.path} where they differ (database_id, id)`);
	command(commands.migrate(), "applies only migrations not yet applied");
	command(commands.secretList());
	for (const name of names) {
		const note = describeSource(name, options);
		if (note === undefined) console.log(`# skip secret put ${name}: no value ($${name} unset, no terminal)`);
		else command(commands.secretPut(name), note);
	}
}

async function main() {
	const options = parseOptions(process.argv.slice(2));
	if (options.help) return console.log(USAGE);
	const config = loadConfig(options.configPath);
	const facts = readSetupFacts(config);
	const names = secretNames(facts.providersJson);
	const wrangler = createWrangler({ bin: options.bin, configPath: options.configPath });
	if (options.dryRun) return printPlan(wrangler, config, facts, names, options);

	console.log(`Setting up AIGate on Cloudflare (config: ${config.path})`);
	const report = createReport();
	const steps = resourceSteps(facts);
	const databaseId = ensureResource(wrangler, report, steps.d1);
	const kvId = ensureResource(wrangler, report, steps.kv);
	ensureResource(wrangler, report, steps.r2);
	// Before migrating: `d1 migrations apply --remote` finds the database through database_id.
	writeIds(config, { databaseId, kvId }, report);
	applyMigrations(wrangler, report);
	await ensureSecrets(wrangler, names, options, report);
	report.finish();
}

main().catch((error) => {
	console.error(`\nSetup failed. ${error.message}`);
	process.exitCode = 1;
});
