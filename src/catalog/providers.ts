import * as z from "zod/mini";
import type { Env } from "../env";
import { GatewayError } from "../errors";
import { demoEnabled, demoProvider } from "./demo";

/**
 * Providers are data: a name, a wire protocol, a base URL and a key. The three built-ins read the
 * vars and secrets of the configuration contract; more OpenAI-protocol upstreams (xAI, DeepSeek,
 * Groq, OpenRouter, a local vLLM) come from the PROVIDERS var, each naming the secret holding its key.
 */
export const protocolNames = ["openai", "anthropic", "gemini"] as const;
export type ProtocolName = (typeof protocolNames)[number];

export interface Provider {
	name: string;
	protocol: ProtocolName;
	baseUrl: string;
	apiKey: string | undefined;
	/** Replaces global fetch for in-process upstreams (the demo model). */
	fetch?: typeof fetch;
}

const extraProvider = z.object({
	name: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/)),
	protocol: z.enum(protocolNames),
	base_url: z.url(),
	key_secret: z.string().check(z.minLength(1)),
});

const stripSlash = (url: string) => url.replace(/\/+$/, "");

export function listProviders(env: Env): Provider[] {
	const builtIns: Provider[] = [
		{
			name: "openai",
			protocol: "openai",
			baseUrl: stripSlash(env.OPENAI_BASE_URL || "https://api.openai.com/v1"),
			apiKey: env.OPENAI_API_KEY,
		},
		{
			name: "anthropic",
			protocol: "anthropic",
			baseUrl: stripSlash(env.ANTHROPIC_BASE_URL || "https://api.anthropic.com"),
			apiKey: env.ANTHROPIC_API_KEY,
		},
		{
			name: "google",
			protocol: "gemini",
			baseUrl: stripSlash(env.GEMINI_BASE_URL || "https://generativelanguage.googleapis.com"),
			apiKey: env.GEMINI_API_KEY,
		},
	];
	const demo = demoEnabled(env) ? [demoProvider()] : [];
	return [...builtIns, ...parseExtraProviders(env), ...demo];
}

type ExtraProvider = z.infer<typeof extraProvider>;

/** The parsed PROVIDERS setting, kept per isolate: it is the same text on every request. */
let parsedProviders: { text: string; list: ExtraProvider[] } | null = null;

function extraProviderList(text: string): ExtraProvider[] {
	if (parsedProviders?.text === text) return parsedProviders.list;
	let raw: unknown;
	try {
		raw = JSON.parse(text);
	} catch {
		throw new GatewayError(500, "The PROVIDERS setting is not valid JSON.", {
			code: "gateway_misconfigured",
		});
	}
	const parsed = z.array(extraProvider).safeParse(raw);
	if (!parsed.success) {
		throw new GatewayError(500, "The PROVIDERS setting does not match the documented shape.", {
			code: "gateway_misconfigured",
		});
	}
	parsedProviders = { text, list: parsed.data };
	return parsed.data;
}

function parseExtraProviders(env: Env): Provider[] {
	if (!env.PROVIDERS || env.PROVIDERS.trim() === "") return [];
	return extraProviderList(env.PROVIDERS).map((p) => {
		const key = env[p.key_secret];
		return {
			name: p.name,
			protocol: p.protocol,
			baseUrl: stripSlash(p.base_url),
			apiKey: typeof key === "string" ? key : undefined,
		};
	});
}

export function findProvider(env: Env, name: string): Provider | undefined {
	return listProviders(env).find((p) => p.name === name);
}
