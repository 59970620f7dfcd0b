// The wrangler arguments of `npm run dev` (scripts/dev.mjs), kept pure so they can be unit-tested.
//
// The script has defaults (port 8787, or PORT; IP 127.0.0.1; no --persist-to, or PERSIST_DIR), and
// the user's own arguments (`npm run dev -- --port 8799 --var NAME:VALUE`) come after them. Wrangler
// refuses an option given twice, so an option the user gives replaces the script's default instead of
// being added to it; every other argument goes through unchanged and in order.

/** Options the script sets by default, each with the spellings wrangler (yargs) accepts for it. */
const OWN_OPTIONS = {
	port: ["--port"],
	ip: ["--ip"],
	persistTo: ["--persist-to", "--persistTo"],
};

/** Whether `arg` is `--name` or `--name=value` for one of `spellings`. */
function isOption(arg, spellings) {
	return spellings.some((flag) => arg === flag || arg.startsWith(`${flag}=`));
}

/** The arguments before a lone `--` (after it, wrangler reads positionals, not options). */
function optionPart(userArgs) {
	const end = userArgs.indexOf("--");
	return end === -1 ? userArgs : userArgs.slice(0, end);
}

/** Whether the user's arguments set the option with these spellings. */
function given(userArgs, spellings) {
	return optionPart(userArgs).some((arg) => isOption(arg, spellings));
}

/**
 * The user's own `--persist-to` arguments, as they wrote them (`--persist-to DIR` or
 * `--persist-to=DIR`), or `[]`.
 */
function userPersistArgs(userArgs) {
	const args = optionPart(userArgs);
	const found = [];
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (!isOption(arg, OWN_OPTIONS.persistTo)) continue;
		found.push(arg);
		const next = args[i + 1];
		if (!arg.includes("=") && next !== undefined && !next.startsWith("-")) {
			found.push(next);
			i++;
		}
	}
	return found;
}

/** Where local state lives: the user's `--persist-to`, else PERSIST_DIR, else wrangler's default. */
function persistArgs(userArgs, env) {
	const own = userPersistArgs(userArgs);
	if (own.length > 0) return own;
	return env.PERSIST_DIR ? ["--persist-to", env.PERSIST_DIR] : [];
}

/**
 * Arguments of `wrangler dev`: the script's defaults for what the user did not set, then the
 * user's arguments unchanged.
 *
 * @param {readonly string[]} userArgs what followed `npm run dev --`
 * @param {{ PORT?: string, PERSIST_DIR?: string }} env
 * @returns {string[]}
 */
export function devArgs(userArgs, env = {}) {
	const defaults = [];
	if (!given(userArgs, OWN_OPTIONS.port)) defaults.push("--port", env.PORT || "8787");
	if (!given(userArgs, OWN_OPTIONS.ip)) defaults.push("--ip", "127.0.0.1");
	if (!given(userArgs, OWN_OPTIONS.persistTo) && env.PERSIST_DIR)
		defaults.push("--persist-to", env.PERSIST_DIR);
	return ["dev", ...defaults, ...userArgs];
}

/**
 * Arguments of `wrangler d1 migrations apply` for the local database: the same `--persist-to`
 * as `wrangler dev` gets, so the database migrated is the one served.
 *
 * @param {readonly string[]} userArgs what followed `npm run dev --`
 * @param {{ PERSIST_DIR?: string }} env
 * @returns {string[]}
 */
export function migrateArgs(userArgs, env = {}) {
	return ["d1", "migrations", "apply", "DB", "--local", ...persistArgs(userArgs, env)];
}
