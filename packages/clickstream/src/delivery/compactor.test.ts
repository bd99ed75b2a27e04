import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { LocalLakeStorage, readDuckDbMemory, sqlLiteral, withDuckDb } from '@threadline/lake';

import { ClickstreamCompactor, DEFAULT_COMPACT_MEMORY, writeCompacted } from './compactor.js';
import { PARQUET_OPTIONS } from './columns.js';
import { rollupKey } from './rollup.js';

const DAY = '2026-03-10';
const HOUR_START = Date.parse(`${DAY}T14:00:00Z`);
const RAW = `raw/clickstream/dt=${DAY}/hour=14`;
const LATE = `raw/clickstream_late/dt=${DAY}/hour=14`;
/** Events of the generated hour (besides the duplicates): 480k wide rows, which the former compaction's sort spilled at a 128MB cap. */
const EVENTS = 480_000;
const FILES = 4;

/** One event row in the lake's column order; `id` a UUID, times as epoch ms. */
function eventRow(id: string, eventMs: number, receivedMs: number, marker: string): string {
  return `SELECT '${id}'::UUID AS event_id, 'page_view' AS event_type, make_timestamptz(${eventMs * 1000}) AS event_time, make_timestamptz(${receivedMs * 1000}) AS received_at,
    'visitor_dup' AS visitor_id, 'session_dup' AS session_id, NULL::VARCHAR AS user_pseudonym, '${marker}' AS path, NULL::VARCHAR AS referrer_host,
    NULL::VARCHAR AS utm_source, NULL::VARCHAR AS utm_medium, NULL::VARCHAR AS utm_campaign, NULL::VARCHAR AS utm_term, NULL::VARCHAR AS utm_content,
    'desktop' AS device, 'en-US' AS language, 'Europe/Berlin' AS time_zone, 'europe' AS region, false AS is_bot, NULL::VARCHAR AS ip_prefix,
    NULL::VARCHAR AS product_id, NULL::VARCHAR AS search_query, NULL::BIGINT AS value_cents, NULL::VARCHAR AS currency, NULL::VARCHAR AS tier,
    NULL::VARCHAR AS http_method, NULL::VARCHAR AS http_route, NULL::SMALLINT AS http_status, NULL::DOUBLE AS duration_ms, NULL::BIGINT AS bytes`;
}

const at = (minute: number): number => HOUR_START + minute * 60_000;
const ID = {
  late: '00000000-0000-4000-8000-000000000001',
  earlyLate: '00000000-0000-4000-8000-000000000002',
  movedTime: '00000000-0000-4000-8000-000000000003',
  tie: '00000000-0000-4000-8000-000000000004',
} as const;

/**
 * An hour partition like a flushed hour: FILES unsorted files of generated events (each minute's
 * events in no order), plus duplicates by event id across main and late files:
 * - `late`: first received in the hour, sent again later (late file) → the first copy stays;
 * - `earlyLate`: the late file's copy was received first → that one stays;
 * - `movedTime`: the copies carry different event times → the first received stays, wherever it sorts;
 * - `tie`: two copies received at the same instant → exactly one stays.
 */
async function writeHour(lake: string): Promise<void> {
  await mkdir(path.join(lake, RAW), { recursive: true });
  await mkdir(path.join(lake, LATE), { recursive: true });
  await withDuckDb(async (db) => {
    const perFile = EVENTS / FILES;
    for (let file = 0; file < FILES; file += 1) {
      const startUs = at(file * 15) * 1000;
      const duplicates =
        file === 0
          ? ` UNION ALL ${eventRow(ID.late, at(5), at(6), 'first')} UNION ALL ${eventRow(ID.earlyLate, at(7), at(30), 'second')} UNION ALL ${eventRow(ID.movedTime, at(50), at(51), 'second')} UNION ALL ${eventRow(ID.tie, at(8), at(9), 'tie')}`
          : '';
      await db.run(
        `COPY (SELECT uuid() AS event_id, CASE WHEN i % 3 = 0 THEN 'product_view' ELSE 'page_view' END AS event_type,
                      make_timestamptz(${startUs} + (hash(i) % 900000000)::BIGINT) AS event_time,
                      make_timestamptz(${startUs} + 900000000 + i) AS received_at,
                      'visitor_' || (i % 997) AS visitor_id, 'session_' || (i % 3001) AS session_id, NULL::VARCHAR AS user_pseudonym,
                      '/products/' || (i % 300) || '/a-long-enough-product-slug-to-weigh-something' AS path, 'www.example.com' AS referrer_host,
                      'newsletter' AS utm_source, 'email' AS utm_medium, 'spring-' || (i % 7) AS utm_campaign, NULL::VARCHAR AS utm_term, NULL::VARCHAR AS utm_content,
                      CASE WHEN i % 2 = 0 THEN 'mobile' ELSE 'desktop' END AS device, 'en-US' AS language, 'America/New_York' AS time_zone,
                      'north_america' AS region, false AS is_bot, NULL::VARCHAR AS ip_prefix, (i % 300)::VARCHAR AS product_id, NULL::VARCHAR AS search_query,
                      NULL::BIGINT AS value_cents, NULL::VARCHAR AS currency, NULL::VARCHAR AS tier, NULL::VARCHAR AS http_method, NULL::VARCHAR AS http_route,
                      NULL::SMALLINT AS http_status, NULL::DOUBLE AS duration_ms, NULL::BIGINT AS bytes
                 FROM range(${perFile}) t(i)${duplicates})
           TO ${sqlLiteral(path.join(lake, RAW, `flush-${file}.parquet`))} (${PARQUET_OPTIONS})`,
      );
    }
    const late = [eventRow(ID.late, at(5), at(90), 'again'), eventRow(ID.earlyLate, at(7), at(10), 'first'), eventRow(ID.movedTime, at(2), at(20), 'first'), eventRow(ID.tie, at(8), at(9), 'tie')];
    await db.run(`COPY (${late.join(' UNION ALL ')}) TO ${sqlLiteral(path.join(lake, LATE, 'late-0.parquet'))} (${PARQUET_OPTIONS})`);
  });
}

describe('clickstream compaction memory', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'tl-compactor-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('opens its DuckDB with the configured memory cap, one thread and a temp directory under its state dir', async () => {
    const stateDir = path.join(root, 'caps');
    const storage = new LocalLakeStorage(path.join(root, 'caps-lake'));
    const configured = new ClickstreamCompactor({ storage, stateDir, compactAfterMs: 0, memoryLimit: '64MB' });
    const defaults = new ClickstreamCompactor({ storage, stateDir, compactAfterMs: 0 });
    try {
      // DuckDB reports sizes in binary units: 64MB = 61.0 MiB
      assert.deepEqual(await configured.duckDbCaps(), { memoryLimit: '61.0 MiB', threads: 1, tempDirectory: path.join(stateDir, 'duckdb-tmp') });
      assert.equal(DEFAULT_COMPACT_MEMORY, '192MB');
      assert.equal((await defaults.duckDbCaps()).memoryLimit, '183.1 MiB');
    } finally {
      configured.close();
      defaults.close();
    }
  });

  /** The compacted hour's rows: counts, order (flush file by flush file, the late file's copies last) and the copies kept. */
  async function checkCompacted(file: string): Promise<void> {
    await withDuckDb(async (db) => {
      // a generated flush file holds the events of its quarter hour: the quarter never goes back
      const [counts] = await db.all<{ n: number; ids: number; backwards: number }>(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS ids, count(*) FILTER (WHERE quarter < previous)::INTEGER AS backwards
           FROM (SELECT event_id, quarter, lag(quarter) OVER (ORDER BY file_row_number) AS previous
                   FROM (SELECT event_id, file_row_number, (epoch_ms(event_time) - ${HOUR_START}) // 900000 AS quarter FROM read_parquet(?, file_row_number = true) WHERE visitor_id <> 'visitor_dup'))`,
        [file],
      );
      assert.deepEqual(counts, { n: EVENTS, ids: EVENTS, backwards: 0 }, 'every generated event once, in flush order');
      const kept = await db.all<{ id: string; path: string; minute: number; row: number }>(
        `SELECT event_id::VARCHAR AS id, path, (epoch_ms(event_time) - ${HOUR_START}) // 60000 AS minute, file_row_number::INTEGER AS row
           FROM read_parquet(?, file_row_number = true) WHERE visitor_id = 'visitor_dup' ORDER BY id`,
        [file],
      );
      assert.deepEqual(
        kept.map(({ id, path: marker, minute }) => ({ id, path: marker, minute })),
        [
          { id: ID.late, path: 'first', minute: 5n },
          { id: ID.earlyLate, path: 'first', minute: 7n },
          { id: ID.movedTime, path: 'first', minute: 2n },
          { id: ID.tie, path: 'tie', minute: 8n },
        ],
      );
      // the copies kept from the late file come after every flush file's rows (EVENTS + 1 or + 2 of
      // them: the flush file's copy of `late`, and of `tie` when that one is kept)
      const fromLate = kept.filter((row) => row.id === ID.earlyLate || row.id === ID.movedTime).map((row) => row.row);
      assert.ok(fromLate.every((row) => row > EVENTS), `late copies at rows ${fromLate.join(', ')}`);
    });
  }

  it('compacts an hour larger than a tiny memory cap without sorting or spilling: every event once (its first received copy), in flush order', async () => {
    const lake = path.join(root, 'lake');
    await writeHour(lake);
    const storage = new LocalLakeStorage(lake);
    const compactor = new ClickstreamCompactor({ storage, stateDir: path.join(root, 'state'), compactAfterMs: 0, memoryLimit: '128MB' });
    let spilledBytes = 0;
    let isDone = false;
    const sampler = (async () => {
      while (!isDone) {
        for (const entry of await readDuckDbMemory()) if (entry.label === 'clickstream-compact') spilledBytes = Math.max(spilledBytes, entry.temporaryBytes);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    let result;
    try {
      result = await compactor.compactDue();
    } finally {
      isDone = true;
      await sampler;
      compactor.close();
    }
    assert.deepEqual(
      result.compacted.map((c) => ({ ...c })),
      [{ partition: `dt=${DAY}/hour=14`, inputs: FILES + 1, rows: EVENTS + 4 }],
    );
    assert.equal(spilledBytes, 0, 'nothing spilled to the temp directory (no sort)');
    const files = await storage.list('raw/clickstream/');
    assert.equal(files.length, 1);
    assert.match(path.posix.basename(files[0] ?? ''), /^compacted-.*\.parquet$/);
    assert.deepEqual(await storage.list('raw/clickstream_late/'), []);
    assert.ok(await storage.exists(rollupKey(DAY)));
    await checkCompacted(storage.localPath(files[0] ?? '') ?? '');
  });

  it('finds repeated ids across several passes over shares of the ids, with the same result', async () => {
    const lake = path.join(root, 'passes-lake');
    await writeHour(lake);
    const storage = new LocalLakeStorage(lake);
    const inputs = [...(await storage.list(`${RAW}/`)).sort(), ...(await storage.list(`${LATE}/`))].map((key) => storage.localPath(key) ?? '');
    const out = path.join(root, 'passes.parquet');
    // 480,004 events at 50,000 ids a pass: 10 passes; one thread, as the compactor's DuckDB
    await withDuckDb((db) => writeCompacted(db, inputs, out, { idsPerPass: 50_000 }), { threads: 1 });
    await checkCompacted(out);
  });
});
