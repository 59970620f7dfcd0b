import type { TestProject } from "vitest/node";
import "../shared/provided";
import { handleAnthropic } from "./anthropic-fake";
import { chaosSeed, createChaosHandler } from "./chaos-fake";
import { fixtureStatus } from "./fixtures";
import { handleGemini } from "./gemini-fake";
import { serveFake } from "./http";
import { handleOpenAI } from "./openai-fake";

/**
 * Starts the fake upstreams once for the whole run; tests reach them through the gateway's vars.
 * Also tells every project whether the recorded responses are there (test/shared/replay.ts).
 */
export default async function setup(project: TestProject) {
	const seed = chaosSeed();
	console.log(`chaos fake: seed ${seed} (replay with CHAOS_SEED=${seed})`);
	const fixtures = fixtureStatus();
	console.log(
		fixtures.available
			? `fixtures: replaying ${fixtures.reason}`
			: `fixtures: ${fixtures.reason}; the replays of recorded responses are skipped`,
	);
	project.provide("fixtures", fixtures);
	const fakes = {
		openaiUrl: await serveFake(handleOpenAI),
		anthropicUrl: await serveFake(handleAnthropic),
		geminiUrl: await serveFake(handleGemini),
		chaosUrl: await serveFake(createChaosHandler(seed).handler),
	};
	for (const [name, fake] of Object.entries(fakes)) project.provide(name as keyof typeof fakes, fake.url);
	return async () => {
		await Promise.all(Object.values(fakes).map((fake) => fake.close()));
	};
}
