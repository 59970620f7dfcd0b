// Types of scripts/dev-args.mjs for the tests that import it.

export interface DevEnv {
	PORT?: string;
	PERSIST_DIR?: string;
}

/** Arguments of `wrangler dev`: the script's defaults for what the user did not set, then the user's. */
export function devArgs(userArgs: readonly string[], env?: DevEnv): string[];

/** Arguments of `wrangler d1 migrations apply DB --local`, with the same `--persist-to` as `wrangler dev`. */
export function migrateArgs(userArgs: readonly string[], env?: DevEnv): string[];
