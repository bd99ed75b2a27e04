import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { LocalLakeStorage, openDuckDb } from '@threadline/lake';

import { generateDemoTraffic } from './traffic.js';

describe('demo web traffic', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'demo-traffic-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('ends at the present moment: nothing from the current UTC hour on, and the last hours are filled', async () => {
    const end = new Date('2026-11-24T15:37:00Z');
    const lake = path.join(dir, 'lake');
    const result = await generateDemoTraffic({ storage: new LocalLakeStorage(lake), workDir: dir, events: 20_000, days: 3, end, seed: 7, threads: 1 });
    assert.ok(result.events > 10_000, `events: ${result.events}`);
    const db = await openDuckDb({ threads: 1 });
    try {
      const [row] = await db.all<{ last: string; lastReceived: string; hours: number; future: number }>(
        `SELECT strftime(max(event_time), '%Y-%m-%dT%H:%M:%S') AS last, strftime(max(received_at), '%Y-%m-%dT%H:%M:%S') AS "lastReceived",
                count(DISTINCT dt || hour)::INTEGER AS hours, count(*) FILTER (WHERE received_at >= TIMESTAMPTZ '2026-11-24 15:00:00+00')::INTEGER AS future
           FROM read_parquet('${path.join(lake, 'raw', 'clickstream', '**', '*.parquet')}', hive_partitioning = true)`,
      );
      assert.ok(row);
      assert.equal(row.future, 0);
      assert.ok(row.lastReceived < '2026-11-24T15:00:00', `last received ${row.lastReceived}`);
      // the demo reaches the hour before the present, not hours earlier
      assert.ok(row.last >= '2026-11-24T14:00:00', `last event ${row.last}`);
      const [partition] = await db.all<{ latest: string }>(
        `SELECT max(dt || 'T' || hour) AS latest FROM read_parquet('${path.join(lake, 'raw', 'clickstream', '**', '*.parquet')}', hive_partitioning = true)`,
      );
      assert.equal(partition?.latest, '2026-11-24T14');
      const [misplaced] = await db.all<{ n: number }>(
        `SELECT count(*)::INTEGER AS n FROM read_parquet('${path.join(lake, 'raw', 'clickstream', '**', '*.parquet')}', hive_partitioning = true)
          WHERE strftime(event_time AT TIME ZONE 'UTC', '%Y-%m-%d/%H') <> strftime(dt, '%Y-%m-%d') || '/' || hour`,
      );
      assert.equal(misplaced?.n, 0, 'every event lies in the UTC hour partition it is filed under');
    } finally {
      db.close();
    }
  });
  it('visits products in proportion to the weights given, and refuses weights that do not fit the products', async () => {
    const lake = path.join(dir, 'weighted');
    const end = new Date('2026-11-24T15:37:00Z');
    const productIds = ['11', '12', '13', '14'];
    await generateDemoTraffic({ storage: new LocalLakeStorage(lake), workDir: dir, events: 40_000, days: 2, end, seed: 9, threads: 1, productIds, productWeights: [6, 3, 1, 0] });
    const db = await openDuckDb({ threads: 1 });
    try {
      const rows = await db.all<{ page: string; n: number }>(
        `SELECT path AS page, count(*)::INTEGER AS n FROM read_parquet('${path.join(lake, 'raw', 'clickstream', '**', '*.parquet')}', hive_partitioning = true)
          WHERE event_type IN ('product_view', 'add_to_cart') GROUP BY 1`,
      );
      const count = (id: string): number => rows.find((row) => row.page === `/products/${id}`)?.n ?? 0;
      const total = rows.reduce((sum, row) => sum + row.n, 0);
      assert.ok(total > 10_000, `${total} product events`);
      assert.equal(count('14'), 0, 'a product of weight 0 is never visited');
      for (const [id, share] of [['11', 0.6], ['12', 0.3], ['13', 0.1]] as const) {
        assert.ok(Math.abs(count(id) / total - share) < 0.03, `product ${id}: ${count(id)} of ${total}, expected about ${share * 100} %`);
      }
    } finally {
      db.close();
    }
    for (const productWeights of [[1, 2], [1, 1, 1, -1], [0, 0, 0, 0], [1, 1, Number.NaN, 1]]) {
      await assert.rejects(
        generateDemoTraffic({ storage: new LocalLakeStorage(lake), workDir: dir, events: 100, days: 1, end, seed: 9, threads: 1, productIds, productWeights }),
        /productWeights/,
        JSON.stringify(productWeights),
      );
    }
  });

  it('produces the same events in the same hour partitions as the per-hour writer did (same seed)', async () => {
    // figures recorded from the per-hour COPY writer before it became one COPY per day (issue 20):
    // the same seed must give the same events, filed under the same dt/hour partitions
    const lake = path.join(dir, 'same');
    const result = await generateDemoTraffic({ storage: new LocalLakeStorage(lake), workDir: dir, events: 20_000, days: 90, end: new Date('2026-11-24T15:37:00Z'), seed: 7, threads: 1 });
    assert.equal(result.events, 20_292);
    assert.equal(result.files, 1_653);
    const files = path.join(lake, 'raw', 'clickstream', '**', '*.parquet');
    const db = await openDuckDb({ threads: 1 });
    try {
      const hours = await db.all<{ dt: string; hour: string; n: number }>(
        `SELECT dt::VARCHAR AS dt, hour::VARCHAR AS hour, count(*)::INTEGER AS n FROM read_parquet('${files}', hive_partitioning = true) GROUP BY ALL ORDER BY ALL`,
      );
      assert.equal(hours.length, 1_653);
      assert.equal(hours.reduce((sum, row) => sum + row.n, 0), 20_292);
      const perHour = createHash('sha256').update(JSON.stringify(hours.map((row) => [row.dt, row.hour, row.n]))).digest('hex');
      assert.equal(perHour, '9e9a1d15e75ea6f4b4bf059a703df7fdc272c06eb3c69621cf121c59aa82c9e1');
      const [content] = await db.all<{ h: string }>(
        `SELECT sum(hash(event_id, event_type, event_time, visitor_id, path, product_id, value_cents))::VARCHAR AS h FROM read_parquet('${files}')`,
      );
      assert.equal(content?.h, '187550758707202590993091');
      const [names] = await db.all<{ odd: number }>(
        `SELECT count(*) FILTER (WHERE NOT ends_with(filename, '/compacted-seed-7.parquet'))::INTEGER AS odd FROM read_parquet('${files}', filename = true)`,
      );
      assert.equal(names?.odd, 0, 'every hour file is named compacted-seed-<seed>.parquet');
    } finally {
      db.close();
    }
  });
});
