/** Bindings and variables as wrangler.toml, .dev.vars and `wrangler secret put` provide them. */
export interface Env {
	DB: D1Database;
	KEY_CACHE: KVNamespace;
	IMAGES: R2Bucket;
	KEY_LIMITER: DurableObjectNamespace<import("./limits/key-limiter").KeyLimiter>;

	OPENAI_BASE_URL?: string;
	ANTHROPIC_BASE_URL?: string;
	GEMINI_BASE_URL?: string;
	OPENAI_API_KEY?: string;
	ANTHROPIC_API_KEY?: string;
	GEMINI_API_KEY?: string;
	ADMIN_TOKEN?: string;
	/** JSON list of extra providers; see src/catalog/providers.ts. */
	PROVIDERS?: string;
	/** "on" enables the built-in demo/echo model (local development only). */
	DEMO_MODEL?: string;
	MAX_BODY_BYTES?: string;
	/** How long an isolate may reuse a catalog entry, in ms (default 5000; 0 reads D1 per request). */
	CATALOG_CACHE_MS?: string;
	/** Origins allowed to call /v1 from a browser ("*" or a comma-separated list); unset: none. */
	CORS_ORIGINS?: string;
	/** The same for /admin, separately; unset: none. */
	ADMIN_CORS_ORIGINS?: string;
	MAX_MESSAGES?: string;
	MAX_IMAGES?: string;
	MAX_IMAGE_BYTES?: string;
	MAX_EMBEDDING_INPUTS?: string;
	/** "abort" (default): stop the upstream when the client leaves; "drain": read it to the end for exact usage. */
	ON_CLIENT_DISCONNECT?: string;
	UPSTREAM_FIRST_BYTE_TIMEOUT_MS?: string;
	UPSTREAM_IDLE_TIMEOUT_MS?: string;
	UPSTREAM_MAX_RETRIES?: string;
	UPSTREAM_MAX_RETRY_WAIT_MS?: string;
	UPSTREAM_RETRY_BASE_MS?: string;
	/** "on": one log line per chat request (ids, numbers, codes) for `wrangler tail`. */
	LOG_REQUESTS?: string;
	/** Days to keep generated images; unset keeps them forever. */
	IMAGE_RETENTION_DAYS?: string;
	/** Days to keep usage rows; unset keeps them forever. */
	USAGE_RETENTION_DAYS?: string;
	/** Days to keep stored Responses API responses (store: true); unset keeps them forever. */
	RESPONSE_RETENTION_DAYS?: string;
	/** Secrets of extra providers are looked up by the name their entry gives. */
	[secret: string]: unknown;
}

export type AppEnv = {
	Bindings: Env;
	Variables: {
		gateId: string;
		startedAt: number;
		apiKey: import("./auth/key-record").KeyRecord;
	};
};
