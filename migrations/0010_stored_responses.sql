-- Responses API responses kept for GET/DELETE /v1/responses/{id}, /v1/responses/{id}/input_items and
-- previous_response_id (store: true, the default). Scoped to the key that made them: every read names
-- the key. Times are Unix milliseconds. Rows older than RESPONSE_RETENTION_DAYS are removed with their
-- R2 objects (src/stored-responses/retention.ts); unset means keep forever.

CREATE TABLE stored_responses (
	-- The gateway's response id (resp_…), the one the client holds.
	id TEXT PRIMARY KEY,
	key_id TEXT NOT NULL,
	-- The catalog id of the model that answered.
	model TEXT NOT NULL,
	-- The upstream's own id when the upstream stored the response itself (OpenAI pass-through), so a
	-- follow-up can name it there; NULL for translated models.
	upstream_id TEXT,
	-- The gateway id this response continued; the chain is followed for the conversation.
	previous_response_id TEXT,
	-- JSON: the request's input items as the client sent them (a string input as one user message),
	-- the output items, and the whole response object as returned to the client.
	input TEXT,
	output TEXT,
	response TEXT,
	-- Set when the three bodies were too large for a row: they live in R2 under this key as one JSON
	-- object {input, output, response}, and the three columns above are NULL.
	r2_key TEXT UNIQUE,
	created_at INTEGER NOT NULL
);

-- A key's responses (its chains and, later, a listing); expiry, oldest first; and the few expired rows
-- whose bodies are in R2, which expiry deletes apart from the rest (their objects go first).
CREATE INDEX stored_responses_by_key ON stored_responses (key_id, created_at);
CREATE INDEX stored_responses_by_time ON stored_responses (created_at);
CREATE INDEX stored_responses_in_r2_by_time ON stored_responses (created_at) WHERE r2_key IS NOT NULL;
