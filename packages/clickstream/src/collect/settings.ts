import { loadConfig, type Config } from '@threadline/config';

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

/**
 * The clickstream's settings from the configuration tree (`config.clickstream`, `config.lakeS3`,
 * `config.paths`).
 *
 * @example
 * const settings = clickstreamSettings(loadConfig());
 */
export function clickstreamSettings(config: Pick<Config, 'paths' | 'clickstream' | 'lakeS3'>): ClickstreamSettings {
  return {
    spoolDir: config.paths.clickstreamSpool,
    deadLetterDir: config.paths.deadLetter,
    flusherStateDir: config.paths.deliveryState,
    ...config.clickstream,
    s3Bucket: config.lakeS3.bucket,
    s3Prefix: config.lakeS3.prefix,
    s3Endpoint: config.lakeS3.endpoint,
  };
}

/** Settings for a data directory and an environment (tests and tools that have no process config). */
export function loadClickstreamSettings(dataDir: string, env: Record<string, string | undefined>): ClickstreamSettings {
  return clickstreamSettings(loadConfig({ ...env, THREADLINE_DATA_DIR: dataDir }));
}
