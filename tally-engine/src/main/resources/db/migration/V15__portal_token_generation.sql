-- Each customer's portal-token generation: tokens carry the generation they were issued under and are refused
-- once it has moved on (POST /v1/customers/{id}/portal-tokens/revoke increments it).
ALTER TABLE customers ADD COLUMN portal_token_generation BIGINT NOT NULL DEFAULT 0;
