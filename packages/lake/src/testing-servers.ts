import { createRequire } from 'node:module';
import type { Server } from 'node:http';

import { S3LakeStorage } from './storage/s3.js';

/**
 * Local stand-ins for AWS used by the adapter tests: s3rver (S3) and kinesalite (Kinesis), both
 * on loopback. Neither ships TypeScript types; the shapes used here are narrowed at runtime.
 */
const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}

export async function startS3rver(directory: string, bucket: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const S3rver: unknown = require('s3rver');
  if (typeof S3rver !== 'function') throw new Error('s3rver did not export a constructor');
  // s3rver's documented constructor options; the instance has run()/close() (checked below)
  const instance: unknown = Reflect.construct(S3rver, [{ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] }]);
  if (typeof instance !== 'object' || instance === null || !('run' in instance) || !('close' in instance)) throw new Error('unexpected s3rver instance');
  const server = instance as S3rverInstance; // run/close checked just above
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}

/**
 * s3rver with the lake's S3 storage pointed at it (key prefix `lake/`), as the S3 adapter tests
 * use it: path-style addressing, s3rver's fixed credentials, plain bodies (no aws-chunked uploads).
 */
export async function startS3Lake(directory: string, bucket: string): Promise<{ storage: S3LakeStorage; endpoint: string; close(): Promise<void> }> {
  const server = await startS3rver(directory, bucket);
  const storage = new S3LakeStorage({
    bucket,
    prefix: 'lake/',
    clientConfig: {
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    },
  });
  return { storage, endpoint: server.endpoint, close: () => server.close() };
}

export async function startKinesalite(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const kinesalite: unknown = require('kinesalite');
  if (typeof kinesalite !== 'function') throw new Error('kinesalite did not export a function');
  const server: unknown = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 50 });
  if (typeof server !== 'object' || server === null || !('listen' in server)) throw new Error('unexpected kinesalite server');
  const http = server as Server; // kinesalite returns a node http(s) server (listen checked above)
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
  const address = http.address();
  if (typeof address !== 'object' || address === null) throw new Error('kinesalite has no address');
  return { endpoint: `http://127.0.0.1:${address.port}`, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
}
