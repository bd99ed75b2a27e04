-- Marketing insight dashboards (issue 6): materialised aggregates (the SPICE part) and the
-- costs the marketing team enters per offline ad channel.

CREATE TABLE insight_cache (
  dashboard      text NOT NULL,
  -- canonical JSON of the query parameters (window + filters)
  params_key     text NOT NULL,
  params         jsonb NOT NULL,
  result         jsonb NOT NULL,
  -- fingerprint of the lake files (and costs) the result was computed from: a different
  -- fingerprint means newer data, so the entry is stale
  data_version   text NOT NULL,
  -- materialised: computed after a pipeline run or "refresh now"; live: remembered from a request
  source         text NOT NULL CHECK (source IN ('materialised', 'live')),
  as_of          timestamptz,
  computed_at    timestamptz NOT NULL DEFAULT now(),
  computation_ms integer NOT NULL CHECK (computation_ms >= 0),
  PRIMARY KEY (dashboard, params_key)
);
CREATE INDEX insight_cache_computed_idx ON insight_cache (computed_at);

CREATE TABLE ad_channel_costs (
  -- first day of the month the spend belongs to
  month       date NOT NULL CHECK (extract(day FROM month) = 1),
  channel     text NOT NULL CHECK (channel ~ '^[a-z][a-z_]{1,40}$'),
  cost_cents  bigint NOT NULL CHECK (cost_cents >= 0 AND cost_cents <= 100000000000),
  note        text CHECK (length(note) <= 500),
  updated_by  bigint REFERENCES users (id) ON DELETE SET NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (month, channel)
);
