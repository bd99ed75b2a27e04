-- Nightly data pipeline (issue 5): run history, step history, data-quality results, watermarks,
-- the lake catalog (the Glue Crawler's Data Catalog) and survey uploads.

CREATE TABLE pipeline_runs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- schedule: the cron trigger; manual: CLI; api: "run now" in the back office; backfill: a date range
  trigger       text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'api', 'backfill')),
  -- queued runs are picked up by the worker; running rows whose lock holder died are marked abandoned
  status        text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'abandoned')),
  -- the partition dates (shop time zone) the run rebuilds; empty = decided by the watermark
  dates         date[] NOT NULL DEFAULT '{}',
  requested_by  bigint REFERENCES users (id) ON DELETE SET NULL,
  current_step  text,
  failed_step   text,
  error         text,
  rows_in       bigint NOT NULL DEFAULT 0,
  rows_out      bigint NOT NULL DEFAULT 0,
  log           jsonb NOT NULL DEFAULT '[]',
  created_at    timestamptz NOT NULL DEFAULT now(),
  started_at    timestamptz,
  finished_at   timestamptz
);
CREATE INDEX pipeline_runs_created_idx ON pipeline_runs (created_at DESC);
CREATE INDEX pipeline_runs_status_idx ON pipeline_runs (status) WHERE status IN ('queued', 'running');

CREATE TABLE pipeline_steps (
  run_id       bigint NOT NULL REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  step         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped')),
  attempts     integer NOT NULL DEFAULT 1,
  rows_in      bigint NOT NULL DEFAULT 0,
  rows_out     bigint NOT NULL DEFAULT 0,
  error        text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  PRIMARY KEY (run_id, step)
);

CREATE TABLE pipeline_quality_results (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id      bigint REFERENCES pipeline_runs (id) ON DELETE CASCADE,
  dataset     text NOT NULL,
  -- staging: before publish; published: after publish, on the files readers see
  phase       text NOT NULL CHECK (phase IN ('staging', 'published')),
  rule_name   text NOT NULL,
  rule_type   text NOT NULL,
  severity    text NOT NULL CHECK (severity IN ('error', 'warn')),
  passed      boolean NOT NULL,
  observed    text,
  expected    text NOT NULL,
  bad_rows    jsonb NOT NULL DEFAULT '[]',
  checked_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pipeline_quality_results_run_idx ON pipeline_quality_results (run_id);

-- Incremental extract: rows updated after the watermark are re-extracted (whole partitions).
CREATE TABLE pipeline_watermarks (
  source      text PRIMARY KEY,
  value       timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lake_tables (
  name            text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]*$'),
  -- lake-relative folder, e.g. curated/sales
  location        text NOT NULL,
  format          text NOT NULL DEFAULT 'parquet',
  columns         jsonb NOT NULL,
  partition_keys  jsonb NOT NULL DEFAULT '[]',
  partition_count integer NOT NULL DEFAULT 0,
  file_count      integer NOT NULL DEFAULT 0,
  row_count       bigint NOT NULL DEFAULT 0,
  size_bytes      bigint NOT NULL DEFAULT 0,
  schema_version  integer NOT NULL DEFAULT 1,
  last_modified   timestamptz,
  registered_at   timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE lake_partitions (
  table_name    text NOT NULL REFERENCES lake_tables (name) ON DELETE CASCADE,
  -- e.g. dt=2026-11-24/hour=13
  path          text NOT NULL,
  "values"      jsonb NOT NULL,
  file_count    integer NOT NULL,
  row_count     bigint NOT NULL,
  size_bytes    bigint NOT NULL,
  last_modified timestamptz NOT NULL,
  PRIMARY KEY (table_name, path)
);

CREATE TABLE lake_schema_changes (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  table_name   text NOT NULL,
  change       text NOT NULL CHECK (change IN ('column_added', 'column_removed', 'type_changed')),
  column_name  text NOT NULL,
  old_type     text,
  new_type     text,
  -- a changed type or a dropped column breaks readers; a new column does not
  is_breaking  boolean NOT NULL,
  detected_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lake_schema_changes_table_idx ON lake_schema_changes (table_name, detected_at DESC);

CREATE TABLE survey_uploads (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  content_hash   text NOT NULL UNIQUE CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  original_name  text NOT NULL,
  stored_path    text NOT NULL,
  parquet_path   text NOT NULL,
  upload_date    date NOT NULL,
  uploaded_by    bigint REFERENCES users (id) ON DELETE SET NULL,
  rows_total     integer NOT NULL,
  rows_accepted  integer NOT NULL,
  rows_rejected  integer NOT NULL,
  report         jsonb NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
