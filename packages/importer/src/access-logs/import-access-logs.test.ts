import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { InsightsLake, peakHours } from '@threadline/insights';
import { CLICKSTREAM_COLUMNS, ipPrefix, pseudonymise, rebuildDayRollup, type ClickstreamColumn } from '@threadline/clickstream';
import { crawlLake, LocalLakeStorage, lakeRoot, openDuckDb, type LakeDb } from '@threadline/lake';

import { DayUploads, importAccessLogFile, IMPORTED_TIER, lineEventId, writeDays, type AccessLogImportOptions } from './import-access-logs.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/access-combined.log', import.meta.url));

function parquetFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...parquetFiles(full));
    else if (entry.name.endsWith('.parquet')) found.push(full);
  }
  return found;
}

describe('importing old web server logs', () => {
  let db: TestDatabase;
  let dataDir: string;
  let duck: LakeDb;
  let options: AccessLogImportOptions;

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'access-import-'));
    duck = await openDuckDb({ threads: 1 });
    options = {
      pool: db.pool,
      storage: new LocalLakeStorage(lakeRoot(dataDir)),
      workDir: dataDir,
      pseudonymKey: 'test-key',
      timeZone: 'America/New_York',
    };
  });
  after(async () => {
    duck.close();
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns each line into an event, counting and reporting malformed lines by number', async () => {
    const report = await importAccessLogFile(FIXTURE, options);
    assert.equal(report.status, 'imported');
    assert.equal(report.format, 'combined');
    // two bots: Googlebot and the Kubernetes health probe (isbot knows kube-probe)
    assert.deepEqual(
      [report.lines, report.events, report.pageRequests, report.staticRequests, report.healthChecks, report.bots, report.malformed],
      [12, 10, 6, 1, 1, 2, 2],
    );
    assert.deepEqual(report.malformedSamples.map((sample) => sample.line), [8, 11]);
    assert.equal(report.firstEventAt, '2026-03-10T14:15:00.000Z');
    assert.deepEqual(report.days, ['2026-03-10']);
  });

  it('files events by the UTC time of the line (its offset applied) in the live layout', async () => {
    const rows = await duck.all<{ dt: string; hour: string; n: number }>(
      `SELECT dt::VARCHAR AS dt, hour::VARCHAR AS hour, count(*)::INTEGER AS n
         FROM read_parquet(?, hive_partitioning = true) GROUP BY 1, 2 ORDER BY 1, 2`,
      [path.join(lakeRoot(dataDir), 'raw', 'clickstream', '*', '*', '*.parquet')],
    );
    assert.deepEqual(rows.map((row) => [row.dt, Number(row.hour), row.n]), [
      ['2026-03-10', 14, 3],
      ['2026-03-10', 15, 2],
      ['2026-03-10', 16, 4],
      ['2026-03-10', 17, 1],
    ]);
  });

  it('keeps no whole IP address and marks the source, assets and bots', async () => {
    const events = await duck.all<{ ip_prefix: string | null; tier: string; event_type: string; is_bot: boolean; path: string; utm_source: string | null }>(
      `SELECT ip_prefix, tier, event_type, is_bot, path, utm_source FROM read_parquet(?) ORDER BY event_time`,
      [path.join(lakeRoot(dataDir), 'raw', 'clickstream', '*', '*', '*.parquet')],
    );
    const text = JSON.stringify(events);
    for (const address of ['203.0.113.9', '2001:db8::7', '198.51.100.4', '66.249.66.1', '192.0.2.1']) assert.ok(!text.includes(`"${address}"`), address);
    assert.ok(events.every((event) => event.tier === IMPORTED_TIER));
    assert.equal(events.find((event) => event.path === '/static/app.css')?.event_type, 'access_log');
    assert.deepEqual(events.filter((event) => event.is_bot).map((event) => event.path).sort(), ['/healthz', '/p/9']);
    assert.equal(events.find((event) => event.path === '/products')?.utm_source, 'flyer');
    // the raw files must not hold the addresses in any column either
    for (const file of parquetFiles(lakeRoot(dataDir))) assert.ok(!readFileSync(file).includes('203.0.113.9'), file);
  });

  it('feeds the peak-hour analysis: hand-counted page visits per shop hour', async () => {
    const lake = await InsightsLake.open(dataDir, { threads: 1 });
    const result = await peakHours(lake, { from: '2026-03-10', to: '2026-03-10', timeZone: 'America/New_York' }).finally(() => lake.close());
    // New York is on daylight time (UTC−4) from 8 March 2026: 14, 15, 16 UTC → 10, 11, 12
    const visits = Object.fromEntries(result.byHour.filter((hour) => hour.visits > 0).map((hour) => [hour.hour, hour.visits]));
    assert.deepEqual(visits, { 10: 2, 11: 2, 12: 1 });
  });

  it('gives each event the id of its file and line, and one visit id to requests of a visitor within 30 minutes', async () => {
    const events = await duck.all<{ event_id: string; visitor_id: string; session_id: string; t: number }>(
      `SELECT event_id::VARCHAR AS event_id, visitor_id, session_id, epoch(event_time)::DOUBLE AS t FROM read_parquet(?) ORDER BY event_time`,
      [path.join(lakeRoot(dataDir), 'raw', 'clickstream', '*', '*', '*.parquet')],
    );
    const contentHash = createHash('sha256').update(readFileSync(FIXTURE)).digest('hex');
    const expected = [1, 2, 3, 4, 5, 6, 7, 9, 10, 12].map((line) => lineEventId(contentHash, line));
    assert.deepEqual(events.map((event) => event.event_id).sort(), expected.sort());
    // a visitor's next request (in time) continues the visit unless 30 minutes passed
    let continued = 0;
    let split = 0;
    for (const [index, event] of events.entries()) {
      const next = events.slice(index + 1).find((other) => other.visitor_id === event.visitor_id);
      if (next === undefined) continue;
      const isSameVisit = next.t - event.t <= 30 * 60;
      assert.equal(next.session_id === event.session_id, isSameVisit, `${event.event_id} → ${next.event_id}`);
      if (isSameVisit) continued += 1;
      else split += 1;
    }
    // 203.0.113.9 goes on for two requests; the Safari visitor comes back after 30 min 1 s and
    // the Linux one (16:00 UTC, written as 01:30 +0930) after 65 minutes
    assert.deepEqual([continued, split], [2, 2]);
    assert.ok(events.every((event) => /^[\w-]{22}$/.test(event.session_id)));
  });

  it('adds nothing when the same file is imported again, plain or renamed', async () => {
    const before = parquetFiles(lakeRoot(dataDir)).map((file) => [file, statSync(file).size]);
    const again = await importAccessLogFile(FIXTURE, options);
    assert.equal(again.status, 'already-imported');
    const copy = path.join(dataDir, 'renamed.log');
    copyFileSync(FIXTURE, copy);
    assert.equal((await importAccessLogFile(copy, options)).status, 'already-imported');
    assert.deepEqual(parquetFiles(lakeRoot(dataDir)).map((file) => [file, statSync(file).size]), before);
  });

  it('reads gzip and nginx JSON logs with a field mapping', async () => {
    const gz = path.join(dataDir, 'access.log.gz');
    writeFileSync(gz, gzipSync('10.1.2.3 - - [12/Mar/2026:08:00:00 +0000] "GET /sale HTTP/1.1" 200 1 "-" "Mozilla/5.0 (Windows NT 10.0)"\n'));
    const gzReport = await importAccessLogFile(gz, options);
    assert.deepEqual([gzReport.events, gzReport.pageRequests, gzReport.malformed], [1, 1, 0]);
    const json = path.join(dataDir, 'access.json');
    writeFileSync(
      json,
      [
        JSON.stringify({ ts: '2026-03-12T09:00:00+01:00', addr: '10.9.9.9', verb: 'GET', uri: '/a', code: 200, ua: 'Mozilla/5.0 (X11; Linux)' }),
        '{"ts": "broken',
      ].join('\n'),
    );
    const jsonReport = await importAccessLogFile(json, { ...options, format: 'json', jsonFields: { time: 'ts', ip: 'addr', method: 'verb', uri: 'uri', status: 'code', userAgent: 'ua' } });
    assert.deepEqual([jsonReport.format, jsonReport.events, jsonReport.malformed, jsonReport.firstEventAt], ['json', 1, 1, '2026-03-12T08:00:00.000Z']);
  });

  it('derives stable, UUID-shaped event ids from file and line', () => {
    const id = lineEventId('a'.repeat(64), 7);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(id, lineEventId('a'.repeat(64), 7));
    assert.notEqual(id, lineEventId('a'.repeat(64), 8));
    // the same line number of another file is another event
    assert.notEqual(id, lineEventId('b'.repeat(64), 7));
    // line numbers beyond 32 bits still fit the last group (12 hex digits)
    assert.equal(lineEventId('a'.repeat(64), 2 ** 40 + 1).slice(-12), '010000000001');
  });
});

describe("importing real-world logs: no user agent, cut lines, each line's own offset, a source dimension", () => {
  let db: TestDatabase;
  let dataDir: string;
  let options: AccessLogImportOptions;
  // a NASA-style Common Log Format log (no referrer, no user agent), one line cut inside its user
  // agent, and lines written with different offsets; 08 and 09 UTC hours as well as afternoon ones
  const log = [
    'host-a.example - - [01/Jul/1995:04:00:01 -0400] "GET /history/apollo/ HTTP/1.0" 200 6245',
    'host-a.example - - [01/Jul/1995:04:00:09 -0400] "GET /shuttle/countdown/ HTTP/1.0" 200 3985',
    'host-b.example - - [01/Jul/1995:05:10:00 -0400] "GET /images/NASA-logosmall.gif HTTP/1.0" 304 0',
    '10.0.0.5 - - [01/Jul/1995:14:30:00 +0530] "GET /p/1 HTTP/1.1" 200 512 "-" "Mozilla/5.0 (Windows NT 10.0; Win64',
    '10.0.0.6 - - [01/Jul/1995:16:45:00 +0000] "GET /p/2 HTTP/1.1" 200 512 "http://ref.example/x" "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"',
  ].join('\n');

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'access-import-real-'));
    options = { pool: db.pool, storage: new LocalLakeStorage(lakeRoot(dataDir)), workDir: dataDir, pseudonymKey: 'k', timeZone: 'America/New_York' };
  });
  after(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts lines without a user agent as people of unknown device, and keeps cut lines as warnings', async () => {
    const file = path.join(dataDir, 'nasa.log');
    writeFileSync(file, `${log}\n`);
    const report = await importAccessLogFile(file, options);
    assert.deepEqual(
      [report.events, report.pageRequests, report.bots, report.withoutUserAgent, report.truncated, report.malformed],
      [5, 4, 0, 3, 1, 0],
    );
    assert.deepEqual(report.truncatedSamples.map((sample) => sample.line), [4]);
  });

  it("files each line in the zone of its own offset, so visitors' local time is the time written on the line", async () => {
    const duck = await openDuckDb({ threads: 1 });
    try {
      const rows = await duck.all<{ path: string; time_zone: string; local: string; source: string }>(
        `SELECT e.path, e.time_zone, strftime(timezone(e.time_zone, e.event_time), '%H:%M') AS local, e.device
           FROM read_parquet(?) e ORDER BY e.event_time`,
        [path.join(lakeRoot(dataDir), 'raw', 'clickstream', '*', '*', '*.parquet')],
      );
      assert.deepEqual(
        rows.map((row) => [row.path, row.time_zone, row.local]),
        [
          ['/history/apollo/', 'Etc/GMT+4', '04:00'],
          ['/shuttle/countdown/', 'Etc/GMT+4', '04:00'],
          ['/p/1', 'Asia/Kolkata', '14:30'],
          ['/images/NASA-logosmall.gif', 'Etc/GMT+4', '05:10'],
          ['/p/2', 'UTC', '16:45'],
        ],
      );
      const rollup = await duck.all<{ source: string; views: number }>(
        `SELECT source, sum(page_views)::INTEGER AS views FROM read_parquet(?) GROUP BY 1`,
        [path.join(lakeRoot(dataDir), 'curated', 'clickstream_hourly', '*', '*.parquet')],
      );
      assert.deepEqual(rollup, [{ source: 'import', views: 4 }]);
    } finally {
      duck.close();
    }
  });

  it('shows imported history in peak hours by default (local clock included) and leaves it out on request', async () => {
    const lake = await InsightsLake.open(dataDir, { threads: 1 });
    try {
      const window = { from: '1995-07-01', to: '1995-07-01', timeZone: 'America/New_York' };
      const all = await peakHours(lake, window);
      assert.equal(all.byHour.reduce((sum, hour) => sum + hour.visits, 0), 4);
      const local = Object.fromEntries(all.byHourLocal.filter((hour) => hour.visits > 0).map((hour) => [hour.hour, hour.visits]));
      assert.deepEqual(local, { 4: 2, 14: 1, 16: 1 });
      const live = await peakHours(lake, { ...window, source: 'live' });
      assert.equal(live.byHour.reduce((sum, hour) => sum + hour.visits, 0), 0);
      const imported = await peakHours(lake, { ...window, source: 'import' });
      assert.equal(imported.byHour.reduce((sum, hour) => sum + hour.visits, 0), 4);
    } finally {
      lake.close();
    }
  });

  it("keeps the catalog's schema of clickstream stable when morning hours (hour=08) arrive", async () => {
    await crawlLake(db.pool, lakeRoot(dataDir));
    const file = path.join(dataDir, 'morning.log');
    writeFileSync(file, '10.0.0.7 - - [02/Jul/1995:08:15:00 +0000] "GET /p/3 HTTP/1.1" 200 5 "-" "Mozilla/5.0 (X11; Linux)"\n');
    await importAccessLogFile(file, options);
    const report = await crawlLake(db.pool, lakeRoot(dataDir));
    const clickstream = report.tables.find((table) => table.name === 'clickstream');
    assert.deepEqual(clickstream?.changes, []);
    assert.deepEqual(report.breakingChanges, []);
    const { rows } = await db.pool.query(`SELECT columns FROM lake_tables WHERE name = 'clickstream'`);
    const hour = (rows[0].columns as Array<{ name: string; type: string }>).find((column) => column.name === 'hour');
    assert.equal(hour?.type, 'BIGINT');
  });
});

describe('rollups of imported days that also hold live traffic', () => {
  let db: TestDatabase;
  let dataDir: string;

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'access-import-live-'));
  });
  after(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('counts the live events of the day beside the imported ones, exactly as a rebuild from the files does', async () => {
    const storage = new LocalLakeStorage(lakeRoot(dataDir));
    const duck = await openDuckDb({ threads: 1 });
    try {
      await duck.run(`SET TimeZone = 'UTC'`);
      // two live page views by one visitor at 14:05 and 14:10 UTC, as the flusher files them
      const values: Partial<Record<ClickstreamColumn, string>> = {
        event_id: 'uuid()', event_type: `'page_view'`, event_time: `TIMESTAMPTZ '2026-03-10 14:05:00+00' + to_minutes(i * 5)`, received_at: 'now()',
        visitor_id: `'live-visitor'`, session_id: `'live-session'`, path: `'/'`, device: `'mobile'`, time_zone: `'Europe/Paris'`, region: `'eu'`, is_bot: 'false', tier: `'web'`,
      };
      const select = Object.entries(CLICKSTREAM_COLUMNS).map(([name, type]) => `CAST(${values[name as ClickstreamColumn] ?? 'NULL'} AS ${type}) AS ${name}`).join(', '); // keys are the column names
      const live = path.join(dataDir, 'live.parquet');
      await duck.run(`COPY (SELECT ${select} FROM range(2) r(i)) TO '${live}' (FORMAT parquet)`);
      await storage.put(live, 'raw/clickstream/dt=2026-03-10/hour=14/live-1.parquet');

      const options = { pool: db.pool, storage, workDir: dataDir, pseudonymKey: 'k', timeZone: 'America/New_York' };
      await importAccessLogFile(FIXTURE, options);
      const rollupFile = path.join(lakeRoot(dataDir), 'curated', 'clickstream_hourly', 'dt=2026-03-10', 'rollup.parquet');
      const read = (): Promise<Array<Record<string, unknown>>> =>
        duck.rows(`SELECT * EXCLUDE (local_hour), local_hour::VARCHAR AS local_hour FROM read_parquet(?) ORDER BY ALL`, [rollupFile]);
      const fromImport = await read();
      const bySource = Object.fromEntries(
        ['live', 'import'].map((source) => [source, fromImport.filter((row) => row.source === source).reduce((sum, row) => sum + Number(row.page_views), 0)]),
      );
      assert.deepEqual(bySource, { live: 2, import: 6 });
      await rebuildDayRollup(duck, storage, path.join(dataDir, 'rebuild'), '2026-03-10');
      assert.deepEqual(await read(), fromImport);
    } finally {
      duck.close();
    }
  });
});

describe('the visitor of each line (address + user agent, stored columnar)', () => {
  let db: TestDatabase;
  let dataDir: string;

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(tmpdir(), 'access-import-visitors-'));
  });
  after(async () => {
    await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("stores each line's keyed visitor id, network prefix, device and bot flag exactly", async () => {
    const phone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148';
    const desktop = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0';
    const bot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    // [address, agent (null: Common Log Format), expected prefix, device, bot]
    const cases: Array<[string, string | null, string | null, string, boolean]> = [
      ['203.0.113.9', phone, '203.0.113.0/24', 'mobile', false],
      ['203.0.113.9', desktop, '203.0.113.0/24', 'desktop', false],
      ['2001:db8:5:6::7', desktop, '2001:db8:5::/48', 'desktop', false],
      ['66.249.66.1', bot, '66.249.66.0/24', 'other', true],
      ['proxy.example.org', null, null, 'other', false],
      ['203.0.113.9', phone, '203.0.113.0/24', 'mobile', false],
    ];
    const file = path.join(dataDir, 'visitors.log');
    writeFileSync(
      file,
      cases
        .map(([address, agent], index) => `${address} - - [10/Mar/2026:10:1${index}:00 -0400] "GET /p/${index} HTTP/1.1" 200 10${agent === null ? '' : ` "-" "${agent}"`}`)
        .join('\n'),
    );
    const storage = new LocalLakeStorage(lakeRoot(dataDir));
    const report = await importAccessLogFile(file, { pool: db.pool, storage, workDir: dataDir, pseudonymKey: 'visitor-key', timeZone: 'UTC' });
    assert.deepEqual([report.events, report.bots, report.withoutUserAgent], [6, 1, 1]);
    const duck = await openDuckDb({ threads: 1 });
    try {
      const rows = await duck.all<{ path: string; visitor_id: string; ip_prefix: string | null; device: string; is_bot: boolean }>(
        `SELECT path, visitor_id, ip_prefix, device, is_bot FROM read_parquet(?) ORDER BY event_time`,
        [path.join(lakeRoot(dataDir), 'raw', 'clickstream', '*', '*', '*.parquet')],
      );
      assert.deepEqual(
        rows,
        cases.map(([address, agent, prefix, device, isBot], index) => ({
          path: `/p/${index}`,
          visitor_id: pseudonymise('visitor-key', 'legacy-visitor', `${address}|${agent ?? ''}`),
          ip_prefix: prefix,
          device,
          is_bot: isBot,
        })),
      );
      // one person on two devices is two visitors; the same address and agent again is the same one
      assert.equal(new Set(rows.map((row) => row.visitor_id)).size, 5);
    } finally {
      duck.close();
    }
  });

  it('gives the keyed visitor id of pseudonymise to every visitor of a log larger than one hashing batch (hashed on a thread)', async () => {
    // 9,000 distinct visitors (two batches sent to the hashing thread and a partial one), each seen twice
    const agents = ['Mozilla/5.0 (X11; Linux) Firefox/120.0', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148'];
    // every 10th an IPv6 address; from the second batch on, a third agent the thread first hears of then
    const visitors = Array.from({ length: 9000 }, (_, index) => ({
      address: index % 10 === 0 ? `2001:db8:${index.toString(16)}::1` : `198.51.${Math.floor(index / 200)}.${index % 200}`,
      agent: index >= 6000 && index % 3 === 0 ? 'Late/1.0 (a third agent)' : (agents[index % 2] as string),
    }));
    const lines = [...visitors, ...visitors].map(
      ({ address, agent }, index) => `${address} - - [11/Mar/2026:0${Math.floor(index / 3600)}:${String(Math.floor(index / 60) % 60).padStart(2, '0')}:${String(index % 60).padStart(2, '0')} +0000] "GET /p/${index} HTTP/1.1" 200 10 "-" "${agent}"`,
    );
    const file = path.join(dataDir, 'many-visitors.log');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const lake = path.join(dataDir, 'many');
    const report = await importAccessLogFile(file, { pool: db.pool, storage: new LocalLakeStorage(lakeRoot(lake)), workDir: dataDir, pseudonymKey: 'visitor-key', timeZone: 'UTC' });
    assert.equal(report.events, lines.length);
    const duck = await openDuckDb({ threads: 1 });
    try {
      const rows = await duck.all<{ path: string; visitor_id: string; ip_prefix: string | null }>(`SELECT path, visitor_id, ip_prefix FROM read_parquet(?)`, [
        path.join(lakeRoot(lake), 'raw', 'clickstream', '*', '*', '*.parquet'),
      ]);
      const byPath = new Map(rows.map((row) => [row.path, row.visitor_id]));
      assert.equal(byPath.size, lines.length);
      for (const [index, { address, agent }] of [...visitors, ...visitors].entries()) {
        assert.equal(byPath.get(`/p/${index}`), pseudonymise('visitor-key', 'legacy-visitor', `${address}|${agent}`), `line ${index + 1}`);
      }
      const prefixes = new Map(rows.map((row) => [row.path, row.ip_prefix]));
      for (const [index, { address }] of [...visitors, ...visitors].entries()) assert.equal(prefixes.get(`/p/${index}`), ipPrefix(address), `line ${index + 1}`);
      assert.equal(new Set(rows.map((row) => row.visitor_id)).size, visitors.length);
    } finally {
      duck.close();
    }
  });
});

describe("putting each day's files while the next day is written", () => {
  it('puts days in order, keeps the first failure, skips the days after it and never rejects unhandled', async () => {
    const done: string[] = [];
    const uploads = new DayUploads(async (day) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (day === '2026-03-11') throw new Error('disk full');
      done.push(day);
    });
    for (const day of ['2026-03-10', '2026-03-11', '2026-03-12']) uploads.add(day);
    assert.doesNotThrow(() => uploads.throwIfFailed()); // nothing has failed yet: the puts run behind
    await uploads.settle();
    assert.deepEqual(done, ['2026-03-10']);
    assert.throws(() => uploads.throwIfFailed(), /disk full/);
  });

  it('fails the import with the storage error when a put fails, and leaves no work directory behind', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'access-import-failing-'));
    const workDir = mkdtempSync(path.join(tmpdir(), 'access-import-failing-work-'));
    try {
      class FailingStorage extends LocalLakeStorage {
        override async put(localFile: string, key: string): Promise<void> {
          if (key.includes('hour=15')) throw new Error(`cannot put ${key}: no space left`);
          await super.put(localFile, key);
        }
      }
      const options = { pool: db.pool, storage: new FailingStorage(lakeRoot(dataDir)), workDir, pseudonymKey: 'k', timeZone: 'UTC' };
      await assert.rejects(importAccessLogFile(FIXTURE, options), /hour=15.*no space left/);
      assert.deepEqual(readdirSync(workDir), []);
      // the same when days are written behind the parsing: a put failing there fails the import
      const days = path.join(dataDir, 'days.log');
      const lines = Array.from({ length: 6 * 24 }, (_, index) => `203.0.113.9 - - [${10 + Math.floor(index / 24)}/Mar/2026:${String(index % 24).padStart(2, '0')}:30:00 +0000] "GET /p/${index} HTTP/1.1" 200 10 "-" "Mozilla/5.0 (X11; Linux)"`);
      writeFileSync(days, `${lines.join('\n')}\n`);
      await assert.rejects(importAccessLogFile(days, { ...options, loadEveryRows: 8 }), /dt=2026-03-10\/hour=15.*no space left/);
      assert.deepEqual(readdirSync(workDir), []);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  it('a re-run after a failed import replaces what the failed run put, so every line is in the lake once', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'access-import-rerun-'));
    try {
      // three days, each line at a known time; the first run fails on the second day's files
      const lines = Array.from({ length: 3 * 30 }, (_, index) => {
        const day = 10 + Math.floor(index / 30);
        const minute = index % 30;
        return `203.0.113.${index % 7} - - [${day}/Mar/2026:12:${String(minute).padStart(2, '0')}:00 +0000] "GET /p/${index} HTTP/1.1" 200 10 "-" "Mozilla/5.0 (X11; Linux)"`;
      });
      const file = path.join(dataDir, 'three-days.log');
      writeFileSync(file, `${lines.join('\n')}\n`);
      class FailingStorage extends LocalLakeStorage {
        override async put(localFile: string, key: string): Promise<void> {
          if (key.includes('dt=2026-03-11')) throw new Error(`cannot put ${key}: no space left`);
          await super.put(localFile, key);
        }
      }
      const options = { pool: db.pool, workDir: dataDir, pseudonymKey: 'k', timeZone: 'UTC' };
      await assert.rejects(importAccessLogFile(file, { ...options, storage: new FailingStorage(lakeRoot(dataDir)) }), /no space left/);
      assert.ok(parquetFiles(lakeRoot(dataDir)).some((written) => written.includes('dt=2026-03-10')), 'the first day was put before the failure');
      const report = await importAccessLogFile(file, { ...options, storage: new LocalLakeStorage(lakeRoot(dataDir)) });
      assert.equal(report.status, 'imported');
      const duck = await openDuckDb({ threads: 1 });
      try {
        const rows = await duck.all<{ event_id: string; path: string }>(`SELECT event_id::VARCHAR AS event_id, path FROM read_parquet(?)`, [
          path.join(lakeRoot(dataDir), 'raw', 'clickstream', '*', '*', '*.parquet'),
        ]);
        assert.equal(rows.length, lines.length);
        const contentHash = createHash('sha256').update(readFileSync(file)).digest('hex');
        assert.deepEqual(
          rows.map((row) => row.event_id).sort(),
          lines.map((_, index) => lineEventId(contentHash, index + 1)).sort(),
        );
      } finally {
        duck.close();
      }
      assert.equal((await importAccessLogFile(file, { ...options, storage: new LocalLakeStorage(lakeRoot(dataDir)) })).status, 'already-imported');
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('writes days on two connections at once, each day once, hands them on in order, and stops taking days at the first failure', async () => {
    const duck = await openDuckDb({ threads: 2 });
    try {
      await duck.run('CREATE TABLE written (day VARCHAR)');
      const days = ['2026-03-10', '2026-03-11', '2026-03-12', '2026-03-13', '2026-03-14'];
      const after: string[] = [];
      await writeDays(duck, days, (day) => `INSERT INTO written VALUES ('${day}')`, (day) => after.push(day));
      // called in day order, whichever connection finished first
      assert.deepEqual(after, days);
      const rows = await duck.all<{ day: string }>('SELECT day FROM written ORDER BY day');
      assert.deepEqual(rows.map((row) => row.day), days);
      const threads = async (): Promise<number> => Number((await duck.all<{ threads: bigint }>("SELECT current_setting('threads') AS threads"))[0]?.threads);
      // the writers ran on one thread each; the database has its two threads back for what follows
      assert.equal(await threads(), 2);

      // the first day fails while the other connection works on the second day, which finishes
      // only after the failure has reached writeDays (held until then, not timed: a slow query
      // once lost that race on a busy machine): no writer takes a third day after the failure
      await duck.run('DELETE FROM written');
      const tried: string[] = [];
      let failureSeen!: () => void;
      const afterFailure = new Promise<void>((resolve) => {
        failureSeen = resolve;
      });
      const holdingSecondDay = (db: LakeDb): LakeDb => ({
        ...db,
        run: async (sql, params) => {
          if (sql.includes('no_such_table')) {
            // writeDays records the failure in the microtasks after this rejects; setImmediate runs after them
            await db.run(sql, params).finally(() => setImmediate(failureSeen));
            return;
          }
          if (sql.includes("'2026-03-11'")) await afterFailure;
          await db.run(sql, params);
        },
        connect: async () => holdingSecondDay(await db.connect()),
      });
      const failing = writeDays(
        holdingSecondDay(duck),
        days,
        (day) => (day === '2026-03-10' ? 'SELECT * FROM no_such_table' : `INSERT INTO written VALUES ('${day}')`),
        (day) => tried.push(day),
      );
      await assert.rejects(failing, /no_such_table/);
      // the second day was written but is not handed on: the day before it failed
      assert.deepEqual(tried, []);
      // nothing still runs on the second connection: what it wrote is there when writeDays returns
      assert.deepEqual((await duck.all<{ day: string }>('SELECT day FROM written')).map((row) => row.day), ['2026-03-11']);
      assert.equal(await threads(), 2);
    } finally {
      duck.close();
    }
  });

  // (visits may differ: they are split by the gaps between a visitor's lines in the order read)
  it('puts the same events into the same hour files whether the lines come in time order or not', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'access-import-order-'));
    try {
      const lines = Array.from({ length: 3 * 48 }, (_, index) => {
        const day = 10 + Math.floor(index / 48);
        const hour = Math.floor((index % 48) / 2);
        return `203.0.113.${index % 5} - - [${day}/Mar/2026:${String(hour).padStart(2, '0')}:${String(index % 60).padStart(2, '0')}:00 +0000] "GET /p/${index} HTTP/1.1" 200 10 "-" "Mozilla/5.0 (X11; Linux)"`;
      });
      // a fixed shuffle (every 7th line of a cycle): the same lines, out of time order
      const shuffled = lines.map((_, index) => lines[(index * 7) % lines.length] as string);
      assert.equal(new Set(shuffled).size, lines.length);
      const contents = async (name: string, text: string[], loadEveryRows?: number): Promise<Array<{ file: string; rows: string }>> => {
        const root = lakeRoot(path.join(dataDir, name));
        const file = path.join(dataDir, `${name}.log`);
        writeFileSync(file, `${text.join('\n')}\n`);
        // the same lines may have been imported into another lake: forget it, so they import again
        await db.pool.query('DELETE FROM access_log_imports');
        const report = await importAccessLogFile(file, { pool: db.pool, storage: new LocalLakeStorage(root), workDir: dataDir, pseudonymKey: 'k', timeZone: 'UTC', loadEveryRows });
        assert.equal(report.events, lines.length);
        const duck = await openDuckDb({ threads: 1 });
        try {
          const files = parquetFiles(path.join(root, 'raw', 'clickstream')).sort();
          // the lake's layout, and the one file name per hour that a re-import overwrites
          for (const written of files) assert.match(path.relative(root, written), /^raw\/clickstream\/dt=2026-03-1[0-2]\/hour=\d\d\/import-[0-9a-f]{16}-0\.parquet$/);
          return await Promise.all(
            files.map(async (written) => {
              const rows = await duck.all<{ t: string; path: string; visitor: string }>(`SELECT event_time::VARCHAR AS t, path, visitor_id AS visitor FROM read_parquet(?, hive_partitioning = false)`, [written]);
              const times = rows.map((row) => row.t);
              assert.deepEqual(times, [...times].sort(), `${written} is in time order`);
              return { file: path.relative(root, written).replace(/import-[0-9a-f]+-/, 'import-'), rows: JSON.stringify(rows.map((row) => [row.t, row.path, row.visitor]).sort()) };
            }),
          );
        } finally {
          duck.close();
        }
      };
      const ordered = await contents('ordered', lines);
      assert.equal(ordered.length, 3 * 24);
      assert.deepEqual(await contents('shuffled', shuffled), ordered);
      // loaded and written a few lines at a time, days finished early written behind the parsing;
      // out of order, days written before more of their lines came are written again, whole
      assert.deepEqual(await contents('stepwise', lines, 10), ordered);
      assert.deepEqual(await contents('shuffled-stepwise', shuffled, 10), ordered);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('writes the same events and rollups when days are written behind the parsing, a few lines at a time', async () => {
    const db = await createTestDatabase();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'access-import-steps-'));
    try {
      // four days, several visitors and pages, a bot, lines without a user agent, a late line
      const lines = Array.from({ length: 4 * 60 }, (_, index) => {
        const day = 10 + Math.floor(index / 60);
        const minute = (index % 60) * 23;
        const stamp = `${day}/Mar/2026:${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00 +0000`;
        const agent = ['"-" "Mozilla/5.0 (X11; Linux)"', '"https://example.com/" "Googlebot/2.1 (+http://www.google.com/bot.html)"', ''][index % 3] as string;
        return `198.51.100.${index % 7} - - [${stamp}] "GET /p/${index % 11}?utm_source=s${index % 2} HTTP/1.1" ${index % 13 === 0 ? 404 : 200} ${index} ${agent}`.trimEnd();
      });
      // a line of the first day, read after the third day's lines
      lines.splice(170, 0, '198.51.100.1 - - [10/Mar/2026:23:59:00 +0000] "GET /late HTTP/1.1" 200 1 "-" "Mozilla/5.0 (X11; Linux)"');
      const file = path.join(dataDir, 'access.log');
      writeFileSync(file, `${lines.join('\n')}\n`);
      const lake = async (name: string, loadEveryRows?: number): Promise<{ events: string; rollups: string; report: Record<string, unknown> }> => {
        const root = lakeRoot(path.join(dataDir, name));
        // the file was imported into another lake: forget it, so it imports again
        await db.pool.query('DELETE FROM access_log_imports');
        const report = await importAccessLogFile(file, { pool: db.pool, storage: new LocalLakeStorage(root), workDir: dataDir, pseudonymKey: 'k', timeZone: 'UTC', loadEveryRows });
        const duck = await openDuckDb({ threads: 1 });
        try {
          const read = async (dir: string, columns: string): Promise<string> => {
            const files = parquetFiles(dir);
            assert.ok(files.length > 0, `files under ${dir}`);
            const rows = await duck.all<Record<string, string>>(`SELECT ${columns} FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}], hive_partitioning = false) ORDER BY ALL`);
            return JSON.stringify(rows);
          };
          const { seconds: _seconds, linesPerSecond: _speed, stages: _stages, ...rest } = report;
          return {
            events: await read(path.join(root, 'raw', 'clickstream'), 'COLUMNS(* EXCLUDE (received_at))::VARCHAR'),
            rollups: await read(path.join(root, 'curated'), 'COLUMNS(*)::VARCHAR'),
            report: rest,
          };
        } finally {
          duck.close();
        }
      };
      const whole = await lake('whole');
      const steps = await lake('steps', 16);
      assert.equal(JSON.parse(whole.events).length, lines.length);
      assert.deepEqual(steps.events, whole.events);
      assert.deepEqual(steps.rollups, whole.rollups);
      assert.deepEqual(steps.report, whole.report);
      assert.deepEqual(readdirSync(dataDir).filter((name) => name.startsWith('access-log-import-')), []);
    } finally {
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
