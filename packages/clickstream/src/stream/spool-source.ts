import { rm } from 'node:fs/promises';

import { listSegments, readSegment, recoverSegments } from '../spool/segments.js';
import type { StreamBatch, StreamPosition, StreamSource } from './stream.js';

/**
 * The local spool as a stream source. Position: `{ <segment id>: <byte offset> }`. Segments that
 * are sealed and fully delivered are deleted on `release`.
 */
export class SpoolSource implements StreamSource {
  readonly kind = 'spool' as const;

  /**
   * The bytes of the last read, kept for the next: a fresh 64 MB buffer per flush page-faults on
   * every 4 KB it is first written (59 against 16 ms per 64 MB read on the 2-core host). Only the
   * pages a read reached are resident.
   */
  private scratch: Buffer | undefined;

  constructor(private readonly dir: string) {}

  /** Seals segments of crashed writers (torn tails truncated) so they can be finished and deleted. */
  async recover(): Promise<{ sealed: number; truncatedBytes: number }> {
    return recoverSegments(this.dir);
  }

  async read(from: StreamPosition, maxBytes: number): Promise<StreamBatch> {
    const payloads: Buffer[] = [];
    const position: StreamPosition = {};
    let bytes = 0;
    let hasMore = false;
    if (!this.scratch || this.scratch.length < maxBytes) this.scratch = Buffer.allocUnsafe(maxBytes);
    const scratch = this.scratch;
    for (const segment of await listSegments(this.dir)) {
      const start = typeof from[segment.id] === 'number' ? Number(from[segment.id]) : 0;
      position[segment.id] = start;
      if (start >= segment.size) continue;
      // what the listing saw beyond the budget waits for the next read (bytes written since wait for the next flush)
      if (segment.size - start > maxBytes - bytes) hasMore = true;
      if (bytes >= maxBytes) continue;
      try {
        // each segment's records follow the previous one's valid records in the scratch buffer
        // (valid bytes so far = `bytes`, and a read never asks for more than maxBytes - bytes)
        const result = await readSegment(segment.path, start, maxBytes - bytes, scratch.subarray(bytes));
        for (const p of result.payloads) if (p.length > 0) payloads.push(p);
        bytes += result.nextOffset - start;
        position[segment.id] = result.nextOffset;
      } catch (error) {
        // sealed between listing and open: read it next round under its new name
        if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')) throw error;
      }
    }
    return { payloads, position, bytes, hasMore };
  }

  async release(position: StreamPosition): Promise<void> {
    for (const segment of await listSegments(this.dir)) {
      if (!segment.isSealed) continue;
      const offset = position[segment.id];
      if (typeof offset !== 'number') continue;
      // delivered up to the last valid record: whatever follows is a torn tail nobody acknowledged
      const rest = await readSegment(segment.path, offset, 64 * 1024);
      if (rest.payloads.length === 0 && rest.nextOffset === offset) await rm(segment.path, { force: true });
    }
  }

  /** Bytes not yet delivered (for the flusher's size trigger and the backlog metric). */
  async pendingBytes(from: StreamPosition): Promise<number> {
    let pending = 0;
    for (const segment of await listSegments(this.dir)) {
      const start = typeof from[segment.id] === 'number' ? Number(from[segment.id]) : 0;
      pending += Math.max(0, segment.size - start);
    }
    return pending;
  }
}
