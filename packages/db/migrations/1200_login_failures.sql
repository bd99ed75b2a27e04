-- Failed sign-ins for e-mail addresses that have no account (issue 13, finding 8). Accounts count
-- their failures on users.failed_logins; without this table an unknown address answered 401
-- forever while a known one was locked after six failures, which told an attacker which
-- addresses are customers. Only a keyed hash of the address is stored, never the address.

CREATE TABLE login_failures (
  email_key      bytea PRIMARY KEY,
  failed_logins  integer NOT NULL DEFAULT 0,
  locked_until   timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_updated_idx ON login_failures (updated_at);
