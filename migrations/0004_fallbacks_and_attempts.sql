-- Fallback models per catalog entry, and the attempts behind each request's usage row.

-- JSON array of model ids tried, in order, when this model fails (429, 5xx, timeout) and the request
-- names no `models` list of its own.
ALTER TABLE models ADD COLUMN fallbacks TEXT NOT NULL DEFAULT '[]';

-- JSON array of {model, status, code, ms}: every upstream try of the request, retries and fallbacks included.
ALTER TABLE usage ADD COLUMN attempts TEXT NOT NULL DEFAULT '[]';
