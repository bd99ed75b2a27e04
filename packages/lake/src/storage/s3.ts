import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';

import { LakeError } from '../errors.js';
import { assertKey, type LakeFile, type LakeStorage } from './storage.js';

export interface S3LakeStorageOptions {
  bucket: string;
  /** Key prefix inside the bucket, e.g. `lake/` (Hive keys follow it). */
  prefix?: string;
  client?: S3Client;
  clientConfig?: S3ClientConfig;
}

/**
 * The lake on S3 (or any S3-compatible store). Object keys are `<prefix><lake key>`, so the
 * Hive `dt=/hour=` prefixes are exactly what Athena/Glue partition projection expects. S3 PUT is
 * atomic per object, which is all the flusher's manifest protocol needs.
 */
export class S3LakeStorage implements LakeStorage {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3LakeStorageOptions) {
    this.client = options.client ?? new S3Client(options.clientConfig ?? {});
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
  }

  localPath(): undefined {
    return undefined;
  }

  async put(localFile: string, key: string): Promise<void> {
    assertKey(key);
    try {
      const { size } = await stat(localFile);
      await this.client.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + key, Body: createReadStream(localFile), ContentLength: size, ContentType: 'application/vnd.apache.parquet' }),
      );
      await rm(localFile, { force: true });
    } catch (cause) {
      throw new LakeError('STORAGE_FAILED', `cannot put s3://${this.bucket}/${this.prefix}${key}: ${messageOf(cause)}`, { cause });
    }
  }

  async download(key: string, localFile: string): Promise<void> {
    assertKey(key);
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      const body = result.Body;
      if (!(body instanceof Readable)) throw new Error('unexpected S3 body type');
      await pipeline(body, createWriteStream(localFile));
    } catch (cause) {
      throw new LakeError('STORAGE_FAILED', `cannot download s3://${this.bucket}/${this.prefix}${key}: ${messageOf(cause)}`, { cause });
    }
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listFiles(prefix)).map((file) => file.key);
  }

  async listFiles(prefix: string): Promise<LakeFile[]> {
    const files: LakeFile[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
        for (const item of page.Contents ?? []) {
          if (item.Key) files.push({ key: item.Key.slice(this.prefix.length), bytes: item.Size ?? 0, modifiedMs: item.LastModified?.getTime() ?? 0, etag: item.ETag });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (cause) {
      throw new LakeError('STORAGE_FAILED', `cannot list s3://${this.bucket}/${this.prefix}${prefix}: ${messageOf(cause)}`, { cause });
    }
    return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }));
      return true;
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'name' in error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return false;
      throw new LakeError('STORAGE_FAILED', `cannot stat s3://${this.bucket}/${this.prefix}${key}: ${messageOf(error)}`, { cause: error });
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      try {
        await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: chunk.map((k) => ({ Key: this.prefix + k })), Quiet: true } }));
      } catch (cause) {
        throw new LakeError('STORAGE_FAILED', `cannot delete ${chunk.length} objects: ${messageOf(cause)}`, { cause });
      }
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
