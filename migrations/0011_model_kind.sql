-- What a catalog model answers: 'chat' (chat, Messages and Responses requests), 'image' (a chat model
-- whose answers draw pictures, served through the same APIs) or 'embeddings' (POST /v1/embeddings
-- only). A request for the other kind is refused with 400 model_not_supported.
ALTER TABLE models ADD COLUMN kind TEXT NOT NULL DEFAULT 'chat';

UPDATE models SET kind = 'image' WHERE id = 'google/gemini-2.5-flash-image';

-- Embeddings models, priced per million input tokens (they have no output), as published on
-- https://platform.openai.com/docs/pricing and https://ai.google.dev/gemini-api/docs/pricing when this
-- migration was written; adjust with PUT /admin/models/<provider>/<name>.
INSERT OR IGNORE INTO models
	(id, provider, upstream_model, enabled, input_price, output_price, cached_input_price, max_output_tokens, capabilities, created_at, updated_at, kind)
VALUES
	('openai/text-embedding-3-small', 'openai', 'text-embedding-3-small', 1, 0.02, 0, NULL, 8192, '{"vision":false,"tools":false,"json":false,"image_output":false}', 0, 0, 'embeddings'),
	('openai/text-embedding-3-large', 'openai', 'text-embedding-3-large', 1, 0.13, 0, NULL, 8192, '{"vision":false,"tools":false,"json":false,"image_output":false}', 0, 0, 'embeddings'),
	('google/gemini-embedding-001', 'google', 'gemini-embedding-001', 1, 0.15, 0, NULL, 2048, '{"vision":false,"tools":false,"json":false,"image_output":false}', 0, 0, 'embeddings');
