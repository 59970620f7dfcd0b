import * as z from "zod/mini";
import type { Env } from "./env";
import { GatewayError } from "./errors";
import { safeParseInEnglish } from "./schemas/zod-error";

/**
 * Every variable of wrangler.toml, .dev.vars and `wrangler secret put`, parsed once per isolate into
 * one typed value. A malformed value is a configuration error: logged once, and every request is
 * answered with a 500 `configuration_error` naming the variable, never a silent default.
 */
export interface Config {
	maxBodyBytes: number;
	catalogCacheMs: number;
	/** Allowed browser origins for /v1 and for /admin; null: no CORS headers at all. */
	corsOrigins: string[] | null;
	adminCorsOrigins: string[] | null;
	input: { maxMessages: number; maxImages: number; maxImageBytes: number; maxEmbeddingInputs: number };
	upstream: {
		firstByteTimeoutMs: number;
		idleTimeoutMs: number;
		maxRetries: number;
		/** A retry-after longer than this is not waited for: the next model is tried instead. */
		maxRetryWaitMs: number;
		backoffBaseMs: number;
	};
	/** Exact billing: on a client disconnect the upstream is read to its end instead of being aborted. */
	drainOnDisconnect: boolean;
	logRequests: boolean;
	demoModel: boolean;
	imageRetentionDays: number | null;
	usageRetentionDays: number | null;
	/** Days to keep stored Responses API responses; null keeps them forever. */
	responseRetentionDays: number | null;
	baseUrls: { openai: string; anthropic: string; gemini: string };
	extraProviders: ExtraProvider[];
}

export const protocolNames = ["openai", "anthropic", "gemini"] as const;
export type ProtocolName = (typeof protocolNames)[number];

/** One entry of the PROVIDERS variable: another upstream, naming the secret that holds its key. */
const extraProvider = z.object({
	name: z.string().check(z.regex(/^[a-z0-9][a-z0-9_-]*$/)),
	protocol: z.enum(protocolNames),
	base_url: z.url(),
	key_secret: z.string().check(z.minLength(1)),
});
export type ExtraProvider = z.infer<typeof extraProvider>;

export class ConfigError extends GatewayError {
	constructor(variable: string, problem: string) {
		super(500, `The gateway is misconfigured: ${variable} ${problem}.`, {
			type: "server_error",
			code: "configuration_error",
			param: variable,
		});
	}
}

export const DAY_MS = 24 * 60 * 60 * 1000;

const parsed = new WeakMap<object, Config | ConfigError>();

/** The isolate's configuration; throws its ConfigError (logged the first time) when a variable is malformed. */
export function configOf(env: Env): Config {
	let config = parsed.get(env);
	if (!config) {
		try {
			config = parseConfig(env);
		} catch (cause) {
			if (!(cause instanceof ConfigError)) throw cause;
			console.error(cause.message);
			config = cause;
		}
		parsed.set(env, config);
	}
	if (config instanceof ConfigError) throw config;
	return config;
}

function parseConfig(env: Env): Config {
	const int = (name: keyof Env & string, fallback: number, min = 1) => intVar(env, name, fallback, min);
	return {
		maxBodyBytes: int("MAX_BODY_BYTES", 10 * 1024 * 1024),
		catalogCacheMs: int("CATALOG_CACHE_MS", 5_000, 0),
		corsOrigins: origins(env, "CORS_ORIGINS"),
		adminCorsOrigins: origins(env, "ADMIN_CORS_ORIGINS"),
		input: {
			maxMessages: int("MAX_MESSAGES", 1_000),
			maxImages: int("MAX_IMAGES", 50),
			maxImageBytes: int("MAX_IMAGE_BYTES", 20 * 1024 * 1024),
			// OpenAI's own limit on one embeddings request.
			maxEmbeddingInputs: int("MAX_EMBEDDING_INPUTS", 2048),
		},
		upstream: {
			firstByteTimeoutMs: int("UPSTREAM_FIRST_BYTE_TIMEOUT_MS", 60_000),
			idleTimeoutMs: int("UPSTREAM_IDLE_TIMEOUT_MS", 120_000),
			maxRetries: int("UPSTREAM_MAX_RETRIES", 2, 0),
			maxRetryWaitMs: int("UPSTREAM_MAX_RETRY_WAIT_MS", 2_000),
			backoffBaseMs: int("UPSTREAM_RETRY_BASE_MS", 200),
		},
		drainOnDisconnect: oneOf(env, "ON_CLIENT_DISCONNECT", ["abort", "drain"], "abort") === "drain",
		logRequests: onOff(env, "LOG_REQUESTS"),
		demoModel: onOff(env, "DEMO_MODEL"),
		imageRetentionDays: retentionDays(env, "IMAGE_RETENTION_DAYS"),
		usageRetentionDays: retentionDays(env, "USAGE_RETENTION_DAYS"),
		responseRetentionDays: retentionDays(env, "RESPONSE_RETENTION_DAYS"),
		baseUrls: {
			openai: baseUrl(env, "OPENAI_BASE_URL", "https://api.openai.com/v1"),
			anthropic: baseUrl(env, "ANTHROPIC_BASE_URL", "https://api.anthropic.com"),
			gemini: baseUrl(env, "GEMINI_BASE_URL", "https://generativelanguage.googleapis.com"),
		},
		extraProviders: extraProviders(env),
	};
}

/** A variable as text; unset and blank are the same. */
function text(env: Env, name: string): string | null {
	const value = env[name];
	if (value === undefined || value === null) return null;
	const string = String(value).trim();
	return string === "" ? null : string;
}

function intVar(env: Env, name: string, fallback: number, min: number): number {
	const value = text(env, name);
	if (value === null) return fallback;
	const n = Number(value);
	if (!Number.isInteger(n) || n < min) {
		throw new ConfigError(name, `must be a whole number of at least ${min}, not '${value}'`);
	}
	return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: T[], fallback: T): T {
	const value = text(env, name);
	if (value === null) return fallback;
	if (!(allowed as string[]).includes(value)) {
		throw new ConfigError(name, `must be one of ${allowed.join(", ")}, not '${value}'`);
	}
	return value as T;
}

const onOff = (env: Env, name: string) => oneOf(env, name, ["on", "off"], "off") === "on";

/** A positive number of days; unset, or zero and below, keeps everything forever. */
function retentionDays(env: Env, name: string): number | null {
	const value = text(env, name);
	if (value === null) return null;
	const days = Number(value);
	if (!Number.isFinite(days)) throw new ConfigError(name, `must be a number of days, not '${value}'`);
	return days > 0 ? days : null;
}

function baseUrl(env: Env, name: string, fallback: string): string {
	const value = text(env, name) ?? fallback;
	try {
		new URL(value);
	} catch {
		throw new ConfigError(name, `must be a URL, not '${value}'`);
	}
	return stripSlash(value);
}

const stripSlash = (url: string) => url.replace(/\/+$/, "");

function origins(env: Env, name: string): string[] | null {
	return (
		text(env, name)
			?.split(",")
			.map((origin) => origin.trim()) ?? null
	);
}

function extraProviders(env: Env): ExtraProvider[] {
	const value = text(env, "PROVIDERS");
	if (value === null) return [];
	let raw: unknown;
	try {
		raw = JSON.parse(value);
	} catch {
		throw new ConfigError("PROVIDERS", "is not valid JSON");
	}
	const list = safeParseInEnglish(z.array(extraProvider), raw);
	if (!list.success) {
		const issue = list.error.issues[0];
		const at = issue?.path.length ? ` at [${issue.path.join("].[")}]` : "";
		throw new ConfigError("PROVIDERS", `does not match the documented shape${at}: ${issue?.message}`);
	}
	return list.data.map((entry) => ({ ...entry, base_url: stripSlash(entry.base_url) }));
}

/** For work with no request to answer (the cron): whether the configuration parsed; its error is logged. */
export function configIsValid(env: Env): boolean {
	try {
		configOf(env);
		return true;
	} catch (cause) {
		if (cause instanceof ConfigError) return false;
		throw cause;
	}
}
