import { copyFile, mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { LakeError } from '../errors.js';
import { LocalLakeStorage, walkFiles } from './local.js';
import { generationPrefix, makePointer, newGeneration, parsePointer, partitionOfPointer, pointerKey, readerView, type PartitionPointer } from './generations.js';
import { S3LakeStorage } from './s3.js';
import { isVisibleKey, type LakeFile, type LakeStorage } from './storage.js';

/** What the mirror knows of each file it downloaded: the object's ETag and size. */
type Manifest = Record<string, { etag: string; bytes: number }>;

/** The manifest's file in the cache root (`_` : never catalogued or queried). */
const MANIFEST = '_mirror.json';

/**
 * The lake as local files, whatever the storage. DuckDB reads Parquet by local path: the bundled
 * build has no `httpfs` extension and the lake's policy forbids installing one at query time
 * (installing needs the network), so on S3 readers read a local copy:
 * - local storage: the mirror *is* the lake directory; `sync` and `upload` do nothing;
 * - S3: `sync(prefix)` brings a read cache (`<data dir>/tmp/lake-cache`) up to date with the
 *   bucket — only objects whose ETag changed are downloaded, files deleted in the bucket are
 *   deleted locally, partitions with a pointer are read at the generation it names — and
 *   `upload(prefix)` publishes what a producer built locally (the pipeline's partitions) to the
 *   bucket atomically for readers (a new generation, then the pointer; see generations.ts).
 *
 * Every reader (pipeline extract and quality gate, catalog crawl, SQL over the lake, dashboards)
 * and every writer goes through one `LakeMirror`, so each dataset works on both storages.
 *
 * @example
 * const lake = lakeFromConfig(config);
 * const dir = await lake.sync('curated/sales/'); // local folder with the current sales partitions
 */
export class LakeMirror {
  /** Local directory laid out like the lake (`raw/`, `curated/`, …). */
  readonly root: string;
  private manifest: Manifest | undefined;
  /** One sync at a time per mirror: two dashboards asking at once share the download. */
  private syncing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly storage: LakeStorage,
    /** The read cache for a remote storage (ignored for local storage). */
    cacheDir: string,
  ) {
    this.root = storage instanceof LocalLakeStorage ? storage.root : cacheDir;
  }

  /** The mirror of a local lake directory: the directory itself. */
  static local(lakeDir: string): LakeMirror {
    return new LakeMirror(new LocalLakeStorage(lakeDir), lakeDir);
  }

  /** True when the lake's files live elsewhere and the mirror is a cache of them. */
  get isRemote(): boolean {
    return !(this.storage instanceof LocalLakeStorage);
  }

  /** The local path of a lake-relative folder or file, e.g. `curated/sales`. */
  localPath(relative: string): string {
    return relative === '' ? this.root : path.join(this.root, ...relative.split('/').filter((part) => part !== ''));
  }

  /**
   * Brings the local copy of every visible file under `prefix` (e.g. `curated/`) up to date and
   * returns its local folder; `onDownload` hears how many files were downloaded.
   */
  async sync(prefix: string, options: { onDownload?: (count: number) => void } = {}): Promise<string> {
    const dir = this.localPath(prefix);
    if (!this.isRemote) return dir;
    const run = this.syncing.then(() => this.syncNow(prefix, options.onDownload));
    this.syncing = run.catch(() => undefined);
    await run;
    return dir;
  }

  private async syncNow(prefix: string, onDownload?: (count: number) => void): Promise<void> {
    const manifest = await this.readManifest();
    let view = await this.readerListing(prefix, manifest);
    // a pointed file gone: two publishes of the partition since the pointer was read; list again
    if (view.missing.length > 0) view = await this.readerListing(prefix, manifest);
    const wanted = new Set(view.files.map((file) => file.key));
    let downloaded = 0;
    for (const { key, source } of view.files) {
      if (await this.fetch(manifest, key, source)) downloaded += 1;
    }
    let removed = 0;
    for (const local of await walkFiles(this.localPath(prefix))) {
      const key = path.relative(this.root, local).split(path.sep).join('/');
      if (wanted.has(key) || view.pointers.has(key)) continue;
      // a pointer of a partition the storage no longer has goes too; other hidden files are work in progress
      if (!isVisibleKey(key) && partitionOfPointer(key) === undefined) continue;
      await rm(local, { force: true });
      delete manifest[key];
      removed += 1;
    }
    if (downloaded > 0 || removed > 0 || view.pointersFetched > 0) await this.writeManifest(manifest);
    onDownload?.(downloaded);
  }

  /**
   * The files under `prefix` as readers see them (at their lake keys, pointed generations
   * resolved), without downloading them: for freshness checks and fingerprints.
   */
  async listCurrent(prefix: string): Promise<LakeFile[]> {
    if (!this.isRemote) return (await this.storage.listFiles(prefix)).filter((file) => isVisibleKey(file.key));
    const run = this.syncing.then(async () => {
      const manifest = await this.readManifest();
      const view = await this.readerListing(prefix, manifest);
      if (view.pointersFetched > 0) await this.writeManifest(manifest);
      return view.files.map(({ key, source }) => ({ ...source, key }));
    });
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /** The storage's files under `prefix` as readers see them: pointed generations resolved. */
  private async readerListing(prefix: string, manifest: Manifest): Promise<ReturnType<typeof readerView> & { pointersFetched: number; pointers: Set<string> }> {
    const listing = await this.storage.listFiles(prefix);
    const pointers = new Map<string, PartitionPointer>();
    let pointersFetched = 0;
    for (const file of listing) {
      const partition = partitionOfPointer(file.key);
      if (partition === undefined) continue;
      if (await this.fetch(manifest, file.key, file)) pointersFetched += 1;
      pointers.set(partition, parsePointer(await readFile(this.localPath(file.key), 'utf8'), file.key));
    }
    return { ...readerView(listing, pointers), pointersFetched, pointers: new Set([...pointers.keys()].map(pointerKey)) };
  }

  /** Downloads `source` to the local copy of `key` unless the copy is current; true when it downloaded. */
  private async fetch(manifest: Manifest, key: string, source: LakeFile): Promise<boolean> {
    const known = manifest[key];
    const target = this.localPath(key);
    if (known && known.etag === (source.etag ?? '') && known.bytes === source.bytes && (await exists(target))) return false;
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.tmp-${process.pid}`;
    await this.storage.download(source.key, tmp);
    // the object's modification time, so the catalog and "data as of" read the lake's, not the cache's
    if (source.modifiedMs > 0) await utimes(tmp, new Date(), new Date(source.modifiedMs));
    await rename(tmp, target);
    manifest[key] = { etag: source.etag ?? '', bytes: source.bytes };
    return true;
  }

  /**
   * Publishes the local visible files under `prefix` (a partition, e.g.
   * `curated/sales/month=2026-11/`) to the storage atomically for readers: the files go under a
   * new generation prefix, then the partition's pointer object is switched to it (one PUT), then
   * older generations are deleted — all but the previous one, which readers that read the old
   * pointer a moment ago may still be downloading. Idempotent, so a recovery can repeat it.
   */
  async upload(prefix: string): Promise<{ put: number; deleted: number }> {
    if (!this.isRemote) return { put: 0, deleted: 0 };
    const manifest = await this.readManifest();
    const locals = (await walkFiles(this.localPath(prefix)))
      .map((file) => ({ file, key: path.relative(this.root, file).split(path.sep).join('/') }))
      .filter(({ key }) => isVisibleKey(key));
    const previous = await this.remotePointer(prefix);
    const generation = newGeneration();
    const current = generationPrefix(prefix, generation);
    for (const { file, key } of locals) await this.putCopy(file, current + key.slice(prefix.length));
    const pointerFile = this.localPath(pointerKey(prefix));
    await mkdir(path.dirname(pointerFile), { recursive: true });
    await writeFile(pointerFile, JSON.stringify(makePointer(generation, locals.map(({ key }) => key.slice(prefix.length)))));
    await this.putCopy(pointerFile, pointerKey(prefix));

    const keep = (key: string): boolean =>
      key === pointerKey(prefix) || key.startsWith(current) || (previous !== undefined && key.startsWith(generationPrefix(prefix, previous.generation)));
    const remote = await this.storage.listFiles(prefix);
    const stale = remote.filter((file) => !keep(file.key)).map((file) => file.key);
    if (stale.length > 0) await this.storage.delete(stale);
    // the local files are the bytes just uploaded: record their ETags so no reader here downloads them again
    for (const file of remote) {
      if (file.key === pointerKey(prefix)) manifest[file.key] = { etag: file.etag ?? '', bytes: file.bytes };
      else if (file.key.startsWith(current)) manifest[prefix + file.key.slice(current.length)] = { etag: file.etag ?? '', bytes: file.bytes };
    }
    await this.writeManifest(manifest);
    return { put: locals.length, deleted: stale.length };
  }

  /**
   * Publishes a whole dataset folder (e.g. `curated/sales/`) whose partitions changed key — a
   * dataset converted from `dt=` day folders to `month=` folders: each local partition folder is
   * uploaded as `upload` does (new generation, then its pointer), and only then are the storage's
   * partitions the local folder no longer has deleted, so a reader never finds the dataset empty.
   * Between the two, a reader listing the storage sees both keys; readers take the `month=`
   * folders over day folders (`curatedDatasetGlob`). Idempotent, like `upload`.
   */
  async uploadDataset(prefix: string): Promise<{ put: number; deleted: number }> {
    if (!this.isRemote) return { put: 0, deleted: 0 };
    const dir = this.localPath(prefix);
    const folders = (await readdir(dir, { withFileTypes: true }).catch(() => []))
      .filter((entry) => entry.isDirectory() && isVisibleKey(entry.name))
      .map((entry) => entry.name);
    let put = 0;
    let deleted = 0;
    for (const folder of folders) {
      const done = await this.upload(`${prefix}${folder}/`);
      put += done.put;
      deleted += done.deleted;
    }
    const kept = new Set(folders);
    const stale = (await this.storage.listFiles(prefix)).map((file) => file.key).filter((key) => !kept.has(key.slice(prefix.length).split('/')[0] ?? ''));
    if (stale.length > 0) {
      await this.storage.delete(stale);
      const manifest = await this.readManifest();
      for (const key of stale) delete manifest[key];
      await this.writeManifest(manifest);
    }
    return { put, deleted: deleted + stale.length };
  }

  /** The partition's pointer in the storage, if it has one. */
  private async remotePointer(prefix: string): Promise<PartitionPointer | undefined> {
    const key = pointerKey(prefix);
    if (!(await this.storage.exists(key))) return undefined;
    const tmp = `${this.localPath(key)}.read-${process.pid}`;
    await mkdir(path.dirname(tmp), { recursive: true });
    try {
      await this.storage.download(key, tmp);
      return parsePointer(await readFile(tmp, 'utf8'), key);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  /** put() consumes its source (S3 removes it after the upload): hand it a copy. */
  private async putCopy(file: string, key: string): Promise<void> {
    const copy = `${file}.upload-${process.pid}`;
    await copyFile(file, copy);
    try {
      await this.storage.put(copy, key);
    } finally {
      await rm(copy, { force: true });
    }
  }

  private async readManifest(): Promise<Manifest> {
    if (this.manifest) return this.manifest;
    try {
      const parsed: unknown = JSON.parse(await readFile(path.join(this.root, MANIFEST), 'utf8'));
      this.manifest = isManifest(parsed) ? parsed : {};
    } catch {
      this.manifest = {}; // no cache yet (or a damaged one): everything is downloaded again
    }
    return this.manifest;
  }

  private async writeManifest(manifest: Manifest): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      const file = path.join(this.root, MANIFEST);
      await writeFile(`${file}.tmp-${process.pid}`, JSON.stringify(manifest));
      await rename(`${file}.tmp-${process.pid}`, file);
    } catch (cause) {
      throw new LakeError('STORAGE_FAILED', `cannot write the lake cache manifest in ${this.root}`, { cause });
    }
  }
}

function isManifest(value: unknown): value is Manifest {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** The lake settings of the configuration tree (`config.paths`, `config.lakeS3`). */
export interface LakeLocation {
  paths: { lake: string; tmp: string };
  lakeS3: { bucket: string | undefined; prefix: string; endpoint: string | undefined };
}

/** The lake storage the configuration names: `paths.lake` unless THREADLINE_LAKE_S3_BUCKET is set. */
export function lakeStorageFromConfig(location: LakeLocation): LakeStorage {
  const { bucket, prefix, endpoint } = location.lakeS3;
  if (!bucket) return new LocalLakeStorage(location.paths.lake);
  return new S3LakeStorage({
    bucket,
    prefix,
    // S3-compatible stores often lack aws-chunked uploads with trailing checksums: send plain bodies
    clientConfig: endpoint ? { endpoint, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {},
  });
}

const mirrors = new Map<string, LakeMirror>();

/**
 * The lake of a process: its storage and the local mirror readers use (on S3 a read cache under
 * `paths.tmp/lake-cache`). One per configuration and process, so every route and service of the
 * process shares one cache manifest and one sync queue.
 */
export function lakeFromConfig(location: LakeLocation): LakeMirror {
  const id = JSON.stringify([location.paths.lake, location.paths.tmp, location.lakeS3]);
  let mirror = mirrors.get(id);
  if (!mirror) {
    mirror = new LakeMirror(lakeStorageFromConfig(location), path.join(location.paths.tmp, 'lake-cache'));
    mirrors.set(id, mirror);
  }
  return mirror;
}
