-- Moving in from the old shop (issue 10): which web server log files were imported, so that
-- importing the same file again adds nothing.

CREATE TABLE access_log_imports (
  -- SHA-256 of the file's bytes as read (compressed files: of the decompressed lines)
  content_hash   text PRIMARY KEY CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  file_name      text NOT NULL,
  format         text NOT NULL CHECK (format IN ('combined', 'json')),
  status         text NOT NULL CHECK (status IN ('importing', 'done')),
  lines          bigint NOT NULL DEFAULT 0,
  events         bigint NOT NULL DEFAULT 0,
  page_requests  bigint NOT NULL DEFAULT 0,
  malformed      bigint NOT NULL DEFAULT 0,
  first_event_at timestamptz,
  last_event_at  timestamptz,
  imported_by    text,
  started_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);
