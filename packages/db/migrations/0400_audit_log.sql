-- Audit log (issue 9): who did what, when, from where, to what. Append-only: the application can
-- insert entries and read them, never change or remove them (triggers below reject UPDATE,
-- DELETE and TRUNCATE for every role that does not first drop the trigger, which needs the table
-- owner and is itself visible in the PostgreSQL log).
-- Entries carry ids, never personal data (no e-mails or names in `details`): an account deletion
-- anonymises the users row and the log stays meaningful without being rewritten.

CREATE TABLE audit_log (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  -- dotted verb: auth.login, auth.login_failed, user.role_changed, product.published, order.status_changed…
  action    text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' AND length(action) <= 64),
  -- the signed-in user who acted; NULL for anonymous actions (failed sign-in) and system jobs.
  -- No foreign key: entries must outlive what they describe, and a cascading delete would be a change.
  actor_id  bigint,
  -- 'system' for scheduled jobs (backups), 'user' for people
  actor_type text NOT NULL DEFAULT 'user' CHECK (actor_type IN ('user', 'system')),
  ip        inet,
  -- what was acted on, as kind:id (order:123, user:45, product:9, backup:2026-11-25)
  target    text CHECK (target IS NULL OR (length(target) <= 200 AND target ~ '^[a-z_]+:')),
  details   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_log_target_idx ON audit_log (target, at DESC) WHERE target IS NOT NULL;

CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change();
