import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { startS3Lake } from '../testing-servers.js';
import { readerView, makePointer } from './generations.js';
import { LakeMirror } from './mirror.js';
import type { S3LakeStorage } from './s3.js';
import type { LakeFile, LakeStorage } from './storage.js';

const BUCKET = 'atomic-lake';
const PARTITION = 'curated/sales/dt=2026-11-24/';

/** The S3 storage with a pause before each PUT: lets a test act while a publish is half done. */
class PausingStorage implements LakeStorage {
  readonly kind = 's3' as const;
  beforePut: ((key: string) => Promise<void>) | undefined;

  constructor(private readonly inner: S3LakeStorage) {}

  async put(localFile: string, key: string): Promise<void> {
    await this.beforePut?.(key);
    await this.inner.put(localFile, key);
  }
  download(key: string, localFile: string): Promise<void> {
    return this.inner.download(key, localFile);
  }
  list(prefix: string): Promise<string[]> {
    return this.inner.list(prefix);
  }
  listFiles(prefix: string): Promise<LakeFile[]> {
    return this.inner.listFiles(prefix);
  }
  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }
  delete(keys: readonly string[]): Promise<void> {
    return this.inner.delete(keys);
  }
  localPath(): undefined {
    return undefined;
  }
}

describe('publishing a partition to S3 (s3rver)', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startS3Lake>>;
  let s3: S3LakeStorage;
  let storage: PausingStorage;

  /** A process's view of the bucket with its own read cache. */
  const mirror = (name: string): LakeMirror => new LakeMirror(storage, path.join(dir, name));

  /** Writes the partition's files in a writer's local copy: name → content. */
  function build(writer: LakeMirror, files: Record<string, string>): void {
    const local = writer.localPath(PARTITION);
    rmSync(local, { recursive: true, force: true });
    mkdirSync(local, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(local, name), content);
  }

  /** What a reader's local copy of the partition holds after a sync: name → content. */
  async function read(reader: LakeMirror): Promise<Record<string, string>> {
    const local = await reader.sync(PARTITION);
    const names = ['data_0.parquet', 'data_1.parquet', 'data_2.parquet'];
    const seen: Record<string, string> = {};
    for (const name of names) {
      try {
        seen[name] = readFileSync(path.join(local, name), 'utf8');
      } catch {
        // not in this version of the partition
      }
    }
    return seen;
  }

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tl-lake-atomic-'));
    server = await startS3Lake(path.join(dir, 's3'), BUCKET);
    s3 = server.storage;
    storage = new PausingStorage(s3);
  });

  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never shows a reader a mix of the old and the new files while a partition uploads', async () => {
    const writer = mirror('writer');
    build(writer, { 'data_0.parquet': 'v1-a', 'data_1.parquet': 'v1-b' });
    await writer.upload(PARTITION);
    const reader = mirror('reader');
    assert.deepEqual(await read(reader), { 'data_0.parquet': 'v1-a', 'data_1.parquet': 'v1-b' });

    // the second version: a reader syncs before every PUT of its upload, the pointer's included
    build(writer, { 'data_0.parquet': 'v2-a', 'data_1.parquet': 'v2-b', 'data_2.parquet': 'v2-c' });
    const seenDuringUpload: Record<string, string>[] = [];
    storage.beforePut = async () => {
      seenDuringUpload.push(await read(reader));
    };
    await writer.upload(PARTITION);
    storage.beforePut = undefined;

    assert.equal(seenDuringUpload.length, 4, 'three files and the pointer were put');
    for (const seen of seenDuringUpload) assert.deepEqual(seen, { 'data_0.parquet': 'v1-a', 'data_1.parquet': 'v1-b' }, 'the old version whole until the pointer switches');
    assert.deepEqual(await read(reader), { 'data_0.parquet': 'v2-a', 'data_1.parquet': 'v2-b', 'data_2.parquet': 'v2-c' });
    // a process with an empty cache sees the new version too
    assert.deepEqual(await read(mirror('fresh-reader')), { 'data_0.parquet': 'v2-a', 'data_1.parquet': 'v2-b', 'data_2.parquet': 'v2-c' });
  });

  it('keeps only the current and the previous generation in the bucket, and drops files a version no longer has', async () => {
    const writer = mirror('writer');
    build(writer, { 'data_0.parquet': 'v3-a' });
    await writer.upload(PARTITION);
    const generations = new Set((await s3.list(PARTITION)).filter((key) => key.includes('/_gen/')).map((key) => key.split('/_gen/')[1]?.split('/')[0]));
    assert.equal(generations.size, 2, 'current and previous');
    assert.deepEqual(await read(mirror('reader')), { 'data_0.parquet': 'v3-a' });
    assert.ok((await s3.list(PARTITION)).includes(`${PARTITION}_current.json`));
  });

  it('replaces a partition written flat (before pointers) and reads flat partitions as they are', async () => {
    const legacy = 'curated/sales/dt=2026-11-01/';
    const staged = path.join(dir, 'legacy.parquet');
    writeFileSync(staged, 'flat');
    await s3.put(staged, `${legacy}data_0.parquet`);
    const reader = mirror('legacy-reader');
    assert.equal(readFileSync(path.join(await reader.sync(legacy), 'data_0.parquet'), 'utf8'), 'flat');

    const writer = mirror('writer');
    mkdirSync(writer.localPath(legacy), { recursive: true });
    writeFileSync(path.join(writer.localPath(legacy), 'data_0.parquet'), 'pointed');
    await writer.upload(legacy);
    assert.ok(!(await s3.list(legacy)).includes(`${legacy}data_0.parquet`), 'the flat file is gone once the pointer is in place');
    assert.equal(readFileSync(path.join(await reader.sync(legacy), 'data_0.parquet'), 'utf8'), 'pointed');
  });

  it('reads the pointed generation only, and says which pointed files a listing lacks', () => {
    const file = (key: string): LakeFile => ({ key, bytes: 1, modifiedMs: 0, etag: '"x"' });
    const listing = [
      file(`${PARTITION}_current.json`),
      file(`${PARTITION}_gen/new/data_0.parquet`),
      file(`${PARTITION}_gen/old/data_0.parquet`),
      file(`${PARTITION}_gen/old/data_1.parquet`),
      file(`${PARTITION}data_9.parquet`),
      file('curated/sales/dt=2026-11-25/data_0.parquet'),
    ];
    const pointers = new Map([[PARTITION, makePointer('new', ['data_0.parquet', 'data_1.parquet'])]]);
    const view = readerView(listing, pointers);
    assert.deepEqual(
      view.files.map((entry) => [entry.key, entry.source.key]),
      [
        [`${PARTITION}data_0.parquet`, `${PARTITION}_gen/new/data_0.parquet`],
        ['curated/sales/dt=2026-11-25/data_0.parquet', 'curated/sales/dt=2026-11-25/data_0.parquet'],
      ],
    );
    assert.deepEqual(view.missing, [`${PARTITION}data_1.parquet`]);
  });
});
