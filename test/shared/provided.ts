/**
 * What test/fakes/global-setup.ts provides to every project (`inject(name)` from "vitest"). Declared
 * here, outside the Node-only fakes, so worker and e2e tests see the same types.
 */

/** Whether the recorded provider responses (test/fakes/fixtures.ts) are there to replay. */
export interface FixtureStatus {
	available: boolean;
	/** The folder looked at. */
	dir: string;
	/** Why the replays are skipped, when they are; where they come from otherwise. */
	reason: string;
}

declare module "vitest" {
	export interface ProvidedContext {
		openaiUrl: string;
		anthropicUrl: string;
		geminiUrl: string;
		chaosUrl: string;
		fixtures: FixtureStatus;
	}
}
