import { type Config, configOf } from "../config";
import type { Env } from "../env";
import { echoFetch } from "../protocols/demo/echo";
import type { Provider } from "./types";

const cache = new WeakMap<Config, Map<string, Provider>>();

/**
 * Every configured provider by name, built once per configuration (the secrets do not change either).
 * The three built-ins read the vars and secrets of the configuration contract; more OpenAI-protocol
 * upstreams (xAI, DeepSeek, Groq, OpenRouter, a local vLLM) come from the PROVIDERS var, each naming
 * the secret holding its key.
 */
function providersOf(env: Env): Map<string, Provider> {
	const config = configOf(env);
	let byName = cache.get(config);
	if (byName) return byName;
	const builtIns: Provider[] = [
		{ name: "openai", protocol: "openai", baseUrl: config.baseUrls.openai, apiKey: env.OPENAI_API_KEY },
		{
			name: "anthropic",
			protocol: "anthropic",
			baseUrl: config.baseUrls.anthropic,
			apiKey: env.ANTHROPIC_API_KEY,
		},
		{ name: "google", protocol: "gemini", baseUrl: config.baseUrls.gemini, apiKey: env.GEMINI_API_KEY },
	];
	const extras = config.extraProviders.map((p): Provider => {
		const key = env[p.key_secret];
		return {
			name: p.name,
			protocol: p.protocol,
			baseUrl: p.base_url,
			apiKey: typeof key === "string" ? key : undefined,
		};
	});
	const demo: Provider[] = config.demoModel
		? [
				{
					name: "demo",
					protocol: "openai",
					baseUrl: "http://demo.invalid/v1",
					apiKey: "demo",
					fetch: echoFetch,
				},
			]
		: [];
	byName = new Map();
	// A built-in keeps its name: an extra entry cannot take it over.
	for (const provider of [...builtIns, ...extras, ...demo]) {
		if (!byName.has(provider.name)) byName.set(provider.name, provider);
	}
	cache.set(config, byName);
	return byName;
}

export const listProviders = (env: Env): Provider[] => [...providersOf(env).values()];

export const findProvider = (env: Env, name: string): Provider | undefined => providersOf(env).get(name);

/**
 * The public view of a provider (admin API): its name, its protocol and whether it has a key; never
 * the key, nor the base URL (an upstream address stays out of every response).
 */
export function describeProvider(provider: Provider) {
	return {
		name: provider.name,
		protocol: provider.protocol,
		configured: typeof provider.apiKey === "string" && provider.apiKey !== "",
	};
}
