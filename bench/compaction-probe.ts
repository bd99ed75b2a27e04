/**
 * `npx tsx bench/compaction-probe.ts`: what compacting one whole hour partition costs the worker —
 * the RSS peak above the process's level before it, CPU time, and DuckDB's share — without a
 * 60-minute soak. Not a `*.bench.ts`: `npm run bench` does not run it and it writes no results.
 *
 * The parent writes an hour partition like one hour of the soak (bench/soak.bench.ts at SOAK_RPS
 * 120: about 2.5M collected events in 20-event batches plus one `access_log` event per request;
 * PROBE_EVENTS, default 3,000,000) as one unsorted file per minute (PROBE_FILES, default 60, as the
 * flusher writes them) and a late file holding some events again (duplicates by event id), into a
 * local lake. A fresh child process (MALLOC_ARENA_MAX=2, as the launcher starts the worker) then
 * runs `ClickstreamCompactor.compactDue()` — compaction plus that hour's rollup rebuild, as the
 * delivery loop does — sampling its RSS, V8 heap and `readDuckDbMemory()` every 100 ms.
 *
 * PROBE_MEMORY (e.g. 512MB) and PROBE_THREADS set the compactor's DuckDB caps (default: the
 * delivery loop's, THREADLINE_COMPACT_MEMORY's default and one thread). PROBE_KEEP=<dir> keeps the generated hour there and reuses it next time.
 * Prints one JSON line per run.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ClickstreamCompactor, DEFAULT_COMPACT_MEMORY, PARQUET_OPTIONS } from '@threadline/clickstream';
import { CLICKSTREAM_DATASET, CLICKSTREAM_LATE_DATASET, LocalLakeStorage, openDuckDb, readDuckDbMemory, sqlLiteral } from '@threadline/lake';

const EVENTS = Number(process.env.PROBE_EVENTS ?? 3_000_000);
const FILES = Number(process.env.PROBE_FILES ?? 60);
/** An hour long finished, so it is due at once. */
const HOUR_START = Date.parse('2026-12-01T10:00:00Z');

function statusMb(field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** Writes the hour partition: FILES minute files of EVENTS / FILES events each, plus a late file. */
async function writeHour(lake: string): Promise<void> {
  const db = await openDuckDb({ threads: 2 });
  const perFile = Math.ceil(EVENTS / FILES);
  const dir = path.join(lake, 'raw', CLICKSTREAM_DATASET, 'dt=2026-12-01', 'hour=10');
  const lateDir = path.join(lake, 'raw', CLICKSTREAM_LATE_DATASET, 'dt=2026-12-01', 'hour=10');
  mkdirSync(dir, { recursive: true });
  mkdirSync(lateDir, { recursive: true });
  try {
    await db.run(`SELECT setseed(0.31)`);
    for (let file = 0; file < FILES; file += 1) {
      // a minute's flush: events of that minute (up to 10 s older, as the soak's batches are), in no order
      const minuteUs = (HOUR_START + file * 60_000) * 1000;
      await db.run(
        `COPY (
           SELECT uuid() AS event_id,
                  CASE WHEN i % 5 = 0 THEN 'access_log' WHEN i % 4 = 0 THEN 'product_view' ELSE 'page_view' END AS event_type,
                  make_timestamptz(greatest(${HOUR_START * 1000}, ${minuteUs} + (random() * 60e6)::BIGINT - (i % 20) * 500000)) AS event_time,
                  make_timestamptz(${minuteUs} + (random() * 60e6)::BIGINT + 1000) AS received_at,
                  'soak_visitor_' || (i % 5000) AS visitor_id,
                  'soak_session_' || (i % 5000) || '_' || (${file} // 10) AS session_id,
                  NULL::VARCHAR AS user_pseudonym,
                  '/products/' || (i % 300) AS path,
                  NULL::VARCHAR AS referrer_host, NULL::VARCHAR AS utm_source, NULL::VARCHAR AS utm_medium,
                  NULL::VARCHAR AS utm_campaign, NULL::VARCHAR AS utm_term, NULL::VARCHAR AS utm_content,
                  CASE WHEN i % 2 = 0 THEN 'mobile' ELSE 'desktop' END AS device,
                  'en-US' AS language, 'America/New_York' AS time_zone, 'north_america' AS region, false AS is_bot,
                  NULL::VARCHAR AS ip_prefix, CASE WHEN i % 4 = 0 THEN (i % 300)::VARCHAR END AS product_id,
                  NULL::VARCHAR AS search_query, NULL::BIGINT AS value_cents, NULL::VARCHAR AS currency,
                  CASE WHEN i % 5 = 0 THEN 'api' END AS tier, CASE WHEN i % 5 = 0 THEN 'GET' END AS http_method,
                  CASE WHEN i % 5 = 0 THEN '/api/products/:id' END AS http_route,
                  CASE WHEN i % 5 = 0 THEN 200::SMALLINT END AS http_status,
                  CASE WHEN i % 5 = 0 THEN random() * 20 END AS duration_ms,
                  CASE WHEN i % 5 = 0 THEN (random() * 20000)::BIGINT END AS bytes
             FROM range(${perFile}) t(i))
         TO ${sqlLiteral(path.join(dir, `flush-${file}.parquet`))} (${PARQUET_OPTIONS})`,
      );
    }
    // late events: 0.1 % of the hour sent again (same ids, received later) plus as many new ones
    const sample = Math.floor(EVENTS / 1000);
    await db.run(
      `COPY (SELECT * FROM (SELECT * REPLACE (received_at + INTERVAL 2 HOUR AS received_at) FROM read_parquet(${sqlLiteral(path.join(dir, 'flush-*.parquet'))}) USING SAMPLE ${sample} ROWS)
             UNION ALL SELECT * REPLACE (uuid() AS event_id, received_at + INTERVAL 2 HOUR AS received_at) FROM read_parquet(${sqlLiteral(path.join(dir, 'flush-0.parquet'))}) LIMIT ${sample})
         TO ${sqlLiteral(path.join(lateDir, 'late-0.parquet'))} (${PARQUET_OPTIONS})`,
    );
  } finally {
    db.close();
  }
}

async function child(lake: string, stateDir: string): Promise<void> {
  const memoryLimit = process.env.PROBE_MEMORY;
  const threads = process.env.PROBE_THREADS === undefined ? undefined : Number(process.env.PROBE_THREADS);
  const compactor = new ClickstreamCompactor({
    storage: new LocalLakeStorage(lake),
    stateDir,
    compactAfterMs: 0,
    // the delivery loop's settings unless given
    threads: threads ?? 1,
    memoryLimit: memoryLimit ?? DEFAULT_COMPACT_MEMORY,
  });
  // the worker's compactor has run before (its database open): warm it on a tiny query
  await compactor.rebuildRollup('2026-11-30');
  global.gc?.();
  const before = { rssMb: statusMb('VmRSS'), heapMb: process.memoryUsage().heapUsed / 2 ** 20 };
  let peak = { rssMb: before.rssMb, duckdbMb: 0, duckdbTempMb: 0, heapMb: before.heapMb, externalMb: 0 };
  let isDone = false;
  const sampler = (async () => {
    while (!isDone) {
      const duck = await readDuckDbMemory();
      const usage = process.memoryUsage();
      const duckdbMb = duck.reduce((sum, entry) => sum + entry.memoryBytes, 0) / 2 ** 20;
      const duckdbTempMb = duck.reduce((sum, entry) => sum + entry.temporaryBytes, 0) / 2 ** 20;
      const rssMb = statusMb('VmRSS');
      peak = {
        rssMb: Math.max(peak.rssMb, rssMb),
        duckdbMb: Math.max(peak.duckdbMb, duckdbMb),
        duckdbTempMb: Math.max(peak.duckdbTempMb, duckdbTempMb),
        heapMb: Math.max(peak.heapMb, usage.heapUsed / 2 ** 20),
        externalMb: Math.max(peak.externalMb, (usage.external + usage.arrayBuffers) / 2 ** 20),
      };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const result = await compactor.compactDue();
  const wallS = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  isDone = true;
  await sampler;
  const afterMb = statusMb('VmRSS');
  compactor.close();
  const r = (n: number): number => Math.round(n * 10) / 10;
  console.log(
    JSON.stringify({
      events: EVENTS,
      memoryLimit: memoryLimit ?? DEFAULT_COMPACT_MEMORY,
      threads: threads ?? 1,
      rows: result.compacted.map((c) => c.rows),
      inputs: result.compacted.map((c) => c.inputs),
      rssBeforeMb: r(before.rssMb),
      rssPeakAboveMb: r(peak.rssMb - before.rssMb),
      rssHwmMb: r(statusMb('VmHWM')),
      rssAfterMb: r(afterMb),
      rssAfterCloseMb: r(statusMb('VmRSS')),
      duckdbPeakMb: r(peak.duckdbMb),
      duckdbTempPeakMb: r(peak.duckdbTempMb),
      v8HeapPeakAboveMb: r(peak.heapMb - before.heapMb),
      externalPeakMb: r(peak.externalMb),
      cpuUserS: r(used.user / 1e6),
      cpuSystemS: r(used.system / 1e6),
      wallS: r(wallS),
    }),
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') {
    await child(process.argv[3] ?? '', process.argv[4] ?? '');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-compaction-probe-'));
  try {
    const lake = path.join(dir, 'lake');
    const kept = process.env.PROBE_KEEP;
    if (kept !== undefined && existsSync(kept)) cpSync(kept, lake, { recursive: true });
    else await writeHour(lake);
    if (kept !== undefined && !existsSync(kept)) cpSync(lake, kept, { recursive: true });
    const self = fileURLToPath(import.meta.url);
    await new Promise<void>((resolve, reject) => {
      const proc = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', self, '--child', lake, path.join(dir, 'state')], {
        env: { ...process.env, MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2' },
        stdio: 'inherit',
      });
      proc.on('error', reject);
      proc.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`probe child exited with ${code}`))));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
