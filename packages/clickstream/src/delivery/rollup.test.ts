import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { LocalLakeStorage, lakeRoot, openDuckDb, type LakeDb } from '@threadline/lake';

import { CLICKSTREAM_COLUMNS } from '../collect/event.js';
import { IMPORTED_TIER, rebuildDayRollupsFromTable, ROLLUP_SELECT, rollupKey, rollupOfFiles } from './rollup.js';

describe('rollups of many days from the events a writer still holds', () => {
  let dir: string;
  let db: LakeDb;
  let storage: LocalLakeStorage;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rollups-held-'));
    storage = new LocalLakeStorage(lakeRoot(dir));
    db = await openDuckDb({ threads: 2 });
    // events of the lake's shape: page views over three days, each hour of them, two visitors
    const values: Record<string, string> = {
      event_id: 'uuid()',
      event_type: "'page_view'",
      event_time: "TIMESTAMPTZ '2026-03-10 00:00:00+00' + to_minutes(range * 37)",
      received_at: "TIMESTAMPTZ '2026-03-13 00:00:00+00'",
      visitor_id: "'visitor-' || (range % 2)::VARCHAR",
      session_id: "'session-' || (range % 5)::VARCHAR",
      time_zone: "'America/New_York'",
      region: "'other'",
      device: "'desktop'",
      is_bot: 'false',
      tier: `'${IMPORTED_TIER}'`,
    };
    const columns = Object.entries(CLICKSTREAM_COLUMNS).map(([name, type]) => `CAST(${values[name] ?? 'NULL'} AS ${type}) AS ${name}`);
    await db.run(`CREATE TABLE held AS SELECT ${columns.join(', ')} FROM range(${Math.floor((3 * 24 * 60) / 37)})`);
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes each day's rollup (as the rollup query gives it) and removes the rollup of a day left without events", async () => {
    // a stale rollup for a day that no longer holds any event
    const stale = path.join(dir, 'stale.parquet');
    await db.run(`COPY (SELECT 1 AS x) TO '${stale}' (FORMAT parquet)`);
    await storage.put(stale, rollupKey('2026-03-09'));
    const days = ['2026-03-09', '2026-03-10', '2026-03-11', '2026-03-12'];
    await rebuildDayRollupsFromTable(db, storage, dir, { days, table: 'held', isHeld: () => false });

    assert.equal(await storage.exists(rollupKey('2026-03-09')), false);
    for (const day of days.slice(1)) {
      const file = storage.localPath(rollupKey(day));
      assert.ok(file !== undefined && (await storage.exists(rollupKey(day))), day);
      const written = await db.all(`SELECT * FROM read_parquet('${file}', hive_partitioning = false) ORDER BY ALL`);
      const expected = await db.all(
        `SELECT * FROM (WITH events AS (SELECT * FROM held WHERE strftime(event_time, '%Y-%m-%d') = '${day}') ${ROLLUP_SELECT}) ORDER BY ALL`,
      );
      assert.ok(written.length > 0, day);
      assert.deepEqual(written, expected, day);
      // the file's columns are exactly the rollup's (no partition column left in it)
      assert.deepEqual(Object.keys(written[0] ?? {}), Object.keys(expected[0] ?? {}));
    }
    // the working directory is left clean
    assert.deepEqual((await db.all<{ n: bigint }>(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'held_rollups'`))[0]?.n, 0n);
  });

  it('streams the rollup of lake files (no copy of every event in memory) with the rows of the materialised query', async () => {
    const files = [path.join(dir, 'part-1.parquet'), path.join(dir, 'part-2.parquet')];
    await db.run(`COPY (SELECT * FROM held WHERE hour(event_time) < 12) TO '${files[0]}' (FORMAT parquet)`);
    await db.run(`COPY (SELECT * FROM held WHERE hour(event_time) >= 12) TO '${files[1]}' (FORMAT parquet)`);
    const streamed = await db.all(`SELECT * FROM (${rollupOfFiles(files)}) ORDER BY ALL`);
    const materialised = await db.all(`SELECT * FROM (WITH events AS (SELECT * FROM held) ${ROLLUP_SELECT}) ORDER BY ALL`);
    assert.ok(streamed.length > 24, `rows: ${streamed.length}`);
    assert.deepEqual(streamed, materialised);
    // a CTE read twice is materialised (CTE_SCAN over a buffered copy) unless told otherwise
    const plan = (await db.all<{ explain_value: string }>(`EXPLAIN ${rollupOfFiles(files)}`)).map((row) => row.explain_value).join('\n');
    assert.match(plan, /READ_PARQUET|PARQUET_SCAN|TABLE_SCAN/);
    assert.doesNotMatch(plan, /CTE_SCAN|MATERIALIZED_CTE|\bCTE\b/);
  });
});

describe('the rollup query', () => {
  it("gives each event the local hour of its own zone, as a conversion per event does: half- and three-quarter-hour offsets, a DST change, no zone", async () => {
    const db = await openDuckDb({ threads: 2 });
    try {
      // every 7 minutes for three days around New York's autumn change (1 Nov 2026, 06:00 UTC)
      const values: Record<string, string> = {
        event_id: 'uuid()',
        event_type: "'page_view'",
        event_time: "TIMESTAMPTZ '2026-10-31 00:00:00+00' + to_minutes(range * 7)",
        received_at: "TIMESTAMPTZ '2026-11-03 00:00:00+00'",
        visitor_id: "'visitor-' || (range % 3)::VARCHAR",
        session_id: "'session-' || (range % 11)::VARCHAR",
        time_zone: "(['America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Eucla', NULL])[1 + range % 5]",
        region: "'other'",
        device: "'desktop'",
        is_bot: 'false',
        tier: "'live'",
      };
      const columns = Object.entries(CLICKSTREAM_COLUMNS).map(([name, type]) => `CAST(${values[name] ?? 'NULL'} AS ${type}) AS ${name}`);
      await db.run(`CREATE TABLE events AS SELECT ${columns.join(', ')} FROM range(${Math.floor((3 * 24 * 60) / 7)})`);
      const rolled = await db.all(`SELECT hour_utc, local_hour, time_zone, page_views FROM (${ROLLUP_SELECT}) ORDER BY ALL`);
      const perEvent = await db.all(
        `SELECT date_trunc('hour', event_time) AS hour_utc, date_trunc('hour', timezone(time_zone, event_time)) AS local_hour, time_zone, count(*)::BIGINT AS page_views
           FROM events GROUP BY ALL ORDER BY ALL`,
      );
      assert.ok(rolled.length > 3 * 24 * 5, `one row per hour, local hour and zone: ${rolled.length}`);
      assert.deepEqual(rolled, perEvent);
    } finally {
      db.close();
    }
  });
});
