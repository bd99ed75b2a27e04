import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { readDuckDbMemory, withDuckDb, LocalLakeStorage } from '@threadline/lake';

import type { StoredEvent } from '../collect/event.js';
import { SpoolWriter } from '../spool/writer.js';
import { SpoolSource } from '../stream/spool-source.js';
import { loadClickstreamSettings } from '../collect/settings.js';
import { ClickstreamCompactor } from './compactor.js';
import { DeliveryLoop } from './delivery-loop.js';
import { ClickstreamFlusher } from './flusher.js';
import { rebuildDayRollup, rollupKey } from './rollup.js';
import { storedEvent, toPayload } from './testing/events.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOUR = 3600_000;

interface Dirs {
  root: string;
  spool: string;
  lake: string;
  state: string;
}

async function makeDirs(): Promise<Dirs> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'tl-delivery-'));
  return { root, spool: path.join(root, 'spool'), lake: path.join(root, 'lake'), state: path.join(root, 'state') };
}

async function lakeIds(lake: string, dataset = 'clickstream'): Promise<string[]> {
  const files = await new LocalLakeStorage(lake).list(`raw/${dataset}/`);
  if (files.length === 0) return [];
  return withDuckDb(async (db) => {
    const rows = await db.all<{ id: string }>('SELECT event_id::VARCHAR AS id FROM read_parquet(?, hive_partitioning = false)', [path.join(lake, 'raw', dataset, '**', '*.parquet')]);
    return rows.map((r) => r.id);
  });
}

/** Spools `events` and flushes them into the lake (one writer, one drained flusher). */
async function deliver(dirs: Dirs, storage: LocalLakeStorage, events: readonly StoredEvent[]): Promise<void> {
  const writer = new SpoolWriter({ dir: dirs.spool });
  await writer.start();
  await writer.append(toPayload(events));
  await writer.close();
  const flusher = new ClickstreamFlusher({ source: new SpoolSource(dirs.spool), storage, stateDir: dirs.state });
  await flusher.drain();
  flusher.close();
}

function runChild(dirs: Dirs, maxBytes: number, killAfterMs: number | undefined): Promise<'drained' | 'killed'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'testing', 'flush-child.ts'), dirs.spool, dirs.lake, dirs.state, String(maxBytes)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0 && out.includes('drained')) resolve('drained');
      else reject(new Error(`flush child failed (${code}): ${err}`));
    });
  });
}

describe('clickstream delivery', () => {
  let dirs: Dirs;
  before(async () => {
    dirs = await makeDirs();
  });
  after(async () => rm(dirs.root, { recursive: true, force: true }));

  it('delivers every acknowledged event exactly once although the flusher is killed -9 again and again', async () => {
    const writer = new SpoolWriter({ dir: dirs.spool, segmentBytes: 256 * 1024 });
    await writer.start();
    const ids: string[] = [];
    // whole past hours, so every event lies in a finished hour whatever the minute the test runs at
    // (from now - 5 h, the last events fell into the current hour in a run's last two minutes of an hour)
    const base = Math.floor(Date.now() / HOUR) * HOUR - 6 * HOUR;
    for (let batch = 0; batch < 120; batch += 1) {
      const events = Array.from({ length: 20 }, (_, i) => storedEvent({ event_time: base + ((batch * 20 + i) % 5) * HOUR + batch * 1000 }));
      ids.push(...events.map((e) => e.event_id));
      await writer.append(toPayload(events));
    }
    await writer.close();
    // many small flushes so kills land before, during and after manifest commits
    const kills = [400, 700, 1000, 1300, 1700];
    let outcomes: string[] = [];
    for (const ms of kills) outcomes.push(await runChild(dirs, 40_000, ms));
    outcomes.push(await runChild(dirs, 40_000, undefined));
    assert.ok(outcomes.includes('killed'), `at least one kill landed: ${outcomes.join(',')}`);
    const delivered = await lakeIds(dirs.lake);
    assert.equal(delivered.length, ids.length, 'no loss, no duplicates');
    assert.deepEqual(new Set(delivered), new Set(ids));
    assert.deepEqual(await readdir(dirs.spool), [], 'delivered segments deleted');
    outcomes = [];
  });

  it('stores an event once when the spool holds it twice, and reads lines written with every column (before null columns were left out)', async () => {
    const own = await makeDirs();
    try {
      const writer = new SpoolWriter({ dir: own.spool });
      await writer.start();
      const at = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
      const events = Array.from({ length: 30 }, (_, i) => storedEvent({ event_time: at + i * 1000, received_at: at + 60_000, path: '/first', search_query: i % 2 === 0 ? 'linen' : null }));
      await writer.append(Buffer.from(`${events.map((e) => JSON.stringify(e)).join('\n')}\n`));
      // the same ids again, received later (a retry that reached another API process)
      await writer.append(toPayload(events.map((e) => ({ ...e, received_at: at + 120_000, path: '/retried' }))));
      await writer.close();
      const flusher = new ClickstreamFlusher({ source: new SpoolSource(own.spool), storage: new LocalLakeStorage(own.lake), stateDir: own.state });
      const results = await flusher.drain();
      flusher.close();
      assert.equal(results.reduce((n, r) => n + r.events, 0), 30);
      assert.equal(results.reduce((n, r) => n + r.duplicates, 0), 30);
      const rows = await withDuckDb((db) =>
        db.all<{ path: string; query: string | null }>('SELECT path, search_query AS query FROM read_parquet(?, hive_partitioning = false) ORDER BY event_time', [path.join(own.lake, 'raw', 'clickstream', '**', '*.parquet')]),
      );
      assert.equal(rows.length, 30);
      assert.ok(rows.every((r) => r.path === '/first'), 'the first received copy is kept');
      assert.deepEqual(rows.map((r) => r.query).slice(0, 2), ['linen', null]);
    } finally {
      await rm(own.root, { recursive: true, force: true });
    }
  });

  it('files each event under its UTC day and zero-padded hour at the edges, from a batch of more payloads than one vectored write takes', async () => {
    const own = await makeDirs();
    try {
      const writer = new SpoolWriter({ dir: own.spool });
      await writer.start();
      const edges = ['2026-03-08T00:00:00.000Z', '2026-03-08T09:59:59.999Z', '2026-03-08T10:00:00.000Z', '2026-03-08T23:59:59.999Z', '2026-03-09T00:00:00.000Z', '2028-02-29T05:30:00.000Z'];
      const expected = new Map<string, string>();
      // 2,500 one-event payloads: the input file is written in chunks of 1,024 buffers
      for (let i = 0; i < 2500; i += 1) {
        const at = edges[i % edges.length] ?? '';
        const event = storedEvent({ event_time: Date.parse(at) });
        expected.set(event.event_id, `dt=${at.slice(0, 10)}/hour=${at.slice(11, 13)}`);
        await writer.append(toPayload([event]));
      }
      await writer.close();
      const flusher = new ClickstreamFlusher({ source: new SpoolSource(own.spool), storage: new LocalLakeStorage(own.lake), stateDir: own.state });
      const results = await flusher.drain();
      flusher.close();
      assert.equal(results.length, 1);
      assert.deepEqual(results[0]?.partitions, ['dt=2026-03-08/hour=00', 'dt=2026-03-08/hour=09', 'dt=2026-03-08/hour=10', 'dt=2026-03-08/hour=23', 'dt=2026-03-09/hour=00', 'dt=2028-02-29/hour=05']);
      const rows = await withDuckDb((db) =>
        db.all<{ id: string; file: string }>('SELECT event_id::VARCHAR AS id, filename AS file FROM read_parquet(?, hive_partitioning = false, filename = true)', [path.join(own.lake, 'raw', 'clickstream', '**', '*.parquet')]),
      );
      assert.equal(rows.length, 2500);
      for (const { id, file } of rows) assert.ok(file.includes(`/${expected.get(id) ?? 'missing'}/`), `${id} in ${file}`);
    } finally {
      await rm(own.root, { recursive: true, force: true });
    }
  });

  it('compacts finished hours into one file per hour with the same events, and sends later arrivals to the late partition', async () => {
    const storage = new LocalLakeStorage(dirs.lake);
    const before = await lakeIds(dirs.lake);
    const compactor = new ClickstreamCompactor({ storage, stateDir: path.join(dirs.state, 'compactor'), compactAfterMs: 0 });
    const { compacted, rollupDays } = await compactor.compactDue();
    assert.ok(compacted.length >= 5);
    const hourFiles = await storage.list('raw/clickstream/');
    const byPartition = new Map<string, number>();
    for (const key of hourFiles) byPartition.set(path.posix.dirname(key), (byPartition.get(path.posix.dirname(key)) ?? 0) + 1);
    assert.ok([...byPartition.values()].every((n) => n === 1), 'one file per hour');
    assert.deepEqual(new Set(await lakeIds(dirs.lake)), new Set(before));
    assert.equal((await lakeIds(dirs.lake)).length, before.length);
    for (const day of rollupDays) assert.ok(await storage.exists(rollupKey(day)));

    // a late event for a compacted hour: its own partition, then merged by the next compaction
    const firstKey = hourFiles[0] ?? '';
    const match = /dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})/.exec(firstKey);
    assert.ok(match);
    const lateTime = Date.parse(`${match[1]}T${match[2]}:30:00Z`);
    const late = storedEvent({ event_time: lateTime });
    const writer = new SpoolWriter({ dir: dirs.spool });
    await writer.start();
    await writer.append(toPayload([late]));
    await writer.close();
    const flusher = new ClickstreamFlusher({ source: new SpoolSource(dirs.spool), storage, stateDir: dirs.state });
    const result = await flusher.flushOnce();
    flusher.close();
    assert.equal(result?.late, 1);
    assert.deepEqual(await lakeIds(dirs.lake, 'clickstream_late'), [late.event_id]);
    await compactor.compactDue();
    assert.deepEqual(await lakeIds(dirs.lake, 'clickstream_late'), []);
    const all = await lakeIds(dirs.lake);
    assert.equal(all.length, before.length + 1);
    assert.ok(all.includes(late.event_id));
    compactor.close();
  });

  it('rolls up visits, sessions, visitors and conversions per hour with exact counts', async () => {
    const local = await makeDirs();
    try {
      const storage = new LocalLakeStorage(local.lake);
      const t = Date.parse('2026-03-08T06:10:00Z');
      const events = [
        storedEvent({ event_time: t, visitor_id: 'visitor_a', session_id: 'session_a1' }),
        storedEvent({ event_time: t + 60_000, visitor_id: 'visitor_a', session_id: 'session_a1', event_type: 'product_view' }),
        storedEvent({ event_time: t + 120_000, visitor_id: 'visitor_a', session_id: 'session_a1', event_type: 'order_paid', value_cents: 4999 }),
        storedEvent({ event_time: t + 180_000, visitor_id: 'visitor_b', session_id: 'session_b1' }),
        storedEvent({ event_time: t + 240_000, event_type: 'access_log', visitor_id: 'anonymous', session_id: 'anonymous', tier: 'api', http_method: 'GET', http_route: '/', http_status: 200, duration_ms: 1 }),
      ];
      await deliver(local, storage, events);
      const compactor = new ClickstreamCompactor({ storage, stateDir: path.join(local.state, 'c'), compactAfterMs: 0 });
      await compactor.compactDue();
      compactor.close();
      const rows = await withDuckDb((db) =>
        db.all('SELECT hour_utc::VARCHAR AS h, local_hour::VARCHAR AS lh, page_views, sessions, visitors, conversions, revenue_cents, requests FROM read_parquet(?)', [storage.localPath(rollupKey('2026-03-08'))]),
      );
      // 06:10 UTC on the US DST-change day is 01:10 EST (the clocks jump at 02:00 local)
      assert.deepEqual(rows, [{ h: '2026-03-08 06:00:00+00', lh: '2026-03-08 01:00:00', page_views: 3n, sessions: 2n, visitors: 2n, conversions: 1n, revenue_cents: 4999n, requests: 1n }]);
    } finally {
      await rm(local.root, { recursive: true, force: true });
    }
  });

  it('recomputes only the hours that changed and gets the same rollup as a whole-day rebuild', async () => {
    const local = await makeDirs();
    try {
      const storage = new LocalLakeStorage(local.lake);
      const day = '2026-03-09';
      const at = (hour: number, minute: number): number => Date.parse(`${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`);
      // hours 3, 4 and 9: visitors returning across hours, a conversion, a half-hour zone
      await deliver(local, storage, [
        storedEvent({ event_time: at(3, 5), visitor_id: 'visitor_a', session_id: 'session_a' }),
        storedEvent({ event_time: at(3, 50), visitor_id: 'visitor_b', session_id: 'session_b', time_zone: 'Asia/Kolkata' }),
        storedEvent({ event_time: at(4, 10), visitor_id: 'visitor_a', session_id: 'session_a', event_type: 'order_paid', value_cents: 1200 }),
        storedEvent({ event_time: at(9, 0), visitor_id: 'visitor_c', session_id: 'session_c' }),
      ]);
      const dbRows = (file: string): Promise<unknown[]> =>
        withDuckDb((db) => db.all('SELECT * EXCLUDE (hour_utc, local_hour), hour_utc::VARCHAR AS h, local_hour::VARCHAR AS lh FROM read_parquet(?) ORDER BY ALL', [file]));
      const rollupFile = storage.localPath(rollupKey(day)) ?? '';
      await withDuckDb((db) => rebuildDayRollup(db, storage, path.join(local.state, 'r'), day));
      // more events in hour 4 (a new visitor, a repeat of visitor_a) and a first one in hour 11
      await deliver(local, storage, [
        storedEvent({ event_time: at(4, 40), visitor_id: 'visitor_d', session_id: 'session_d' }),
        storedEvent({ event_time: at(4, 45), visitor_id: 'visitor_a', session_id: 'session_a' }),
        storedEvent({ event_time: at(11, 15), visitor_id: 'visitor_e', session_id: 'session_e', event_type: 'product_view' }),
      ]);
      const partial = await withDuckDb(async (db) => {
        const rows = await rebuildDayRollup(db, storage, path.join(local.state, 'r'), day, { hours: [4, 11] });
        return { rows, content: await dbRows(rollupFile) };
      });
      const whole = await withDuckDb(async (db) => {
        const rows = await rebuildDayRollup(db, storage, path.join(local.state, 'r'), day);
        return { rows, content: await dbRows(rollupFile) };
      });
      assert.deepEqual(partial, whole);
      // hour 4 now counts two visitors and sessions, and the hours not recomputed were kept
      const hours = (whole.content as { h: string; visitors: bigint }[]).map((row) => `${row.h.slice(11, 13)}:${row.visitors}`);
      assert.deepEqual(hours.sort(), ['03:1', '03:1', '04:2', '09:1', '11:1']);
      // a rollup file of an older shape is rebuilt whole, not merged with rows it cannot match
      await withDuckDb((db) => db.run(`COPY (SELECT hour_utc, page_views FROM read_parquet('${rollupFile}')) TO '${rollupFile}.old' (FORMAT parquet)`));
      await rm(rollupFile);
      await withDuckDb((db) => db.run(`COPY (SELECT * FROM read_parquet('${rollupFile}.old')) TO '${rollupFile}' (FORMAT parquet)`));
      await rm(`${rollupFile}.old`);
      const rebuilt = await withDuckDb(async (db) => {
        const rows = await rebuildDayRollup(db, storage, path.join(local.state, 'r'), day, { hours: [9] });
        return { rows, content: await dbRows(rollupFile) };
      });
      assert.deepEqual(rebuilt, whole);
      // the hours not named are not read again: with hour 3's raw files gone, its rows stay as they were
      await storage.delete(await storage.list(`raw/clickstream/dt=${day}/hour=03/`));
      const kept = await withDuckDb(async (db) => {
        await rebuildDayRollup(db, storage, path.join(local.state, 'r'), day, { hours: [4] });
        return dbRows(rollupFile);
      });
      assert.deepEqual(kept, whole.content);

    } finally {
      await rm(local.root, { recursive: true, force: true });
    }
  });

  it('closes the rollup DuckDB after each rebuild, so it holds no memory until the next compaction', async () => {
    const local = await makeDirs();
    const settings = { ...loadClickstreamSettings(local.root, {}), spoolDir: local.spool, flusherStateDir: local.state };
    const storage = new LocalLakeStorage(local.lake);
    const loop = new DeliveryLoop(settings, new SpoolSource(local.spool), storage, { info: () => undefined, error: () => undefined });
    const writer = new SpoolWriter({ dir: local.spool });
    await writer.start();
    try {
      const at = new Date();
      await writer.append(toPayload(Array.from({ length: 50 }, (_, i) => storedEvent({ path: `/products/${i}` }))));
      await loop.tick({ force: true });
      const day = at.toISOString().slice(0, 10);
      assert.ok(await storage.exists(rollupKey(day)), 'the tick rebuilt the rollup of the hour it flushed');
      const open = (await readDuckDbMemory()).filter((entry) => entry.label === 'clickstream-compact');
      assert.deepEqual(open, [], 'the compactor DuckDB is closed after the rebuild');
    } finally {
      await writer.close();
      await loop.stop();
      await rm(local.root, { recursive: true, force: true });
    }
  });

  // the former loop flushed until the spool was empty, so a tick never ended while events kept arriving: bounded
  it('flushes once per due tick while events keep arriving, and again at once only while a backlog beyond flushMaxBytes remains', { timeout: 60_000 }, async () => {
    const local = await makeDirs();
    const flushes: number[] = [];
    const logger = { info: (details: object, message: string) => (message === 'flushed clickstream to the lake' && 'events' in details ? flushes.push(Number(details.events)) : undefined), error: () => undefined };
    const settings = { ...loadClickstreamSettings(local.root, {}), spoolDir: local.spool, flusherStateDir: local.state, flushMaxBytes: 64 * 1024 };
    const source = new SpoolSource(local.spool);
    const loop = new DeliveryLoop(settings, source, new LocalLakeStorage(local.lake), logger);
    const writer = new SpoolWriter({ dir: local.spool });
    await writer.start();
    try {
      // a backlog of ~3.5 flushMaxBytes: one tick takes it in batches until none is left over
      for (let i = 0; i < 40; i += 1) await writer.append(toPayload(Array.from({ length: 20 }, () => storedEvent({ path: `/products/${i}/${'x'.repeat(200)}` }))));
      const backlog = await source.pendingBytes({});
      assert.ok(backlog > 3 * settings.flushMaxBytes, `backlog ${backlog} bytes`);
      await loop.tick({ force: true });
      assert.equal(flushes.length, Math.ceil(backlog / settings.flushMaxBytes), `flushes of ${flushes.join(', ')} events`);
      assert.equal(flushes.reduce((sum, events) => sum + events, 0), 800);
      assert.equal(await source.pendingBytes((await loop.flusher.checkpoint()).position), 0);

      // events arriving while a due tick flushes wait for the next tick: one flush, not one per arrival
      flushes.length = 0;
      await writer.append(toPayload([storedEvent()]));
      let isTicking = true;
      let appended = 0;
      const appending = (async () => {
        while (isTicking) {
          await writer.append(toPayload([storedEvent()]));
          appended += 1;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      await loop.tick({ force: true });
      isTicking = false;
      await appending;
      assert.ok(appended > 0, 'events arrived during the tick');
      assert.equal(flushes.length, 1, `flushes of ${flushes.join(', ')} events in one tick`);
      assert.ok(await source.pendingBytes((await loop.flusher.checkpoint()).position) > 0, 'the arrivals wait in the spool');
    } finally {
      await writer.close();
      await loop.stop();
      await rm(local.root, { recursive: true, force: true });
    }
  });
});
