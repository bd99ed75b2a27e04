import { lakeRoot, LocalLakeStorage, S3LakeStorage, type LakeStorage } from '@threadline/lake';

import type { ClickstreamSettings } from '../collect/settings.js';
import { KinesisSource } from '../stream/kinesis.js';
import { SpoolSource } from '../stream/spool-source.js';
import type { StreamSource } from '../stream/stream.js';

/** The lake storage the settings name: `<dataDir>/lake` unless THREADLINE_LAKE_S3_BUCKET is set. */
export function createLakeStorage(dataDir: string, settings: ClickstreamSettings): LakeStorage {
  if (settings.s3Bucket) {
    return new S3LakeStorage({
      bucket: settings.s3Bucket,
      prefix: settings.s3Prefix,
      // S3-compatible stores often lack aws-chunked uploads with trailing checksums: send plain bodies
      clientConfig: settings.s3Endpoint ? { endpoint: settings.s3Endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {},
    });
  }
  return new LocalLakeStorage(lakeRoot(dataDir));
}

/** The stream source the settings name: the local spool unless THREADLINE_STREAM=kinesis. */
export function createStreamSource(settings: ClickstreamSettings): StreamSource {
  if (settings.stream === 'kinesis' && settings.kinesisStream) {
    return new KinesisSource({ streamName: settings.kinesisStream, clientConfig: settings.kinesisEndpoint ? { endpoint: settings.kinesisEndpoint } : {} });
  }
  return new SpoolSource(settings.spoolDir);
}
