import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';

import { SpoolSource } from '../stream/spool-source.js';
import { decodeRecords, encodeRecord } from './format.js';
import { listSegments, readSegment, recoverSegments, segmentName } from './segments.js';
import { SpoolWriter, remainingAfter } from './writer.js';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'tl-spool-'));
}

describe('spool', () => {
  it('frames records with length and checksum and stops at a corrupt record', () => {
    const a = encodeRecord(Buffer.from('{"a":1}\n'));
    const b = encodeRecord(Buffer.from('{"b":2}\n'));
    const corrupt = Buffer.from(b);
    corrupt[corrupt.length - 2] = 0x41;
    assert.equal(decodeRecords(Buffer.concat([a, b])).payloads.length, 2);
    const decoded = decodeRecords(Buffer.concat([a, corrupt]));
    assert.equal(decoded.payloads.length, 1);
    assert.equal(decoded.validBytes, a.length);
    assert.equal(decoded.hasTornTail, true);
  });

  it('acknowledges concurrent appends durably and reads them back in order per segment', async () => {
    const dir = await tempDir();
    try {
      const writer = new SpoolWriter({ dir, segmentBytes: 4096 });
      await writer.start();
      // four waves of 50 concurrent appends; a segment rotates between grouped writes
      for (let wave = 0; wave < 4; wave += 1) {
        await Promise.all(Array.from({ length: 50 }, (_, j) => writer.append(Buffer.from(`{"i":${wave * 50 + j},"pad":"${'x'.repeat(60)}"}\n`))));
      }
      await writer.close();
      const segments = await listSegments(dir);
      assert.ok(segments.length > 1, 'rotated past segmentBytes');
      assert.ok(segments.every((s) => s.isSealed));
      const source = new SpoolSource(dir);
      const batch = await source.read({}, 1 << 20);
      const values = batch.payloads.map((p) => Number(JSON.parse(p.toString()).i)).sort((x, y) => x - y);
      assert.deepEqual(values, Array.from({ length: 200 }, (_, i) => i));
      await source.release(batch.position);
      assert.deepEqual(await readdir(dir), [], 'delivered sealed segments are deleted');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads a backlog batch by batch into one reused buffer, every record once, across segments and cut records', async () => {
    const dir = await tempDir();
    try {
      const writer = new SpoolWriter({ dir, segmentBytes: 4096 });
      await writer.start();
      for (let i = 0; i < 300; i += 1) await writer.append(Buffer.from(`{"i":${i},"pad":"${'y'.repeat(i % 90)}"}\n`));
      await writer.close();
      assert.ok((await listSegments(dir)).length > 3, 'several segments');
      const source = new SpoolSource(dir);
      const seen: number[] = [];
      let position = {};
      let first: ArrayBufferLike | undefined;
      const hasMore: boolean[] = [];
      // 3,001 bytes: batches end inside records and inside segments
      for (let round = 0; round < 100; round += 1) {
        const batch = await source.read(position, 3001);
        if (batch.payloads.length === 0) break;
        first ??= batch.payloads[0]?.buffer;
        assert.equal(batch.payloads[0]?.buffer, first, 'every batch lands in the same buffer');
        // parsed before the next read writes over them
        seen.push(...batch.payloads.map((p) => Number(JSON.parse(p.toString()).i)));
        position = batch.position;
        hasMore.push(batch.hasMore);
      }
      // every batch but the last was cut by the budget with records left behind it
      assert.deepEqual(hasMore, [...hasMore.slice(0, -1).map(() => true), false]);
      assert.ok(hasMore.length > 3);
      // a batch cut inside one segment goes on into the next (positions are per segment), so sorted
      assert.deepEqual(seen.sort((x, y) => x - y), Array.from({ length: 300 }, (_, i) => i));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('writes a group larger than one writev (IOV_MAX) as intact records, in order', async () => {
    const dir = await tempDir();
    try {
      const writer = new SpoolWriter({ dir });
      await writer.start();
      // 1,500 concurrent appends: one group of 3,000 buffers (header + payload each), past Linux's IOV_MAX of 1,024
      const payloads = Array.from({ length: 1500 }, (_, i) => Buffer.from(`{"i":${i}}\n`));
      await Promise.all(payloads.map((payload) => writer.append(payload)));
      await writer.close();
      const [segment, ...more] = await listSegments(dir);
      assert.equal(more.length, 0);
      assert.ok(segment);
      const read = await readSegment(segment.path, 0, 1 << 20);
      assert.deepEqual(read.payloads.map((p) => p.toString()), payloads.map((p) => p.toString()));
      assert.equal((await stat(segment.path)).size, payloads.reduce((sum, p) => sum + 8 + p.length, 0));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('resumes a short gathered write at the first byte not yet written', () => {
    const a = Buffer.from('header');
    const b = Buffer.from('payload');
    const c = Buffer.from('next');
    assert.deepEqual(remainingAfter([a, b, c], 0).map(String), ['header', 'payload', 'next']);
    assert.deepEqual(remainingAfter([a, b, c], 6).map(String), ['payload', 'next']);
    assert.deepEqual(remainingAfter([a, b, c], 9).map(String), ['load', 'next']);
    assert.deepEqual(remainingAfter([a, b, c], 17).map(String), []);
  });

  it('truncates only the torn tail of a dead writer and seals the segment', async () => {
    const dir = await tempDir();
    try {
      // pid 2^22+1 is above Linux's pid_max default: never alive
      const file = path.join(dir, segmentName(Date.now(), 4194305, 'abcd', 1, false));
      const good = Buffer.concat([encodeRecord(Buffer.from('{"x":1}\n')), encodeRecord(Buffer.from('{"x":2}\n'))]);
      await appendFile(file, good);
      await appendFile(file, encodeRecord(Buffer.from('{"x":3}\n')).subarray(0, 10));
      const result = await recoverSegments(dir);
      assert.deepEqual(result, { sealed: 1, truncatedBytes: 10 });
      const [segment] = await listSegments(dir);
      assert.ok(segment?.isSealed);
      assert.equal((await stat(segment.path)).size, good.length);
      const read = await readSegment(segment.path, 0, 1 << 20);
      assert.equal(read.payloads.length, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses appends with a retry hint when the spool is over its size limit', async () => {
    const dir = await tempDir();
    try {
      const writer = new SpoolWriter({ dir, maxSpoolBytes: 100 });
      await writer.start();
      await writer.append(Buffer.alloc(120, 0x61));
      const health = await writer.health();
      assert.equal(health?.reason, 'full');
      await assert.rejects(writer.append(Buffer.from('x')), (e: unknown) => e instanceof Error && 'code' in e && e.code === 'SPOOL_UNAVAILABLE');
      await writer.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
