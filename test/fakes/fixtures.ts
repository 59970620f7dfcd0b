import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FixtureStatus } from "../shared/provided";

/**
 * The recorded provider responses the fakes replay: one folder per provider (openai/, anthropic/,
 * gemini/) under `../shared/fixtures` beside the repository, or under the folder AIGATE_FIXTURES_DIR
 * names. A clone of the repository alone has no such folder: the replay tests are then reported as
 * skipped with `fixtureStatus().reason` (test/shared/replay.ts), and a fake asked to replay a file
 * that is not there answers a 500 naming it, never a stand-in.
 *
 * Everything is resolved on each call, so a test can point AIGATE_FIXTURES_DIR elsewhere.
 */

export const FIXTURES_ENV = "AIGATE_FIXTURES_DIR";
export const FIXTURE_PROVIDERS = ["openai", "anthropic", "gemini"] as const;
export type FixtureProvider = (typeof FIXTURE_PROVIDERS)[number];

/** The repository's root, found from this file rather than from the working directory. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const DEFAULT_FIXTURES_DIR = path.resolve(REPO_ROOT, "../shared/fixtures");

export function fixturesDir(env: NodeJS.ProcessEnv = process.env): string {
	const override = env[FIXTURES_ENV];
	return override ? path.resolve(REPO_ROOT, override) : DEFAULT_FIXTURES_DIR;
}

const isDirectory = (dir: string) => statSync(dir, { throwIfNoEntry: false })?.isDirectory() === true;

/** Whether the replays can run: the folder exists with a sub-folder for every provider. */
export function fixtureStatus(env: NodeJS.ProcessEnv = process.env): FixtureStatus {
	const dir = fixturesDir(env);
	const named = env[FIXTURES_ENV] ? `${FIXTURES_ENV}=${dir}` : `../shared/fixtures (${dir})`;
	if (!isDirectory(dir)) return { available: false, dir, reason: `${named} not found` };
	const missing = FIXTURE_PROVIDERS.filter((provider) => !isDirectory(path.join(dir, provider)));
	if (missing.length > 0)
		return { available: false, dir, reason: `${named} has no ${missing.join(", ")} folder` };
	return { available: true, dir, reason: `recorded responses in ${dir}` };
}

/** The files recorded for a provider, sorted; empty when the folder is absent. */
export function listFixtures(provider: FixtureProvider): string[] {
	try {
		return readdirSync(path.join(fixturesDir(), provider)).sort();
	} catch {
		return [];
	}
}

/** The path of one recorded file; `name` is a file name, never a path. */
export function fixturePath(provider: FixtureProvider, name: string): string {
	return path.join(fixturesDir(), provider, path.basename(name));
}

/** The bytes of one recorded file, or undefined when it is not there. */
export function readFixture(provider: FixtureProvider, name: string): Buffer | undefined {
	try {
		return readFileSync(fixturePath(provider, name));
	} catch {
		return undefined;
	}
}

/** What a fake answers (in its provider's error shape, with status 500) for a file that is not there. */
export function missingFixtureMessage(provider: FixtureProvider, name: string): string {
	const status = fixtureStatus();
	const why = status.available ? "" : ` (${status.reason}; ${FIXTURES_ENV} names another folder)`;
	return `fixture ${provider}/${path.basename(name)} not found in ${status.dir}${why}`;
}
