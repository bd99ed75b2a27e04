import { open, readdir, rename, stat, truncate } from 'node:fs/promises';
import path from 'node:path';

import { MAX_RECORD_BYTES, RECORD_HEADER_BYTES, decodeRecords } from './format.js';

/**
 * Segment files: `seg-<startMs>-<pid>-<nonce>-<seq>.open` while a writer appends to them, renamed
 * to `.sealed` when the writer rotates, stops, abandons it after an I/O error, or — after a crash —
 * when recovery finds its writer process gone. The id (name without suffix) never changes, so a
 * reader's checkpoint survives the rename.
 */
export interface SegmentInfo {
  id: string;
  path: string;
  isSealed: boolean;
  size: number;
  pid: number;
}

const SEGMENT_NAME = /^(seg-(\d{13})-(\d+)-([0-9a-f]+)-(\d{6}))\.(open|sealed)$/;

/** Lists segments in name (≈ creation) order. */
export async function listSegments(dir: string): Promise<SegmentInfo[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
  const segments: SegmentInfo[] = [];
  for (const name of names.sort()) {
    const match = SEGMENT_NAME.exec(name);
    if (!match) continue;
    const file = path.join(dir, name);
    try {
      const info = await stat(file);
      segments.push({ id: match[1] ?? name, path: file, isSealed: match[6] === 'sealed', size: info.size, pid: Number(match[3]) });
    } catch (error) {
      // renamed (sealed) or deleted between readdir and stat: the next listing sees it
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
  return segments;
}

export function segmentName(startMs: number, pid: number, nonce: string, seq: number, isSealed: boolean): string {
  return `seg-${String(startMs).padStart(13, '0')}-${pid}-${nonce}-${String(seq).padStart(6, '0')}.${isSealed ? 'sealed' : 'open'}`;
}

/** True when a process with this pid exists on this host. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}

export interface ReadResult {
  payloads: Buffer[];
  nextOffset: number;
  hasTornTail: boolean;
}

/**
 * Reads complete valid records from `offset`, up to about `maxBytes` of payload. With `into` (at
 * least as long as the read) the bytes land there and the payloads are views of it, valid until
 * the caller writes over it; otherwise in a new buffer.
 */
export async function readSegment(file: string, offset: number, maxBytes: number, into?: Buffer): Promise<ReadResult> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.max(0, Math.min(size - offset, maxBytes));
    if (length === 0) return { payloads: [], nextOffset: offset, hasTornTail: false };
    const buffer = into && into.length >= length ? into : Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const decoded = decodeRecords(buffer.subarray(0, read));
    // A record cut by maxBytes is not torn; only what stands at the end of the file can be.
    const isAtEnd = offset + read >= size;
    if (decoded.payloads.length === 0 && !isAtEnd) {
      // the first record alone is larger than maxBytes: read exactly that record
      const header = Buffer.alloc(4);
      await handle.read(header, 0, 4, offset);
      const need = header.readUInt32LE(0) + RECORD_HEADER_BYTES;
      if (need > maxBytes && need <= MAX_RECORD_BYTES + RECORD_HEADER_BYTES) return readSegment(file, offset, need);
      return { payloads: [], nextOffset: offset, hasTornTail: true };
    }
    return { payloads: decoded.payloads, nextOffset: offset + decoded.validBytes, hasTornTail: decoded.hasTornTail && isAtEnd };
  } finally {
    await handle.close();
  }
}

/**
 * Crash recovery: every `.open` segment whose writer process is gone gets its torn tail (if any)
 * truncated and is sealed. Returns the number of bytes truncated, for the log. Safe to run from
 * the API (on start) and the worker (flusher start) at the same time: truncation keeps exactly the
 * valid prefix, which is the same for both.
 */
export async function recoverSegments(dir: string): Promise<{ sealed: number; truncatedBytes: number }> {
  let sealed = 0;
  let truncatedBytes = 0;
  for (const segment of await listSegments(dir)) {
    if (segment.isSealed || segment.pid === process.pid || isProcessAlive(segment.pid)) continue;
    const { validBytes } = await scanValidPrefix(segment.path);
    if (validBytes < segment.size) {
      await truncate(segment.path, validBytes);
      truncatedBytes += segment.size - validBytes;
    }
    const handle = await open(segment.path, 'r+');
    await handle.datasync();
    await handle.close();
    try {
      await rename(segment.path, segment.path.replace(/\.open$/, '.sealed'));
      sealed += 1;
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
  }
  return { sealed, truncatedBytes };
}

async function scanValidPrefix(file: string): Promise<{ validBytes: number }> {
  let offset = 0;
  for (;;) {
    const result = await readSegment(file, offset, 8 * 1024 * 1024);
    if (result.nextOffset === offset) return { validBytes: offset };
    offset = result.nextOffset;
  }
}

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}
