import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { withDuckDb, type S3LakeStorage } from '@threadline/lake';
import { startS3Lake } from '@threadline/lake/testing';

import { ClickstreamCompactor } from '../delivery/compactor.js';
import { ClickstreamFlusher } from '../delivery/flusher.js';
import { rollupKey } from '../delivery/rollup.js';
import { storedEvent, toPayload } from '../delivery/testing/events.js';
import { SpoolWriter } from '../spool/writer.js';
import { SpoolSource } from '../stream/spool-source.js';

describe('lake on S3 (s3rver on loopback)', () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startS3Lake>>;
  let storage: S3LakeStorage;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tl-s3-'));
    server = await startS3Lake(path.join(dir, 's3'), 'lake-bucket');
    storage = server.storage;
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('puts, lists, downloads and deletes objects under Hive keys', async () => {
    const file = path.join(dir, 'a.txt');
    await writeFile(file, 'hello');
    await storage.put(file, 'raw/x/dt=2026-01-01/hour=00/a.txt');
    assert.deepEqual(await storage.list('raw/x/'), ['raw/x/dt=2026-01-01/hour=00/a.txt']);
    assert.equal(await storage.exists('raw/x/dt=2026-01-01/hour=00/a.txt'), true);
    await storage.download('raw/x/dt=2026-01-01/hour=00/a.txt', path.join(dir, 'b.txt'));
    assert.equal(await readFile(path.join(dir, 'b.txt'), 'utf8'), 'hello');
    await storage.delete(['raw/x/dt=2026-01-01/hour=00/a.txt', 'raw/x/missing']);
    assert.equal(await storage.exists('raw/x/dt=2026-01-01/hour=00/a.txt'), false);
  });

  it('flushes, dedupes against the partition, compacts and rolls up with the lake on S3', async () => {
    const spool = path.join(dir, 'spool');
    const events = Array.from({ length: 30 }, (_, i) => storedEvent({ event_time: Date.parse('2026-02-03T10:00:00Z') + i * 60_000 }));
    const writer = new SpoolWriter({ dir: spool });
    await writer.start();
    await writer.append(toPayload(events));
    await writer.append(toPayload(events.slice(0, 5))); // a replay of five ids
    await writer.close();
    const flusher = new ClickstreamFlusher({ source: new SpoolSource(spool), storage, stateDir: path.join(dir, 'state') });
    const results = await flusher.drain();
    flusher.close();
    assert.equal(results.reduce((n, r) => n + r.events, 0), 30);
    const compactor = new ClickstreamCompactor({ storage, stateDir: path.join(dir, 'state', 'c'), compactAfterMs: 0 });
    await compactor.compactDue();
    compactor.close();
    const keys = await storage.list('raw/clickstream/');
    assert.equal(keys.length, 1);
    assert.match(keys[0] ?? '', /^raw\/clickstream\/dt=2026-02-03\/hour=10\/compacted-/);
    const local = path.join(dir, 'check.parquet');
    await storage.download(keys[0] ?? '', local);
    const [row] = await withDuckDb((db) => db.all<{ n: bigint }>('SELECT count(DISTINCT event_id) AS n FROM read_parquet(?)', [local]));
    assert.equal(row?.n, 30n);
    assert.equal(await storage.exists(rollupKey('2026-02-03')), true);
  });
});
