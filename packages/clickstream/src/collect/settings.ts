import { loadConfig, type ClickstreamConfig, type Config } from '@threadline/config';

/**
 * Collector and delivery settings: `config.clickstream` (limits, rates, flush and compaction
 * timing, spool or Kinesis — each documented in packages/config/src/variables.ts) plus where the
 * spool and delivery state live and whether the lake is on S3.
 */
export interface ClickstreamSettings extends ClickstreamConfig {
  /** `<dataDir>/spool/clickstream` */
  spoolDir: string;
  /** `<dataDir>/spool/dead-letter` */
  deadLetterDir: string;
  /** `<dataDir>/spool/flusher`: checkpoint, manifest, staging. */
  flusherStateDir: string;
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
