-- API keys: a short lookup prefix (the key's first characters) finds candidate rows; the keyed hash decides.
ALTER TABLE api_keys ADD COLUMN lookup TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
ALTER TABLE api_keys ADD COLUMN rate_per_second INTEGER;
ALTER TABLE api_keys ADD COLUMN rate_burst INTEGER;
CREATE INDEX api_keys_lookup ON api_keys (lookup);
