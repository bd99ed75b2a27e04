import path from 'node:path';

import { ConfigError } from '@threadline/config';

/** Collector and delivery settings, read once from the environment (all optional). */
export interface ClickstreamSettings {
  /** `<dataDir>/spool/clickstream` */
  spoolDir: string;
  /** `<dataDir>/spool/dead-letter` */
  deadLetterDir: string;
  /** `<dataDir>/spool/flusher`: checkpoint, manifest, staging. */
  flusherStateDir: string;
  /** THREADLINE_COLLECT_MAX_EVENTS (500): more events in one batch → 413. */
  maxEventsPerBatch: number;
  /** THREADLINE_COLLECT_MAX_KB (1024): larger bodies → 413. */
  maxBatchBytes: number;
  /** THREADLINE_COLLECT_RATE (2000 events/s per client; 0 = unlimited) and _BURST (10000). */
  ratePerSecond: number;
  rateBurst: number;
  /** THREADLINE_COLLECT_MAX_AGE_HOURS (168): older event times are rejected per event. */
  maxAgeMs: number;
  /** THREADLINE_COLLECT_MAX_FUTURE_SECONDS (600): event times further ahead are rejected. */
  maxFutureMs: number;
  /** THREADLINE_SPOOL_MAX_MB (1024): backlog at which /collect answers 503. */
  maxSpoolBytes: number;
  /** THREADLINE_FLUSH_SECONDS (60): flush at least this often. */
  flushSeconds: number;
  /** THREADLINE_FLUSH_MAX_MB (64): flush as soon as this much is pending. */
  flushMaxBytes: number;
  /** THREADLINE_COMPACT_AFTER_MINUTES (10): an hour partition is compacted this long after it ends. */
  compactAfterMs: number;
  /** THREADLINE_STREAM: `spool` (default) or `kinesis` (THREADLINE_KINESIS_STREAM, AWS_REGION, THREADLINE_KINESIS_ENDPOINT). */
  stream: 'spool' | 'kinesis';
  kinesisStream: string | undefined;
  kinesisEndpoint: string | undefined;
  /** THREADLINE_LAKE_S3_BUCKET (+ _PREFIX, THREADLINE_S3_ENDPOINT): lake on S3 instead of `<dataDir>/lake`. */
  s3Bucket: string | undefined;
  s3Prefix: string;
  s3Endpoint: string | undefined;
}

type Env = Record<string, string | undefined>;

function readNumber(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new ConfigError(name, `expected a number ${min}-${max}, got "${raw}"`);
  return value;
}

/**
 * Reads the clickstream settings.
 *
 * @example
 * const settings = loadClickstreamSettings(config.dataDir, process.env);
 */
export function loadClickstreamSettings(dataDir: string, env: Env = process.env): ClickstreamSettings {
  const stream = env.THREADLINE_STREAM || 'spool';
  if (stream !== 'spool' && stream !== 'kinesis') throw new ConfigError('THREADLINE_STREAM', `expected spool or kinesis, got "${stream}"`);
  const kinesisStream = env.THREADLINE_KINESIS_STREAM || undefined;
  if (stream === 'kinesis' && !kinesisStream) throw new ConfigError('THREADLINE_KINESIS_STREAM', 'required when THREADLINE_STREAM=kinesis');
  return {
    spoolDir: path.join(dataDir, 'spool', 'clickstream'),
    deadLetterDir: path.join(dataDir, 'spool', 'dead-letter'),
    flusherStateDir: path.join(dataDir, 'spool', 'flusher'),
    maxEventsPerBatch: readNumber(env, 'THREADLINE_COLLECT_MAX_EVENTS', 500, 1, 10_000),
    maxBatchBytes: readNumber(env, 'THREADLINE_COLLECT_MAX_KB', 1024, 1, 64 * 1024) * 1024,
    ratePerSecond: readNumber(env, 'THREADLINE_COLLECT_RATE', 2000, 0, 1e9),
    rateBurst: readNumber(env, 'THREADLINE_COLLECT_BURST', 10_000, 1, 1e9),
    maxAgeMs: readNumber(env, 'THREADLINE_COLLECT_MAX_AGE_HOURS', 168, 1, 24 * 365) * 3600_000,
    maxFutureMs: readNumber(env, 'THREADLINE_COLLECT_MAX_FUTURE_SECONDS', 600, 0, 86_400) * 1000,
    maxSpoolBytes: readNumber(env, 'THREADLINE_SPOOL_MAX_MB', 1024, 1, 1024 * 1024) * 1024 * 1024,
    flushSeconds: readNumber(env, 'THREADLINE_FLUSH_SECONDS', 60, 0.1, 86_400),
    flushMaxBytes: readNumber(env, 'THREADLINE_FLUSH_MAX_MB', 64, 1, 4096) * 1024 * 1024,
    compactAfterMs: readNumber(env, 'THREADLINE_COMPACT_AFTER_MINUTES', 10, 0, 24 * 60) * 60_000,
    stream,
    kinesisStream,
    kinesisEndpoint: env.THREADLINE_KINESIS_ENDPOINT || undefined,
    s3Bucket: env.THREADLINE_LAKE_S3_BUCKET || undefined,
    s3Prefix: env.THREADLINE_LAKE_S3_PREFIX ?? 'lake/',
    s3Endpoint: env.THREADLINE_S3_ENDPOINT || undefined,
  };
}
