import path from 'node:path';

import { ConfigError } from './errors.js';
import { readRecordedPorts } from './ports.js';

/**
 * Everything a Threadline process reads from its environment, checked once on entry.
 * Every value has a default that works on one machine with embedded PostgreSQL.
 */
export interface Config {
  /** Root of all local state: pg/, spool/, lake/, uploads/, backups/. */
  dataDir: string;
  /** Web tier port (the shop URL). */
  webPort: number;
  /** Application tier (API) port. */
  apiPort: number;
  /** Worker's port for /healthz, /readyz and /metrics. */
  workerPort: number;
  /** Port of the embedded PostgreSQL cluster (ignored when DATABASE_URL is set). */
  pgPort: number;
  /** Port of the embedded hot standby (THREADLINE_PG_STANDBY=on). */
  pgStandbyPort: number;
  /** Run a streaming-replication hot standby of the embedded cluster with automatic failover. */
  isPgStandby: boolean;
  prometheusPort: number;
  alertmanagerPort: number;
  /** API processes `npm start` runs behind the web tier (THREADLINE_API_REPLICAS, default 2). */
  apiReplicas: number;
  /**
   * Every API the web tier balances over (THREADLINE_API_URLS, comma-separated); defaults to
   * `[apiUrl]`.
   */
  apiUrls: string[];
  /** Interface the tiers listen on. */
  host: string;
  /** URL the web tier forwards /api and /collect to. */
  apiUrl: string;
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
  nodeEnv: string;
}

type Env = Record<string, string | undefined>;

function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(name, `expected a port number 0-65535, got "${raw}"`);
  }
  return port;
}

function readInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  return value;
}

function readTimeZone(env: Env, name: string, fallback: string): string {
  const zone = env[name] || fallback;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new ConfigError(name, `unknown IANA time zone "${zone}"`);
  }
  return zone;
}

function readUrl(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(name, 'expected an absolute URL');
  }
  return raw;
}

function readUrlList(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.split(',').map((part) => {
    const url = part.trim();
    try {
      new URL(url);
    } catch {
      throw new ConfigError(name, `expected comma-separated absolute URLs, got "${url}"`);
    }
    return url;
  });
}

/**
 * Reads the process configuration from the environment.
 *
 * @example
 * const config = loadConfig(process.env);
 * console.log(config.webPort); // 8080 unless PORT is set
 */
export function loadConfig(env: Env = process.env): Config {
  const webPort = readPort(env, 'PORT', 8080);
  const apiPort = readPort(env, 'THREADLINE_API_PORT', webPort === 0 ? 0 : webPort + 1);
  const host = env.THREADLINE_HOST || '127.0.0.1';
  const dataDir = path.resolve(env.THREADLINE_DATA_DIR || 'var');
  const recorded = readRecordedPorts(dataDir);
  const pgPort = readPort(env, 'THREADLINE_PG_PORT', recorded.pg ?? 54329);
  const apiUrl = readUrl(env, 'THREADLINE_API_URL') ?? `http://127.0.0.1:${apiPort}`;
  const apiReplicas = readInt(env, 'THREADLINE_API_REPLICAS', 2);
  if (apiReplicas < 1 || apiReplicas > 8) throw new ConfigError('THREADLINE_API_REPLICAS', `expected 1-8 API processes, got ${apiReplicas}`);
  return {
    dataDir,
    webPort,
    apiPort,
    workerPort: readPort(env, 'THREADLINE_WORKER_PORT', webPort === 0 ? 0 : webPort + 2),
    pgPort,
    pgStandbyPort: readPort(env, 'THREADLINE_PG_STANDBY_PORT', recorded.pgStandby ?? pgPort + 1),
    isPgStandby: ['on', '1', 'true'].includes((env.THREADLINE_PG_STANDBY ?? '').toLowerCase()),
    prometheusPort: readPort(env, 'THREADLINE_PROMETHEUS_PORT', recorded.prometheus ?? 9090),
    alertmanagerPort: readPort(env, 'THREADLINE_ALERTMANAGER_PORT', recorded.alertmanager ?? 9093),
    apiReplicas,
    apiUrls: readUrlList(env, 'THREADLINE_API_URLS') ?? [apiUrl],
    host,
    apiUrl,
    databaseUrl: readUrl(env, 'DATABASE_URL'),
    shopTimeZone: readTimeZone(env, 'THREADLINE_TIME_ZONE', 'America/New_York'),
    currency: (env.THREADLINE_CURRENCY || 'USD').toUpperCase(),
    slackWebhookUrl: readUrl(env, 'SLACK_WEBHOOK_URL'),
    publicUrl: (readUrl(env, 'THREADLINE_PUBLIC_URL') ?? `http://localhost:${webPort}`).replace(/\/+$/, ''),
    smtpUrl: readUrl(env, 'SMTP_URL'),
    mailFrom: env.THREADLINE_MAIL_FROM || 'Threadline <shop@threadline.localhost>',
    logLevel: env.LOG_LEVEL || 'info',
    isPrettyLog: env.THREADLINE_LOG_FORMAT === 'pretty',
    isDemo: env.THREADLINE_DEMO !== '0',
    seed: readInt(env, 'THREADLINE_SEED', 42),
    nodeEnv: env.NODE_ENV || 'development',
  };
}
