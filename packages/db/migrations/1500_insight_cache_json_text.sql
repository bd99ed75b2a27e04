-- Cached dashboard answers are sent to the browser as the stored text, byte for byte (issue 20:
-- no parse + re-serialise per request). `json` keeps the text exactly as written; `jsonb` would
-- re-order keys and add spaces. Existing entries keep their (jsonb-normalised) text.
ALTER TABLE insight_cache ALTER COLUMN result TYPE json USING result::json;
