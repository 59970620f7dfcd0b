-- Per-key limits. NULL means no limit of that kind.
ALTER TABLE api_keys ADD COLUMN budget_usd REAL;
-- 'total' (for the key's whole life) or 'monthly' (calendar month, UTC).
ALTER TABLE api_keys ADD COLUMN budget_period TEXT NOT NULL DEFAULT 'total';
ALTER TABLE api_keys ADD COLUMN rpm INTEGER;
ALTER TABLE api_keys ADD COLUMN tpm INTEGER;
