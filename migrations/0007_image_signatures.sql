-- The thought signature Gemini attached to a generated image, if any: sent back with the image when a
-- later request's history holds it (Gemini 3 image models edit an earlier picture only with it).
ALTER TABLE images ADD COLUMN thought_signature TEXT;
