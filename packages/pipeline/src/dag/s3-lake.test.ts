import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createLogger } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { InsightsLake } from '@threadline/insights';
import { LakeMirror, listCatalogPartitions, listCatalogTables, openDuckDb, runLakeQuery, sqlLiteral, type S3LakeStorage } from '@threadline/lake';
import { startS3Lake } from '@threadline/lake/testing';

import { loadPipelineSettings } from './pipeline-settings.js';
import { runPipeline, type PipelineDeps } from './run-pipeline.js';
import { publishPartitions, recoverPublishes } from '../publish/publish.js';
import { seedShop } from '../testing/shop-fixture.js';

const ZONE = 'America/New_York';
const DATES = ['2026-11-18', '2026-11-19', '2026-11-20'];
const NOW = new Date('2026-11-21T12:00:00Z');
const BUCKET = 'shop-lake';

/**
 * The whole lake on S3 (s3rver on loopback): the nightly run publishes to the bucket, the catalog
 * lists the bucket's partitions, and a second process with an empty read cache answers insight
 * and SQL queries from it. Nothing is written under `<data dir>/lake`.
 */
describe('the lake on S3: pipeline, catalog and insights', () => {
  let db: TestDatabase;
  let dir: string;
  let dataDir: string;
  let server: Awaited<ReturnType<typeof startS3Lake>>;
  let storage: S3LakeStorage;

  /** A process's view of the S3 lake: the bucket and its own read cache. */
  const mirror = (cache: string): LakeMirror => new LakeMirror(storage, path.join(dir, cache));

  const deps = (lake: LakeMirror, overrides: Partial<PipelineDeps> = {}): PipelineDeps => ({
    pool: db.pool,
    dataDir,
    lake,
    timeZone: ZONE,
    pseudonymKey: 'test-pseudonym-key',
    slackWebhookUrl: undefined,
    logger: createLogger({ name: 'pipeline-s3-test', level: 'silent' }),
    settings: { ...loadPipelineSettings({}), backoffMs: 10, retries: 0 },
    now: () => NOW,
    refreshers: [],
    ...overrides,
  });

  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'tl-s3-lake-'));
    dataDir = path.join(dir, 'data');
    server = await startS3Lake(path.join(dir, 's3'), BUCKET);
    storage = server.storage;
    // 300 orders over three days: 200, 300, 100 order lines per day
    await seedShop(db.pool, { users: 40, products: 12, orders: 300, lastDate: '2026-11-20', days: 3, timeZone: ZONE });
  });

  after(async () => {
    await server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes the nightly run to the bucket and catalogs the bucket’s partitions', async () => {
    const summary = await runPipeline(deps(mirror('worker-cache')), { trigger: 'manual', dates: DATES });
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    const keys = await storage.list('curated/sales/');
    // one month partition (the three days are a column inside its file)
    assert.deepEqual([...new Set(keys.map((key) => key.split('/')[2]))], ['month=2026-11']);
    // each partition: its pointer and the files of the generation it names (an atomic switch for readers)
    assert.ok(keys.every((key) => key.endsWith('/_current.json') || /\/_gen\/[a-z0-9-]+\/[^/]+\.parquet$/.test(key)), keys.join(', '));
    assert.equal(keys.filter((key) => key.endsWith('/_current.json')).length, 1);
    assert.ok(!existsSync(path.join(dataDir, 'lake', 'curated')), 'nothing is published to the local lake directory');

    const sales = (await listCatalogTables(db.pool)).find((table) => table.name === 'sales');
    assert.equal(sales?.rowCount, 600);
    assert.equal(sales?.location, 'curated/sales');
    const partitions = await listCatalogPartitions(db.pool, 'sales');
    assert.deepEqual(
      partitions.map((partition) => [partition.path, partition.rowCount]).sort(),
      [['month=2026-11', 600]],
    );
  });

  it('answers insight and SQL queries from the bucket in another process (empty read cache)', async () => {
    const lake = mirror('api-cache');
    const insights = await InsightsLake.open(dataDir, { threads: 1, lake });
    try {
      const rows = await insights.query<{ dt: string; n: number }>('SELECT dt::VARCHAR AS dt, count(*)::INTEGER AS n FROM sales GROUP BY ALL ORDER BY dt');
      assert.deepEqual(rows, [
        { dt: '2026-11-18', n: 200 },
        { dt: '2026-11-19', n: 300 },
        { dt: '2026-11-20', n: 100 },
      ]);
      assert.ok(insights.asOf(['sales']) instanceof Date);
    } finally {
      insights.close();
    }
    const result = await runLakeQuery({ pool: db.pool, lake, sql: 'SELECT count(*)::INTEGER AS n FROM sales' });
    assert.deepEqual(result.rows, [{ n: 600 }]);
  });

  it('keeps the read cache by ETag: unchanged objects are not downloaded again, deleted ones disappear', async () => {
    const lake = mirror('etag-cache');
    const counts: number[] = [];
    const onDownload = (count: number): void => void counts.push(count);
    const dirOf = await lake.sync('curated/sales/', { onDownload });
    await lake.sync('curated/sales/', { onDownload });
    const files = (await storage.list('curated/sales/')).filter((key) => key.endsWith('.parquet')).length;
    assert.deepEqual(counts, [files, 0]);

    // The first rebuild of one day carries the month's other days from the published file: the same
    // rows, but its text columns are written as VARCHAR, not from the first build's enums
    // (extract/text-types.ts), so the dictionaries differ and the file is fetched once more. A
    // rebuild from unchanged data after it writes the same month file, byte for byte (same ETag):
    // nothing to fetch.
    for (const expected of [1, 0]) {
      const rerun = await runPipeline(deps(mirror('worker-cache')), { trigger: 'manual', dates: ['2026-11-19'] });
      assert.equal(rerun.status, 'succeeded', rerun.error ?? '');
      await lake.sync('curated/sales/', { onDownload });
      assert.equal(counts.at(-1), expected);
    }

    // an object replaced with other content is fetched again, and only it
    const current = async (partition: string): Promise<string> => {
      const pointerFile = path.join(dir, `pointer-${partition.replaceAll('/', '-')}.json`);
      await storage.download(`curated/${partition}/_current.json`, pointerFile);
      const pointer: unknown = JSON.parse(readFileSync(pointerFile, 'utf8'));
      assert.ok(typeof pointer === 'object' && pointer !== null && 'generation' in pointer && typeof pointer.generation === 'string' && 'files' in pointer && Array.isArray(pointer.files));
      return `curated/${partition}/_gen/${pointer.generation}/${String(pointer.files[0])}`;
    };
    const changedKey = await current('sales/month=2026-11');
    const other = path.join(dir, 'other.parquet');
    await storage.download(await current('sales_orders/month=2026-11'), other);
    await storage.put(other, changedKey);
    await lake.sync('curated/sales/', { onDownload });
    assert.equal(counts.at(-1), 1);
    assert.equal(statSync(path.join(lake.root, 'curated/sales/month=2026-11', path.basename(changedKey))).size, (await storage.listFiles(changedKey)).at(0)?.bytes);

    await storage.delete(await storage.list('curated/sales/month=2026-11/'));
    await lake.sync('curated/sales/', { onDownload });
    assert.deepEqual(readdirSync(path.join(dirOf, 'month=2026-11')), []);
  });

  it('uploads a publish cut short by a crash when the next process recovers it', async () => {
    const worker = mirror('crash-cache');
    const staged = path.join(worker.root, 'staging', 'run-crash', 'sales', 'dt=2026-11-21');
    mkdirSync(staged, { recursive: true });
    writeFileSync(path.join(staged, 'data_0.parquet'), 'staged bytes');
    const items = [{ dataset: 'sales', partition: 'dt=2026-11-21', stagedDir: staged }];
    await assert.rejects(
      publishPartitions(worker.root, 'run-crash', items, {
        fault: ({ action }) => {
          if (action === 'move-new') throw new Error('simulated crash');
        },
      }),
      /simulated crash/,
    );
    assert.deepEqual(await storage.list('curated/sales/dt=2026-11-21/'), []);
    assert.deepEqual(await recoverPublishes(worker), ['run-crash']);
    const published = await storage.list('curated/sales/dt=2026-11-21/');
    assert.equal(published.length, 2, published.join(', '));
    assert.equal(published[0], 'curated/sales/dt=2026-11-21/_current.json');
    assert.match(published[1] ?? '', /^curated\/sales\/dt=2026-11-21\/_gen\/[a-z0-9-]+\/data_0\.parquet$/);
  });

  it('converts a bucket of day partitions to month partitions, deleting the day keys once the months are in', async () => {
    // the crash test above left a partition of made-up bytes: not a lake anyone would convert
    await storage.delete(await storage.list('curated/sales/dt=2026-11-21/'));
    const worker = mirror('worker-cache');
    const rebuilt = await runPipeline(deps(worker), { trigger: 'manual', dates: DATES });
    assert.equal(rebuilt.status, 'succeeded', rebuilt.error ?? '');
    const salesPerDay = async (): Promise<unknown> => {
      const insights = await InsightsLake.open(dataDir, { threads: 1, lake: mirror(`reader-${Date.now()}`) });
      try {
        return await insights.query('SELECT dt::VARCHAR AS dt, count(*)::INTEGER AS n, sum(line_total_cents)::BIGINT AS revenue FROM sales GROUP BY ALL ORDER BY dt');
      } finally {
        insights.close();
      }
    };
    const expected = await salesPerDay();
    // the bucket as the code before month partitions left it: `dt=` partitions (pointer and generation each)
    const uploader = mirror('day-uploader');
    const days = path.join(uploader.root, 'curated', 'sales');
    mkdirSync(path.dirname(days), { recursive: true });
    const session = await openDuckDb();
    try {
      await session.connection.run(
        `COPY (SELECT * FROM read_parquet(${sqlLiteral(path.join(worker.root, 'curated', 'sales', 'month=*', '*.parquet'))}, hive_partitioning = false))
           TO ${sqlLiteral(days)} (FORMAT parquet, PARTITION_BY (dt), FILENAME_PATTERN 'part-{i}')`,
      );
    } finally {
      session.close();
    }
    for (const folder of readdirSync(days)) await uploader.upload(`curated/sales/${folder}/`);
    await storage.delete(await storage.list('curated/sales/month='));
    const folders = async (): Promise<string[]> => [...new Set((await storage.list('curated/sales/')).map((key) => key.split('/')[2] ?? ''))].sort();
    assert.deepEqual(await folders(), DATES.map((date) => `dt=${date}`));
    assert.deepEqual(await salesPerDay(), expected, 'the day partitions answer the same');

    const converted = await runPipeline(deps(worker), { trigger: 'manual', dates: ['2026-11-20'] });
    assert.equal(converted.status, 'succeeded', converted.error ?? '');
    assert.deepEqual(await folders(), ['month=2026-11'], 'the day partitions are gone from the bucket');
    assert.deepEqual(await salesPerDay(), expected, 'the month partition answers the same');
  });
});
