-- Round-trip state a provider needs back on a later turn, as JSON keyed by protocol
-- ({"gemini":{"thoughtSignature":"…"}}): the next provider with such state adds a key, not a column.
-- Replaces images.thought_signature (0007); every signature moves into the new column first.
ALTER TABLE images ADD COLUMN provider_metadata TEXT;
UPDATE images
SET provider_metadata = json_object('gemini', json_object('thoughtSignature', thought_signature))
WHERE thought_signature IS NOT NULL;
ALTER TABLE images DROP COLUMN thought_signature;

-- An assistant turn's provider metadata (Claude's signed thinking before its tool calls), found again
-- by the id of the turn's first tool call when the client sends the tool results back. Scoped to the
-- key that made the turn. Rows expire after 30 days (src/turn-state/store.ts).
CREATE TABLE turn_state (
	key_id TEXT NOT NULL,
	tool_call_id TEXT NOT NULL,
	provider_metadata TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (key_id, tool_call_id)
) WITHOUT ROWID;
CREATE INDEX turn_state_by_age ON turn_state (created_at);
