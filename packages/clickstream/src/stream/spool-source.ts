import { rm } from 'node:fs/promises';

import { listSegments, readSegment, recoverSegments } from '../spool/segments.js';
import type { StreamBatch, StreamPosition, StreamSource } from './stream.js';

/**
 * The local spool as a stream source. Position: `{ <segment id>: <byte offset> }`. Segments that
 * are sealed and fully delivered are deleted on `release`.
 */
export class SpoolSource implements StreamSource {
  readonly kind = 'spool' as const;

  constructor(private readonly dir: string) {}

  /** Seals segments of crashed writers (torn tails truncated) so they can be finished and deleted. */
  async recover(): Promise<{ sealed: number; truncatedBytes: number }> {
    return recoverSegments(this.dir);
  }

  async read(from: StreamPosition, maxBytes: number): Promise<StreamBatch> {
    const payloads: Buffer[] = [];
    const position: StreamPosition = {};
    let bytes = 0;
    for (const segment of await listSegments(this.dir)) {
      const start = typeof from[segment.id] === 'number' ? Number(from[segment.id]) : 0;
      position[segment.id] = start;
      if (bytes >= maxBytes || start >= segment.size) continue;
      try {
        const result = await readSegment(segment.path, start, maxBytes - bytes);
        for (const p of result.payloads) if (p.length > 0) payloads.push(p);
        bytes += result.nextOffset - start;
        position[segment.id] = result.nextOffset;
      } catch (error) {
        // sealed between listing and open: read it next round under its new name
        if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')) throw error;
      }
    }
    return { payloads, position, bytes };
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
