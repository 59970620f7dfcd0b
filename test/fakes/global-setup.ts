import type { TestProject } from "vitest/node";
import { handleAnthropic } from "./anthropic-fake";
import { handleGemini } from "./gemini-fake";
import { serveFake } from "./http";
import { handleOpenAI } from "./openai-fake";

declare module "vitest" {
	export interface ProvidedContext {
		openaiUrl: string;
		anthropicUrl: string;
		geminiUrl: string;
	}
}

/** Starts the fake upstreams once for the whole run; tests reach them through the gateway's vars. */
export default async function setup(project: TestProject) {
	const fakes = {
		openaiUrl: await serveFake(handleOpenAI),
		anthropicUrl: await serveFake(handleAnthropic),
		geminiUrl: await serveFake(handleGemini),
	};
	for (const [name, fake] of Object.entries(fakes)) project.provide(name as keyof typeof fakes, fake.url);
	return async () => {
		await Promise.all(Object.values(fakes).map((fake) => fake.close()));
	};
}
