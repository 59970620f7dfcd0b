-- Default catalog. Prices are USD per million tokens as published by each provider when this
-- migration was written; check them against the provider's price page and adjust with
-- PUT /admin/models/<provider>/<name>. Cached-input prices are the providers' cache-read prices.
INSERT OR IGNORE INTO models
	(id, provider, upstream_model, enabled, input_price, output_price, cached_input_price, max_output_tokens, capabilities, created_at, updated_at)
VALUES
	('openai/gpt-5.5', 'openai', 'gpt-5.5', 1, 1.25, 10, 0.125, 32768, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('openai/gpt-5-mini', 'openai', 'gpt-5-mini', 1, 0.25, 2, 0.025, 32768, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('openai/gpt-4.1-mini', 'openai', 'gpt-4.1-mini', 1, 0.4, 1.6, 0.1, 32768, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('anthropic/claude-opus-4-5', 'anthropic', 'claude-opus-4-5', 1, 5, 25, 0.5, 32000, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('anthropic/claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5', 1, 3, 15, 0.3, 64000, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('anthropic/claude-haiku-4-5', 'anthropic', 'claude-haiku-4-5', 1, 1, 5, 0.1, 64000, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('google/gemini-2.5-pro', 'google', 'gemini-2.5-pro', 1, 1.25, 10, 0.125, 65536, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('google/gemini-2.5-flash', 'google', 'gemini-2.5-flash', 1, 0.3, 2.5, 0.03, 65536, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('google/gemini-3-pro-preview', 'google', 'gemini-3-pro-preview', 1, 2, 12, 0.2, 65536, '{"vision":true,"tools":true,"json":true,"image_output":false}', 0, 0),
	('google/gemini-2.5-flash-image', 'google', 'gemini-2.5-flash-image', 1, 0.3, 30, NULL, 32768, '{"vision":true,"tools":false,"json":false,"image_output":true}', 0, 0);
