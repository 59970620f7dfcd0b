-- 1 when completion_tokens is the gateway's estimate (the client left before the provider reported usage).
ALTER TABLE usage ADD COLUMN estimated INTEGER NOT NULL DEFAULT 0;
