/**
 * Where lake files live. Keys are `/`-separated paths relative to the lake root
 * (`raw/clickstream/dt=2026-03-08/hour=07/flush-000012-0.parquet`). Producers build files locally
 * (DuckDB writes to a local staging directory) and `put` them; readers that need a local path ask
 * `localPath` (local storage: the file itself; S3: undefined, so they `download` first).
 */
export interface LakeStorage {
  readonly kind: 'local' | 's3';
  /** Moves a local file into the lake under `key` (atomic replace for local storage). */
  put(localFile: string, key: string): Promise<void>;
  /** Copies a lake object to a local file. */
  download(key: string, localFile: string): Promise<void>;
  /** Keys under a prefix (recursive), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Files under a prefix (recursive) with size and modification time, sorted by key. */
  listFiles(prefix: string): Promise<LakeFile[]>;
  exists(key: string): Promise<boolean>;
  /** Deletes keys; missing keys are ignored (deletes are replayed after crashes). */
  delete(keys: readonly string[]): Promise<void>;
  /** Absolute local path of a key, when the storage is a local directory. */
  localPath(key: string): string | undefined;
}

/** One file of the lake, as a listing returns it. */
export interface LakeFile {
  key: string;
  bytes: number;
  /** Last modification, ms since the epoch. */
  modifiedMs: number;
  /** The object's entity tag (S3 only): changes whenever the content changes. */
  etag?: string;
}

/**
 * True for a key a reader should see: files (or folders) starting with `.` or `_` are work in
 * progress (temporary files before an atomic rename, publish journals, replaced partitions).
 */
export function isVisibleKey(key: string): boolean {
  return !key.split('/').some((part) => part.startsWith('.') || part.startsWith('_'));
}

/** Rejects keys that could escape the lake root or that S3 would treat oddly. */
export function assertKey(key: string): void {
  if (key === '' || key.startsWith('/') || key.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new Error(`invalid lake key "${key}"`);
  }
}
