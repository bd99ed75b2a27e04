import { lakeRoot, lakeStorageFromConfig, type LakeStorage } from '@threadline/lake';

import type { ClickstreamSettings } from '../collect/settings.js';
import { KinesisSource } from '../stream/kinesis.js';
import { SpoolSource } from '../stream/spool-source.js';
import type { StreamSource } from '../stream/stream.js';

/** The lake storage the settings name: `<dataDir>/lake` unless THREADLINE_LAKE_S3_BUCKET is set. */
export function createLakeStorage(dataDir: string, settings: ClickstreamSettings): LakeStorage {
  return lakeStorageFromConfig({
    paths: { lake: lakeRoot(dataDir), tmp: '' },
    lakeS3: { bucket: settings.s3Bucket, prefix: settings.s3Prefix, endpoint: settings.s3Endpoint },
  });
}

/** The stream source the settings name: the local spool unless THREADLINE_STREAM=kinesis. */
export function createStreamSource(settings: ClickstreamSettings): StreamSource {
  if (settings.stream === 'kinesis' && settings.kinesisStream) {
    return new KinesisSource({ streamName: settings.kinesisStream, clientConfig: settings.kinesisEndpoint ? { endpoint: settings.kinesisEndpoint } : {} });
  }
  return new SpoolSource(settings.spoolDir);
}
