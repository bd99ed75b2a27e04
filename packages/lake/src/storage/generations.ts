import { randomBytes } from 'node:crypto';

import { LakeError } from '../errors.js';
import { isVisibleKey, type LakeFile } from './storage.js';

/**
 * Atomic partition publishes on object storage. S3 replaces one object atomically, never a set of
 * them, so a partition written file by file in place can be read half old, half new. Instead a
 * publish writes the partition's files under a fresh generation prefix and switches a small
 * pointer object last:
 *
 * ```
 * curated/sales/month=2026-11/_current.json                    → { generation: "m3x…-a1b2c3", files: ["data_0.parquet"] }
 * curated/sales/month=2026-11/_gen/m3x…-a1b2c3/data_0.parquet  the current files
 * curated/sales/month=2026-11/_gen/m3w…-d4e5f6/data_0.parquet  the previous generation, kept for readers mid-sync
 * ```
 *
 * Readers follow the pointer (`readerView`), so they see the old generation or the new one, never
 * a mix; files under `_` are invisible to everything else. (On AWS the same switch is a Glue
 * partition whose location moves to the new generation prefix.)
 */

/** The pointer object's name inside a partition prefix. */
export const POINTER_NAME = '_current.json';
/** The folder of a partition's generations. */
const GENERATIONS_DIR = '_gen';
const POINTER_FORMAT = 'threadline-partition/1';

export interface PartitionPointer {
  format: typeof POINTER_FORMAT;
  generation: string;
  /** The partition's files, relative to the generation folder (`data_0.parquet`). */
  files: string[];
  publishedAt: string;
}

/** A new generation id: sorts by time, unique across concurrent writers. */
export function newGeneration(now: Date = new Date()): string {
  return `${now.getTime().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export function pointerKey(partitionPrefix: string): string {
  return `${partitionPrefix}${POINTER_NAME}`;
}

/** Where a file of a partition's generation lives in the storage. */
export function generationPrefix(partitionPrefix: string, generation: string): string {
  return `${partitionPrefix}${GENERATIONS_DIR}/${generation}/`;
}

export function makePointer(generation: string, files: readonly string[], now: Date = new Date()): PartitionPointer {
  return { format: POINTER_FORMAT, generation, files: [...files].sort(), publishedAt: now.toISOString() };
}

/** Reads a pointer object's text; anything else is a storage fault naming the key. */
export function parsePointer(text: string, key: string): PartitionPointer {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new LakeError('STORAGE_FAILED', `${key} is not a partition pointer (not JSON)`, { cause });
  }
  if (
    typeof value === 'object' &&
    value !== null &&
    'format' in value &&
    value.format === POINTER_FORMAT &&
    'generation' in value &&
    typeof value.generation === 'string' &&
    /^[a-z0-9-]{1,64}$/.test(value.generation) &&
    'files' in value &&
    Array.isArray(value.files) &&
    value.files.every((file: unknown) => typeof file === 'string' && isVisibleKey(file)) &&
    'publishedAt' in value &&
    typeof value.publishedAt === 'string'
  ) {
    return { format: POINTER_FORMAT, generation: value.generation, files: value.files.filter((file: unknown): file is string => typeof file === 'string'), publishedAt: value.publishedAt };
  }
  throw new LakeError('STORAGE_FAILED', `${key} is not a ${POINTER_FORMAT} partition pointer`);
}

/** The partition prefix a pointer key belongs to (`…/dt=2026-11-24/_current.json` → `…/dt=2026-11-24/`), or undefined. */
export function partitionOfPointer(key: string): string | undefined {
  if (key === POINTER_NAME) return '';
  return key.endsWith(`/${POINTER_NAME}`) ? key.slice(0, -POINTER_NAME.length) : undefined;
}

/** A file as a reader sees it: its key in the lake's layout and the object holding its bytes. */
export interface ReaderFile {
  key: string;
  source: LakeFile;
}

/**
 * What a reader should see of a storage listing: in partitions with a pointer, exactly the files
 * of the pointed generation (at the partition's own keys); elsewhere the visible keys as they are.
 * `missing` names pointed files the listing lacks (a later publish removed them: list again).
 */
export function readerView(listing: readonly LakeFile[], pointers: ReadonlyMap<string, PartitionPointer>): { files: ReaderFile[]; missing: string[] } {
  const files: ReaderFile[] = [];
  const found = new Set<string>();
  for (const file of listing) {
    const partition = pointedPartitionOf(file.key, pointers);
    if (partition === undefined) {
      if (isVisibleKey(file.key)) files.push({ key: file.key, source: file });
      continue;
    }
    const pointer = pointers.get(partition);
    const current = pointer ? generationPrefix(partition, pointer.generation) : undefined;
    if (!pointer || !current || !file.key.startsWith(current)) continue;
    const relative = file.key.slice(current.length);
    if (!pointer.files.includes(relative)) continue;
    files.push({ key: partition + relative, source: file });
    found.add(partition + relative);
  }
  const missing: string[] = [];
  for (const [partition, pointer] of pointers) {
    for (const relative of pointer.files) if (!found.has(partition + relative)) missing.push(partition + relative);
  }
  return { files: files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)), missing };
}

/** The deepest partition prefix with a pointer that contains `key`, if any. */
function pointedPartitionOf(key: string, pointers: ReadonlyMap<string, PartitionPointer>): string | undefined {
  if (pointers.size === 0) return undefined;
  for (let end = key.lastIndexOf('/'); end >= 0; end = key.lastIndexOf('/', end - 1)) {
    const prefix = key.slice(0, end + 1);
    if (pointers.has(prefix)) return prefix;
    if (end === 0) break;
  }
  return pointers.has('') ? '' : undefined;
}
