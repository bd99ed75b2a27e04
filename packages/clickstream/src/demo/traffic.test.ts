import assert from 'node:assert/strict';
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
});
