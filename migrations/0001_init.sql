-- Keys, model catalog and usage. Times are Unix milliseconds.

CREATE TABLE api_keys (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	-- SHA-256 of the whole key, hex. The key itself is never stored.
	key_hash TEXT NOT NULL UNIQUE,
	-- The first characters of the key, so people can tell their keys apart.
	prefix TEXT NOT NULL,
	-- JSON array of model ids the key may use; NULL means every enabled model.
	models TEXT,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
);

CREATE TABLE models (
	-- "provider/name", the id clients send.
	id TEXT PRIMARY KEY,
	provider TEXT NOT NULL,
	upstream_model TEXT NOT NULL,
	enabled INTEGER NOT NULL DEFAULT 1,
	-- USD per million tokens.
	input_price REAL NOT NULL DEFAULT 0,
	output_price REAL NOT NULL DEFAULT 0,
	cached_input_price REAL,
	-- Sent as max_tokens when a client gives none and the provider requires one.
	max_output_tokens INTEGER NOT NULL DEFAULT 8192,
	-- JSON object: {"vision","tools","json","image_output"} booleans.
	capabilities TEXT NOT NULL DEFAULT '{}',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

CREATE TABLE usage (
	-- The request's gate id.
	id TEXT PRIMARY KEY,
	key_id TEXT NOT NULL,
	model TEXT NOT NULL,
	provider TEXT,
	upstream_model TEXT,
	prompt_tokens INTEGER NOT NULL DEFAULT 0,
	completion_tokens INTEGER NOT NULL DEFAULT 0,
	total_tokens INTEGER NOT NULL DEFAULT 0,
	cached_tokens INTEGER NOT NULL DEFAULT 0,
	reasoning_tokens INTEGER NOT NULL DEFAULT 0,
	cost_usd REAL NOT NULL DEFAULT 0,
	-- ok | upstream_error | client_disconnected | rejected
	outcome TEXT NOT NULL,
	status INTEGER NOT NULL,
	error_code TEXT,
	streamed INTEGER NOT NULL DEFAULT 0,
	latency_ms INTEGER NOT NULL,
	ttft_ms INTEGER,
	created_at INTEGER NOT NULL
);

CREATE INDEX usage_by_time ON usage (created_at);
CREATE INDEX usage_by_key ON usage (key_id, created_at);
CREATE INDEX usage_by_model ON usage (model, created_at);
