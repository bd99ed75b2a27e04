/**
 * Every environment variable Threadline reads, in one table: its section of the configuration
 * tree, its kind, its default and what it does. `loadConfig` reads only names listed here (it
 * throws on any other), the README's configuration table and `threadline config` are generated
 * from it, and a test fails when an entry is listed but never read.
 *
 * HOW TO ADD A VARIABLE
 * 1. Add an entry below (name, section, kind, default, doc; bounds for numbers).
 * 2. Add the field to its section in `config.ts` (`Config`) and read it in `loadConfig` with the
 *    reader of its kind (`read.number('THREADLINE_…')`).
 * 3. Use it as `config.<section>.<field>` in the app that builds the resource, and hand the value
 *    down; libraries take options, never `process.env`.
 * 4. `npm run docs:config` rewrites the README table.
 */

export type VariableKind = 'string' | 'path' | 'port' | 'integer' | 'number' | 'boolean' | 'url' | 'time-zone' | 'enum' | 'secret' | 'list';

export interface VariableSpec {
  name: string;
  section: string;
  kind: VariableKind;
  /** Default as written in the environment; undefined = unset (the doc says what unset means). */
  default: string | undefined;
  doc: string;
  min?: number;
  max?: number;
  values?: readonly string[];
}

function v(name: string, section: string, kind: VariableKind, defaultValue: string | undefined, doc: string, extra: Partial<VariableSpec> = {}): VariableSpec {
  return { name, section, kind, default: defaultValue, doc, ...extra };
}

export const VARIABLES: readonly VariableSpec[] = [
  // the installation
  v('THREADLINE_DATA_DIR', 'core', 'path', 'var', 'all local state: pg/, spool/, lake/, uploads/, backups/, secrets.json (layout: `config.paths`); for root in a checkout under a private directory such as /root, /var/lib/threadline/<checkout id> (the postgres user cannot enter /root)'),
  v('THREADLINE_TIME_ZONE', 'core', 'time-zone', 'America/New_York', "the shop's time zone: schedules, dashboards, \"today\""),
  v('THREADLINE_CURRENCY', 'core', 'string', 'USD', 'ISO 4217 currency of every price (amounts in minor units)'),
  v('THREADLINE_DEMO', 'core', 'boolean', '1', '0 disables demo data and demo accounts'),
  v('THREADLINE_SEED', 'core', 'integer', '42', 'seed number of the deterministic demo data'),
  v('THREADLINE_DEMO_EVENTS', 'core', 'integer', '1000000', 'demo web events `threadline seed` writes into the lake', { min: 1, max: 50_000_000 }),
  v('NODE_ENV', 'core', 'string', 'development', '`test` in the test runner (quiet logs, no scheduled backups)'),
  v('LOG_LEVEL', 'core', 'enum', 'info', 'log level of every process', { values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
  v('THREADLINE_LOG_FORMAT', 'core', 'enum', 'json', '`pretty` for human-readable logs (the launcher sets it on a terminal)', { values: ['json', 'pretty'] }),
  // tiers and ports
  v('PORT', 'http', 'port', '8080', 'web tier port (the shop URL); the API listens on PORT+1, the worker on PORT+2'),
  v('THREADLINE_API_PORT', 'http', 'port', undefined, 'API port (default PORT+1)'),
  v('THREADLINE_WORKER_PORT', 'http', 'port', undefined, "worker's /healthz, /readyz and /metrics port (default PORT+2)"),
  v('THREADLINE_HOST', 'http', 'string', '127.0.0.1', 'interface the tiers listen on'),
  v('THREADLINE_API_URL', 'http', 'url', undefined, 'URL the web tier forwards /api and /collect to (default the local API)'),
  v('THREADLINE_API_URLS', 'http', 'list', undefined, 'every API the web tier balances over (comma-separated URLs); default THREADLINE_API_URL'),
  v('THREADLINE_API_SOCKET', 'http', 'path', undefined, 'Unix socket the API listens on besides its port (absolute path, owner-only; set by `npm start` under <data dir>/run/): the web tier on the same host reaches it without the loopback TCP stack'),
  v('THREADLINE_API_SOCKETS', 'http', 'list', undefined, 'Unix sockets the web tier reaches the APIs of THREADLINE_API_URLS through, one per URL in the same order (an empty entry: that API over TCP); set by `npm start` for the replicas it runs on this host'),
  v('THREADLINE_API_DRAIN_MS', 'http', 'integer', '0', 'on SIGTERM an API replica fails /readyz this long before it stops listening (set by the launcher)', { min: 0, max: 600_000 }),
  v('THREADLINE_API_REPLICAS', 'http', 'integer', '2', 'API processes `npm start` runs behind the web tier', { min: 1, max: 8 }),
  v('THREADLINE_PUBLIC_URL', 'http', 'url', undefined, "the shop's address as customers reach it (links in e-mails, canonical links, sitemap); default http://localhost:PORT"),
  v('THREADLINE_METRICS_TOKEN', 'http', 'secret', undefined, 'bearer token for /metrics; unset = only loopback and private addresses may scrape'),
  v('THREADLINE_LIST_CACHE_MS', 'http', 'integer', '2000', 'how long the API keeps a product-list page or a published product page in memory; for one more such time an expired page is served while one refill runs (0 = off)', { min: 0, max: 600_000 }),
  v('THREADLINE_SESSION_CACHE_MS', 'http', 'integer', '5000', 'how long an API process reuses a session it read from PostgreSQL (a shopper\'s cart, order and payment read it once); sign-out, password and role changes made through that process apply at once, made elsewhere within this time (0 = read every request)', { min: 0, max: 60_000 }),
  v('THREADLINE_WEB_CACHE_MS', 'http', 'integer', '2000', "longest the web tier keeps an anonymous public GET answer (what the API's Cache-Control s-maxage allows; never with a session cookie) (0 = off)", { min: 0, max: 60_000 }),
  // database
  v('DATABASE_URL', 'database', 'url', undefined, 'any PostgreSQL 15+ server instead of the embedded one'),
  v('THREADLINE_PG_PORT', 'database', 'port', '15432', 'port of the embedded cluster (loopback only; a free one is recorded in the data dir when taken)'),
  v('THREADLINE_DB_POOL_MAX', 'database', 'integer', '0', 'database connections per API process; 0 = 4 per CPU core (on a 2-core host 8: more connections than the cores can run only queue inside PostgreSQL)', { min: 0, max: 500 }),
  v('THREADLINE_DB_STANDBY', 'database', 'enum', 'off', '`on`: `npm start` keeps a streaming hot standby of the embedded cluster (synchronous) and fails over to it when the primary dies; needs pg_basebackup (Debian postgresql-client-15)', { values: ['on', 'off'] }),
  // secrets (generated once into secrets.json when unset)
  v('THREADLINE_SESSION_SECRET', 'secrets', 'secret', undefined, 'signs session ids and CSRF tokens'),
  v('THREADLINE_PSEUDONYM_KEY', 'secrets', 'secret', undefined, 'keyed hash of customer ids in the lake'),
  v('THREADLINE_PAYMENT_WEBHOOK_SECRET', 'secrets', 'secret', undefined, 'HMAC key of payment webhooks'),
  v('THREADLINE_PG_PASSWORD', 'secrets', 'secret', undefined, 'password of the embedded PostgreSQL superuser'),
  v('THREADLINE_PG_REPLICATION_PASSWORD', 'secrets', 'secret', undefined, 'password of the replication role the embedded standby streams as'),
  // e-mail
  v('SMTP_URL', 'mail', 'url', undefined, "SMTP server for the shop's e-mail (smtp://user:pass@host:587); unset = mails stay in the outbox"),
  v('THREADLINE_MAIL_FROM', 'mail', 'string', 'Threadline <shop@threadline.localhost>', "sender of the shop's e-mail"),
  // notices
  v('SLACK_WEBHOOK_URL', 'notices', 'url', undefined, 'Slack incoming webhook for notices; unset = notices are logged'),
  // DuckDB (one policy for every lake query)
  v('THREADLINE_DUCKDB_THREADS', 'duckdb', 'integer', '2', 'threads of each DuckDB database (dashboards, pipeline, delivery)', { min: 1, max: 64 }),
  v('THREADLINE_DUCKDB_MEMORY', 'duckdb', 'string', '2GB', 'memory cap of each DuckDB database (spills to disk above it)'),
  // clickstream
  v('THREADLINE_COLLECT_MAX_EVENTS', 'clickstream', 'integer', '500', 'events in one /collect batch; more → 413', { min: 1, max: 10_000 }),
  v('THREADLINE_COLLECT_MAX_KB', 'clickstream', 'integer', '1024', 'largest /collect body in KiB; larger → 413', { min: 1, max: 65_536 }),
  v('THREADLINE_COLLECT_RATE', 'clickstream', 'number', '2000', 'events per second per client (0 = unlimited); a tier\'s own batches (the web access log) are not limited', { min: 0, max: 1e9 }),
  v('THREADLINE_COLLECT_BURST', 'clickstream', 'number', '10000', 'burst allowance of the per-client event rate', { min: 1, max: 1e9 }),
  v('THREADLINE_COLLECT_MAX_AGE_HOURS', 'clickstream', 'number', '168', 'events older than this are rejected one by one', { min: 1, max: 8760 }),
  v('THREADLINE_COLLECT_MAX_FUTURE_SECONDS', 'clickstream', 'number', '600', 'events further in the future are rejected one by one', { min: 0, max: 86_400 }),
  v('THREADLINE_COLLECT_WORKERS', 'clickstream', 'integer', undefined, 'worker threads per API process that parse and validate /collect bodies beside the request thread, started by the first /collect; unset = one per CPU core, at most 4 (0 = none: all in the request thread)', { min: 0, max: 16 }),
  v('THREADLINE_SPOOL_MAX_MB', 'clickstream', 'number', '1024', 'spool backlog at which /collect answers 503', { min: 1, max: 1_048_576 }),
  v('THREADLINE_FLUSH_SECONDS', 'clickstream', 'number', '60', 'delivery flushes the spool into the lake at least this often', { min: 0.1, max: 86_400 }),
  v('THREADLINE_FLUSH_MAX_MB', 'clickstream', 'number', '64', 'delivery flushes as soon as this much is pending', { min: 1, max: 4096 }),
  v('THREADLINE_COMPACT_AFTER_MINUTES', 'clickstream', 'number', '10', 'an hour partition is compacted this long after the hour ends', { min: 0, max: 1440 }),
  v('THREADLINE_COMPACT_MEMORY', 'clickstream', 'string', '192MB', "memory cap of the worker's compaction (and hour rollup) DuckDB, at least 128MB (e.g. 256MB, 1GB); it spills under the delivery state directory above it, so this bounds what compacting an hour adds to the worker's memory (docs/clickstream.md)"),
  v('THREADLINE_STREAM', 'clickstream', 'enum', 'spool', '`kinesis` sends events to a Kinesis stream instead of the local spool', { values: ['spool', 'kinesis'] }),
  v('THREADLINE_KINESIS_STREAM', 'clickstream', 'string', undefined, 'Kinesis stream name (required with THREADLINE_STREAM=kinesis)'),
  v('THREADLINE_KINESIS_ENDPOINT', 'clickstream', 'url', undefined, 'Kinesis endpoint (tests, LocalStack); default AWS'),
  // the lake
  v('THREADLINE_LAKE_S3_BUCKET', 'lake', 'string', undefined, 'keep the lake in this S3 bucket instead of <data dir>/lake'),
  v('THREADLINE_LAKE_S3_PREFIX', 'lake', 'string', 'lake/', 'key prefix of the lake inside the bucket'),
  v('THREADLINE_S3_ENDPOINT', 'lake', 'url', undefined, 'S3-compatible endpoint (MinIO, tests); default AWS'),
  // pipeline
  v('THREADLINE_PIPELINE_CRON', 'pipeline', 'string', '0 2 * * *', 'nightly pipeline schedule in the shop time zone; `off` = manual runs only'),
  v('THREADLINE_PIPELINE_RETRIES', 'pipeline', 'integer', '2', 'retries of a failed step', { min: 0, max: 20 }),
  v('THREADLINE_PIPELINE_BACKOFF_SECONDS', 'pipeline', 'number', '30', 'first retry delay (doubles each retry)', { min: 0, max: 86_400 }),
  v('THREADLINE_PIPELINE_STEP_TIMEOUT_MINUTES', 'pipeline', 'number', '30', 'longest a step may run', { min: 0.01, max: 1440 }),
  v('THREADLINE_PIPELINE_POLL_SECONDS', 'pipeline', 'number', '5', 'how often the worker looks for runs queued through the API', { min: 0.1, max: 3600 }),
  // housekeeping
  v('THREADLINE_ABANDONED_CART_DAYS', 'housekeeping', 'number', '30', 'anonymous carts untouched this long are deleted', { min: 1, max: 3650 }),
  // edge: WAF, rate limits, TLS, CORS (parsed by packages/edge)
  v('THREADLINE_WAF_MODE', 'edge', 'enum', 'block', 'in-process WAF: block, detect (log only) or off', { values: ['block', 'detect', 'off'] }),
  v('THREADLINE_WAF_BLOCK_SCORE', 'edge', 'integer', '5', 'anomaly score at which a request is blocked', { min: 1, max: 1000 }),
  v('THREADLINE_WAF_MAX_BODY_BYTES', 'edge', 'integer', String(25 * 1024 * 1024), 'largest request body', { min: 1 }),
  v('THREADLINE_WAF_MAX_URL_LENGTH', 'edge', 'integer', '4096', 'longest URL', { min: 1 }),
  v('THREADLINE_WAF_MAX_HEADERS', 'edge', 'integer', '100', 'most request headers', { min: 1 }),
  v('THREADLINE_WAF_MAX_HEADER_BYTES', 'edge', 'integer', '8192', 'largest header block', { min: 1 }),
  v('THREADLINE_RATE_LIMIT_PER_MIN', 'edge', 'integer', '1200', 'API requests per minute per client address', { min: 0 }),
  v('THREADLINE_RATE_LIMIT_ACCOUNT_PER_MIN', 'edge', 'integer', '1200', 'API requests per minute per signed-in account', { min: 0 }),
  v('THREADLINE_RATE_LIMIT_LOGIN_PER_MIN', 'edge', 'integer', '30', 'login attempts per minute per client address', { min: 0 }),
  v('THREADLINE_RATE_LIMIT_LOGIN_ACCOUNT_PER_MIN', 'edge', 'integer', '10', 'login attempts per minute per account', { min: 0 }),
  v('THREADLINE_RATE_LIMIT_SIGNUP_PER_HOUR', 'edge', 'integer', '20', 'sign-ups per hour per client address', { min: 0 }),
  v('THREADLINE_RATE_LIMIT_COLLECT_PER_MIN', 'edge', 'integer', '600', '/collect batches per minute per client address (not a tier\'s own batches)', { min: 0 }),
  v('THREADLINE_TRUSTED_PROXIES', 'edge', 'list', '127.0.0.1,::1', 'proxies (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For is believed'),
  v('THREADLINE_CORS_ORIGINS', 'edge', 'list', undefined, 'exact origins allowed to call the API cross-origin (comma-separated); unset = none'),
  v('THREADLINE_TLS_CERT', 'edge', 'path', undefined, 'PEM certificate: the web tier serves HTTPS (with THREADLINE_TLS_KEY)'),
  v('THREADLINE_TLS_KEY', 'edge', 'path', undefined, 'PEM private key of THREADLINE_TLS_CERT'),
  v('THREADLINE_HTTP_REDIRECT_PORT', 'edge', 'port', undefined, 'with TLS: a plain-HTTP port that redirects to HTTPS'),
  v('THREADLINE_HSTS_MAX_AGE', 'edge', 'integer', '31536000', 'Strict-Transport-Security max-age in seconds (HTTPS only)', { min: 0 }),
  v('THREADLINE_BEHIND_TLS_PROXY', 'edge', 'boolean', '0', '1 when a TLS-terminating proxy (ALB, nginx) is in front: secure cookies, HSTS'),
  // backups (parsed by packages/ops)
  v('THREADLINE_BACKUP_SCHEDULE', 'backup', 'enum', undefined, 'on/off for the daily backup (default on, off under NODE_ENV=test)', { values: ['on', 'off'] }),
  v('THREADLINE_BACKUP_AT', 'backup', 'string', '02:00', 'time of the daily backup in the shop time zone (HH:MM)'),
  v('THREADLINE_BACKUP_RETENTION_DAYS', 'backup', 'integer', '7', 'days of backups and WAL kept for point-in-time restore', { min: 1 }),
  v('THREADLINE_BACKUP_OFFSITE_PATH', 'backup', 'path', undefined, 'second (off-site) repository, encrypted (default <data dir>/backups/offsite)'),
  v('THREADLINE_BACKUP_PASSPHRASE', 'backup', 'secret', undefined, 'passphrase of the off-site repository (default generated into the data dir)'),
  v('THREADLINE_BACKUP_PG_PATH', 'backup', 'path', undefined, "with DATABASE_URL: the database server's data directory (run on that host)"),
  v('THREADLINE_BACKUP_PG_SOCKET', 'backup', 'path', '/var/run/postgresql', "with DATABASE_URL: the database server's socket directory"),
  // monitoring (parsed by packages/ops)
  v('THREADLINE_MONITORING', 'monitoring', 'enum', 'on', '`off`: no Prometheus/Alertmanager next to the shop (/metrics stays)', { values: ['on', 'off'] }),
  v('THREADLINE_PROMETHEUS_PORT', 'monitoring', 'port', '9090', 'port of the local Prometheus'),
  v('THREADLINE_ALERTMANAGER_PORT', 'monitoring', 'port', '9093', 'port of the local Alertmanager'),
  v('THREADLINE_PROMETHEUS_URL', 'monitoring', 'url', undefined, 'Prometheus the System page asks (default the local one)'),
  v('THREADLINE_RUNBOOK_BASE_URL', 'monitoring', 'url', undefined, 'base URL of the runbooks linked from alerts'),
];

const BY_NAME = new Map(VARIABLES.map((spec) => [spec.name, spec]));

/** The spec of a variable; throws for a name not in the table (every variable must be documented). */
export function variable(name: string): VariableSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new Error(`${name} is not in VARIABLES (packages/config/src/variables.ts): add it there with its default and doc`);
  return spec;
}
