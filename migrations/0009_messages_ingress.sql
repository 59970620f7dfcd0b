-- The Anthropic Messages ingress (POST /v1/messages) beside Chat Completions, and the price of prompt-cache
-- writes, which Claude bills above the input price.

-- The public API the request came through: 'chat' (POST /v1/chat/completions) or 'messages'
-- (POST /v1/messages). Every row written before this migration came through chat.
ALTER TABLE usage ADD COLUMN ingress TEXT NOT NULL DEFAULT 'chat';

-- Prompt tokens written to the provider's prompt cache (Anthropic's cache_creation_input_tokens), billed at
-- the model's cache_write_price. Included in prompt_tokens, as cached_tokens (the cache reads) are.
ALTER TABLE usage ADD COLUMN cache_creation_tokens INTEGER NOT NULL DEFAULT 0;

-- USD per million cache-write tokens; NULL means the input price (providers that bill no extra for writes).
ALTER TABLE models ADD COLUMN cache_write_price REAL;
-- USD per million tokens written to a 1-hour cache (Anthropic's cache_control ttl "1h", reported as
-- usage.cache_creation.ephemeral_1h_input_tokens), which Claude bills above 5-minute writes; NULL means
-- cache_write_price.
ALTER TABLE models ADD COLUMN cache_write_1h_price REAL;

-- The seeded Claude models' 5-minute cache-write price, 1.25 × input, and 1-hour one, 2 × input, as published at
-- https://docs.anthropic.com/en/docs/about-claude/pricing when this migration was written. Only rows
-- whose prices are still the seed's (0003_seed_models.sql): an operator's edit wins.
UPDATE models SET cache_write_price = 6.25, cache_write_1h_price = 10
WHERE id = 'anthropic/claude-opus-4-5' AND input_price = 5 AND output_price = 25 AND cached_input_price = 0.5;
UPDATE models SET cache_write_price = 3.75, cache_write_1h_price = 6
WHERE id = 'anthropic/claude-sonnet-4-5' AND input_price = 3 AND output_price = 15 AND cached_input_price = 0.3;
UPDATE models SET cache_write_price = 1.25, cache_write_1h_price = 2
WHERE id = 'anthropic/claude-haiku-4-5' AND input_price = 1 AND output_price = 5 AND cached_input_price = 0.1;
