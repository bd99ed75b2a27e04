-- Imported customers have no password (issue 10): an admin issues a one-time token with which the
-- customer sets one. Only the token's SHA-256 is stored.

CREATE TABLE account_claim_tokens (
  token_hash  bytea PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  issued_by   bigint REFERENCES users (id) ON DELETE SET NULL,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_claim_tokens_user_idx ON account_claim_tokens (user_id);
