import os from 'node:os';
import path from 'node:path';

import { ConfigError } from './errors.js';
import { defaultDataDir } from './default-data-dir.js';
import { dataDirLayout, type DataDirLayout } from './layout.js';
import { readRecordedPorts } from './ports.js';
import { readEdgeConfig, type EdgeConfig } from './edge.js';
import { readers, type Env } from './readers.js';

/**
 * The configuration tree of a Threadline process, read once on entry (`loadConfig`) and handed
 * down: apps build resources from it, libraries receive the values they need as options.
 * Every variable, with its default and doc, is in `variables.ts` — to add one, follow the note
 * at the top of that file. Every default works on one machine with embedded PostgreSQL.
 */
export interface Config {
  /** Root of all local state; its layout is `paths`. */
  dataDir: string;
  /** Where everything lives under the data directory. */
  paths: DataDirLayout;
  /** Web tier port (the shop URL). */
  webPort: number;
  /** Application tier (API) port. */
  apiPort: number;
  /** Worker's port for /healthz, /readyz and /metrics. */
  workerPort: number;
  /** Port of the embedded PostgreSQL cluster (ignored when DATABASE_URL is set). */
  pgPort: number;
  /** Database connections per API process (THREADLINE_DB_POOL_MAX; 0 in the environment = 4 per CPU core). */
  dbPoolMax: number;
  /** `npm start` keeps a synchronous hot standby of the embedded cluster and fails over to it (THREADLINE_DB_STANDBY=on). */
  dbStandby: boolean;
  prometheusPort: number;
  alertmanagerPort: number;
  /** API processes `npm start` runs behind the web tier (THREADLINE_API_REPLICAS, default 2). */
  apiReplicas: number;
  /** On SIGTERM an API replica fails /readyz this long before closing (the launcher sets it). */
  apiDrainMs: number;
  /**
   * Every API the web tier balances over (THREADLINE_API_URLS, comma-separated); defaults to
   * `[apiUrl]`.
   */
  apiUrls: string[];
  /**
   * The Unix socket this API also listens on (THREADLINE_API_SOCKET); undefined: its port only.
   */
  apiSocket: string | undefined;
  /**
   * For each of `apiUrls`, the Unix socket the web tier reaches it through on this host
   * (THREADLINE_API_SOCKETS, same order), or undefined for TCP. The URL stays the replica's name in
   * logs and metrics and the address everything else (pages, worker, Prometheus) uses.
   */
  apiSockets: Array<string | undefined>;
  /** Interface the tiers listen on. */
  host: string;
  /** URL the web tier forwards /api and /collect to. */
  apiUrl: string;
  /** Bearer token for /metrics; undefined = only loopback and private addresses may scrape. */
  metricsToken: string | undefined;
  /** How long the API keeps a product-list page or a published product page (ms; 0 = off). */
  listCacheMs: number;
  /** How long an API process answers from a session it read without reading it again (ms; 0 = off). */
  sessionCacheMs: number;
  /** Longest the web tier serves an anonymous public GET from its own short cache (ms; 0 = off). */
  webCacheMs: number;
  /** External PostgreSQL; undefined means the embedded cluster under dataDir/pg. */
  databaseUrl: string | undefined;
  /** IANA time zone of the shop: schedules and dashboards are expressed in it. */
  shopTimeZone: string;
  /** ISO 4217 currency of all prices (minor units). */
  currency: string;
  /** The shop's address as customers reach it (links in e-mails, canonical links, sitemap). */
  publicUrl: string;
  /** SMTP server for the shop's e-mail (smtp://user:pass@host:587); undefined: mails stay in the outbox. */
  smtpUrl: string | undefined;
  /** Sender of the shop's e-mail. */
  mailFrom: string;
  /** Slack incoming webhook; undefined means notices are logged only. */
  slackWebhookUrl: string | undefined;
  logLevel: string;
  /** Pretty, human logs (the launcher sets this when it writes to a terminal). */
  isPrettyLog: boolean;
  /** Demo mode: demo accounts exist and are printed at start. */
  isDemo: boolean;
  /** Seed number for deterministic demo data. */
  seed: number;
  /** Demo web events `threadline seed` writes. */
  demoEvents: number;
  nodeEnv: string;
  /** Caps of every DuckDB database (the lake's one policy). */
  duckdb: { threads: number; memoryLimit: string };
  clickstream: ClickstreamConfig;
  /** The lake on S3 instead of `paths.lake` (bucket set). */
  lakeS3: { bucket: string | undefined; prefix: string; endpoint: string | undefined };
  pipeline: PipelineConfig;
  housekeeping: { abandonedCartMs: number };
  backup: BackupSettings;
  monitoring: MonitoringSettings;
  /** WAF, rate limits, TLS, CORS, trusted proxies: what packages/edge is given. */
  edge: EdgeConfig;
}

/** The backup section: packages/ops turns it into a pgBackRest setup (`resolveBackupConfig`). */
export interface BackupSettings {
  schedule: 'on' | 'off';
  /** HH:MM in the shop's time zone. */
  at: string;
  retentionDays: number;
  /** Second (off-site) repository; undefined = `<data dir>/backups/offsite`. */
  offsitePath: string | undefined;
  /** Passphrase of the repositories; undefined = generated once into the data dir. */
  passphrase: string | undefined;
  /** With DATABASE_URL: the database server's data directory. */
  pgPath: string | undefined;
  /** With DATABASE_URL: the database server's socket directory. */
  pgSocket: string;
}

export interface MonitoringSettings {
  /** false (THREADLINE_MONITORING=off): no Prometheus/Alertmanager next to the shop. */
  isEnabled: boolean;
  /** Prometheus the System page asks; undefined = the local one on `prometheusPort`. */
  prometheusUrl: string | undefined;
  runbookBaseUrl: string | undefined;
}

export interface ClickstreamConfig {
  maxEventsPerBatch: number;
  maxBatchBytes: number;
  ratePerSecond: number;
  rateBurst: number;
  maxAgeMs: number;
  maxFutureMs: number;
  /** Worker threads that parse and validate /collect bodies (0: the request thread does); default one per core, at most COLLECT_WORKERS_MAX. */
  workers: number;
  maxSpoolBytes: number;
  flushSeconds: number;
  flushMaxBytes: number;
  compactAfterMs: number;
  /** DuckDB memory cap of the compaction and hour rollup (THREADLINE_COMPACT_MEMORY), e.g. '256MB'. */
  compactMemoryLimit: string;
  stream: 'spool' | 'kinesis';
  kinesisStream: string | undefined;
  kinesisEndpoint: string | undefined;
}

export interface PipelineConfig {
  /** Cron expression in the shop's time zone (checked by the pipeline package). */
  cron: string;
  /** false: no schedule, only manual/queued runs (THREADLINE_PIPELINE_CRON=off). */
  isScheduled: boolean;
  retries: number;
  backoffMs: number;
  stepTimeoutMs: number;
  pollMs: number;
}

/** Longest Unix socket path Linux takes (sun_path holds 108 bytes with the terminating NUL). */
export const MAX_SOCKET_PATH_BYTES = 107;
/**
 * Most /collect worker threads an API process starts by default: one per core up to this. On a
 * 2-core host one thread left 0.3 of a core idle at full ingest (the thread itself the limit:
 * 125k events/s) and two took 182k (docs/clickstream.md). The request thread, which commits and
 * answers every body, then used 0.4 of a core: past four or five threads it is the limit.
 */
export const COLLECT_WORKERS_MAX = 4;

/** A Unix socket path from `name`: absolute and short enough to bind, or a ConfigError naming the variable. */
function readSocketPath(name: string, value: string | undefined): string | undefined {
  const socketPath = value?.trim();
  if (!socketPath) return undefined;
  if (!path.isAbsolute(socketPath)) throw new ConfigError(name, `expected an absolute path, got "${socketPath}"`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) throw new ConfigError(name, `a Unix socket path is at most ${MAX_SOCKET_PATH_BYTES} bytes, got ${Buffer.byteLength(socketPath)} ("${socketPath}")`);
  return socketPath;
}

/** THREADLINE_API_SOCKETS: one entry per API URL (empty = TCP); none given = TCP for every one. */
function readApiSockets(value: string | undefined, urlCount: number): Array<string | undefined> {
  const name = 'THREADLINE_API_SOCKETS';
  if (value === undefined || value.trim() === '') return Array.from({ length: urlCount }, () => undefined);
  const entries = value.split(',');
  if (entries.length !== urlCount) throw new ConfigError(name, `expected one entry per URL of THREADLINE_API_URLS (${urlCount}), got ${entries.length}`);
  return entries.map((entry) => readSocketPath(name, entry));
}

/**
 * Reads the process configuration from the environment — once, at the edge of a process
 * (`main.ts` of each app, the CLI's runtime); everything below receives it.
 *
 * @example
 * const config = loadConfig(process.env);
 * console.log(config.webPort, config.paths.lake); // 8080 unless PORT is set; <data dir>/lake
 */
export function loadConfig(env: Env = process.env): Config {
  const read = readers(env);
  const webPort = read.optionalPort('PORT') ?? 8080;
  const apiPort = read.optionalPort('THREADLINE_API_PORT') ?? (webPort === 0 ? 0 : webPort + 1);
  const explicitDataDir = env.THREADLINE_DATA_DIR?.trim();
  const dataDir = explicitDataDir
    ? path.resolve(explicitDataDir)
    : defaultDataDir({ cwd: process.cwd(), isRoot: process.getuid?.() === 0, usesEmbeddedDatabase: !env.DATABASE_URL }).dir;
  // ports the launcher found taken and moved are recorded in the data dir, so every process agrees
  const recorded = readRecordedPorts(dataDir);
  // the default sits below the range Linux gives outgoing connections' local ports (32768–60999),
  // where any client could hold it when the cluster starts
  const pgPort = read.optionalPort('THREADLINE_PG_PORT') ?? recorded.pg ?? 15432;
  const apiUrl = read.url('THREADLINE_API_URL') ?? `http://127.0.0.1:${apiPort}`;
  const apiUrls = read.urlList('THREADLINE_API_URLS') ?? [apiUrl];
  const rawCron = read.text('THREADLINE_PIPELINE_CRON').trim();
  const stream = read.choice<'spool' | 'kinesis'>('THREADLINE_STREAM') ?? 'spool';
  const kinesisStream = read.string('THREADLINE_KINESIS_STREAM');
  if (stream === 'kinesis' && !kinesisStream) throw new ConfigError('THREADLINE_KINESIS_STREAM', 'required when THREADLINE_STREAM=kinesis');
  const nodeEnv = read.text('NODE_ENV');
  return {
    dataDir,
    paths: dataDirLayout(dataDir),
    webPort,
    apiPort,
    workerPort: read.optionalPort('THREADLINE_WORKER_PORT') ?? (webPort === 0 ? 0 : webPort + 2),
    pgPort,
    dbPoolMax: read.integer('THREADLINE_DB_POOL_MAX') || 4 * Math.max(1, os.availableParallelism()),
    dbStandby: read.choice<'on' | 'off'>('THREADLINE_DB_STANDBY') === 'on',
    prometheusPort: read.optionalPort('THREADLINE_PROMETHEUS_PORT') ?? recorded.prometheus ?? 9090,
    alertmanagerPort: read.optionalPort('THREADLINE_ALERTMANAGER_PORT') ?? recorded.alertmanager ?? 9093,
    apiReplicas: read.integer('THREADLINE_API_REPLICAS'),
    apiDrainMs: read.integer('THREADLINE_API_DRAIN_MS'),
    apiUrls,
    apiSocket: readSocketPath('THREADLINE_API_SOCKET', read.string('THREADLINE_API_SOCKET')),
    apiSockets: readApiSockets(read.string('THREADLINE_API_SOCKETS'), apiUrls.length),
    host: read.text('THREADLINE_HOST'),
    apiUrl,
    publicUrl: (read.url('THREADLINE_PUBLIC_URL') ?? `http://localhost:${webPort}`).replace(/\/+$/, ''),
    smtpUrl: read.url('SMTP_URL'),
    mailFrom: read.text('THREADLINE_MAIL_FROM'),
    metricsToken: read.string('THREADLINE_METRICS_TOKEN'),
    listCacheMs: read.integer('THREADLINE_LIST_CACHE_MS'),
    sessionCacheMs: read.integer('THREADLINE_SESSION_CACHE_MS'),
    webCacheMs: read.integer('THREADLINE_WEB_CACHE_MS'),
    databaseUrl: read.url('DATABASE_URL'),
    shopTimeZone: read.timeZone('THREADLINE_TIME_ZONE'),
    currency: read.text('THREADLINE_CURRENCY').toUpperCase(),
    slackWebhookUrl: read.url('SLACK_WEBHOOK_URL'),
    logLevel: read.choice('LOG_LEVEL') ?? 'info',
    isPrettyLog: read.choice('THREADLINE_LOG_FORMAT') === 'pretty',
    isDemo: read.boolean('THREADLINE_DEMO'),
    seed: read.integer('THREADLINE_SEED'),
    demoEvents: read.integer('THREADLINE_DEMO_EVENTS'),
    nodeEnv,
    duckdb: { threads: read.integer('THREADLINE_DUCKDB_THREADS'), memoryLimit: read.text('THREADLINE_DUCKDB_MEMORY') },
    clickstream: {
      maxEventsPerBatch: read.integer('THREADLINE_COLLECT_MAX_EVENTS'),
      maxBatchBytes: read.integer('THREADLINE_COLLECT_MAX_KB') * 1024,
      ratePerSecond: read.number('THREADLINE_COLLECT_RATE'),
      rateBurst: read.number('THREADLINE_COLLECT_BURST'),
      maxAgeMs: read.number('THREADLINE_COLLECT_MAX_AGE_HOURS') * 3_600_000,
      maxFutureMs: read.number('THREADLINE_COLLECT_MAX_FUTURE_SECONDS') * 1000,
      // unset: one per core (the threads start with the first /collect), at most COLLECT_WORKERS_MAX
      workers: read.optionalInteger('THREADLINE_COLLECT_WORKERS') ?? Math.min(COLLECT_WORKERS_MAX, Math.max(1, os.availableParallelism())),
      maxSpoolBytes: read.number('THREADLINE_SPOOL_MAX_MB') * 1024 * 1024,
      flushSeconds: read.number('THREADLINE_FLUSH_SECONDS'),
      flushMaxBytes: read.number('THREADLINE_FLUSH_MAX_MB') * 1024 * 1024,
      compactAfterMs: read.number('THREADLINE_COMPACT_AFTER_MINUTES') * 60_000,
      compactMemoryLimit: memorySize('THREADLINE_COMPACT_MEMORY', read.text('THREADLINE_COMPACT_MEMORY')),
      stream,
      kinesisStream,
      kinesisEndpoint: read.url('THREADLINE_KINESIS_ENDPOINT'),
    },
    lakeS3: { bucket: read.string('THREADLINE_LAKE_S3_BUCKET'), prefix: env.THREADLINE_LAKE_S3_PREFIX ?? read.text('THREADLINE_LAKE_S3_PREFIX'), endpoint: read.url('THREADLINE_S3_ENDPOINT') },
    pipeline: {
      cron: rawCron,
      isScheduled: rawCron !== 'off',
      retries: read.integer('THREADLINE_PIPELINE_RETRIES'),
      backoffMs: read.number('THREADLINE_PIPELINE_BACKOFF_SECONDS') * 1000,
      stepTimeoutMs: read.number('THREADLINE_PIPELINE_STEP_TIMEOUT_MINUTES') * 60_000,
      pollMs: read.number('THREADLINE_PIPELINE_POLL_SECONDS') * 1000,
    },
    housekeeping: { abandonedCartMs: read.number('THREADLINE_ABANDONED_CART_DAYS') * 86_400_000 },
    // tests start workers by the dozen on throwaway databases: they opt in to backups explicitly
    backup: {
      schedule: read.choice<'on' | 'off'>('THREADLINE_BACKUP_SCHEDULE') ?? (nodeEnv === 'test' ? 'off' : 'on'),
      at: read.text('THREADLINE_BACKUP_AT'),
      retentionDays: read.integer('THREADLINE_BACKUP_RETENTION_DAYS'),
      offsitePath: read.string('THREADLINE_BACKUP_OFFSITE_PATH'),
      passphrase: read.string('THREADLINE_BACKUP_PASSPHRASE'),
      pgPath: read.string('THREADLINE_BACKUP_PG_PATH'),
      pgSocket: read.text('THREADLINE_BACKUP_PG_SOCKET'),
    },
    monitoring: {
      isEnabled: read.choice<'on' | 'off'>('THREADLINE_MONITORING') !== 'off',
      prometheusUrl: read.url('THREADLINE_PROMETHEUS_URL'),
      runbookBaseUrl: read.url('THREADLINE_RUNBOOK_BASE_URL'),
    },
    edge: readEdgeConfig(read),
  };
}

const MEMORY_SIZE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i;
const MEMORY_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
/** Below this the compaction's sort and its Parquet writer's row group do not fit (it would fail every hour). */
const MIN_COMPACT_MEMORY_BYTES = 128e6;

/** A DuckDB memory size such as `256MB` or `1.5GiB` of at least 128MB, checked here so a typo names its variable. */
function memorySize(name: string, value: string): string {
  const size = value.trim();
  const match = MEMORY_SIZE.exec(size);
  if (!match) throw new ConfigError(name, `expected a memory size such as 256MB or 1GB, got "${value}"`);
  const bytes = Number(match[1]) * (MEMORY_UNITS[(match[2] ?? '').toLowerCase()] ?? 0);
  if (bytes < MIN_COMPACT_MEMORY_BYTES) throw new ConfigError(name, `expected at least 128MB, got "${value}"`);
  return size;
}
