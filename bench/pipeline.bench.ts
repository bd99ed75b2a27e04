/**
 * Nightly pipeline (issue 5): extract + quality gate + publish (+ post-publish check) of
 * 1,000,000 orders / ~3,000,000 order lines over a year, from PostgreSQL 15 into date-partitioned
 * Parquet. Goal < 60 s. Then a survey import of 100,000 answers. Goal < 10 s.
 * `BENCH_ORDERS` and `BENCH_SURVEY_ROWS` set the sizes. The shop data is generated with SQL
 * inside PostgreSQL (not timed).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createLogger } from '@threadline/config';
import { createPool, migrate } from '@threadline/db';
import { startTestCluster } from '@threadline/db/testing';
import { dateRange } from '@threadline/domain';
import { generateSurvey, importSurvey } from '@threadline/survey';
import { listSteps, loadPipelineSettings, runPipeline } from '@threadline/pipeline';
import { seedShop } from '@threadline/pipeline/testing';

import { writeBenchResult } from './lib/results.js';

const orders = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const surveyRows = Number(process.env.BENCH_SURVEY_ROWS ?? 100_000);
const ZONE = 'America/New_York';
const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-pipeline-'));
// open like a data directory (mkdtemp makes it 0700): the embedded cluster's user reaches the lake's
// work folder, so it writes the extract files itself as it does under `npm start`
chmodSync(dataDir, 0o755);
const cluster = await startTestCluster();
const pool = createPool(cluster.url, { max: 6 });
try {
  await migrate(pool);
  console.log(`seeding ${orders.toLocaleString('en-US')} orders with SQL…`);
  const seedStarted = performance.now();
  await seedShop(pool, { users: 100_000, products: 2_000, orders, lastDate: '2026-11-20', days: 365, timeZone: ZONE, maxLines: 5 });
  await pool.query('ANALYZE');
  const { rows } = await pool.query<{ lines: number; reviews: number }>('SELECT (SELECT count(*) FROM order_items) AS lines, (SELECT count(*) FROM reviews) AS reviews');
  console.log(`seeded in ${Math.round((performance.now() - seedStarted) / 1000)} s: ${rows[0]?.lines} order lines, ${rows[0]?.reviews} reviews`);

  const started = performance.now();
  const summary = await runPipeline(
    {
      pool,
      dataDir,
      timeZone: ZONE,
      pseudonymKey: 'bench',
      slackWebhookUrl: undefined,
      logger: createLogger({ name: 'bench', level: 'warn' }),
      settings: { ...loadPipelineSettings({}), retries: 0 },
      refreshers: [],
      now: () => new Date('2026-11-21T07:00:00Z'),
      onProgress: (line) => console.log(`  ${((performance.now() - started) / 1000).toFixed(1)} s  ${line}`),
    },
    { trigger: 'backfill', dates: dateRange('2025-11-21', '2026-11-20') },
  );
  const totalSeconds = (performance.now() - started) / 1000;
  if (summary.status !== 'succeeded') throw new Error(`pipeline failed at ${summary.failedStep}: ${summary.error}`);
  const steps = await listSteps(pool, summary.runId);
  const secondsOf = (name: string): number => {
    const step = steps.find((item) => item.step === name);
    return step?.finishedAt ? Math.round((step.finishedAt.getTime() - step.startedAt.getTime()) / 10) / 100 : 0;
  };
  const gated = secondsOf('extract') + secondsOf('quality') + secondsOf('publish') + secondsOf('verify');

  console.log(`generating a ${surveyRows.toLocaleString('en-US')}-answer survey workbook…`);
  const survey = await generateSurvey({ rows: surveyRows, badRows: Math.round(surveyRows / 1000), seed: 1 });
  const surveyStarted = performance.now();
  const surveyStages: Record<string, number> = {};
  const report = await importSurvey({
    pool,
    dataDir,
    fileName: survey.fileName,
    bytes: survey.bytes,
    timeZone: ZONE,
    onStage: (stage, milliseconds) => {
      surveyStages[stage] = Math.round(milliseconds) / 1000;
    },
  });
  const surveySeconds = (performance.now() - surveyStarted) / 1000;
  if (report.rowsAccepted !== survey.expected.rowsAccepted) throw new Error('survey import accepted an unexpected number of rows');

  writeBenchResult('pipeline', { 'nightly.extractGatePublishSeconds': '<= 10', 'survey.importSeconds': '<= 1.5' }, [
    {
      name: 'nightly',
      orders,
      orderLines: rows[0]?.lines,
      reviews: rows[0]?.reviews,
      partitionDates: summary.dates.length,
      rowsIn: summary.rowsIn,
      rowsOut: summary.rowsOut,
      // `server`: the embedded cluster wrote the extract files itself (as under `npm start`); `stream`: through the connection
      extractFilesWrittenBy: summary.extractCopyTarget,
      extractSeconds: secondsOf('extract'),
      qualitySeconds: secondsOf('quality'),
      publishSeconds: secondsOf('publish'),
      verifySeconds: secondsOf('verify'),
      catalogSeconds: secondsOf('catalog'),
      // per-stage breakdown of the extract step (the three COPY connections overlap)
      extractStages: Object.fromEntries(summary.extractStages.map((stage) => [stage.name, stage.seconds])),
      // when each stage first started and last ended, seconds after the extract began (first run
      // only): the critical path of the step
      extractStageSpans: Object.fromEntries(summary.extractStages.map((stage) => [stage.name, [stage.startSeconds, stage.endSeconds]])),
      extractGatePublishSeconds: Math.round(gated * 100) / 100,
      wholeRunSeconds: Math.round(totalSeconds * 100) / 100,
      rulesChecked: summary.qualityResults.length,
    },
    {
      name: 'survey',
      rows: surveyRows,
      fileBytes: survey.bytes.length,
      accepted: report.rowsAccepted,
      rejected: report.rowsRejected,
      importSeconds: Math.round(surveySeconds * 100) / 100,
      rowsPerSecond: Math.round(surveyRows / surveySeconds),
      // seconds per stage: check (file + archive measured), parse (read + validate), parquet, record, catalog
      stages: surveyStages,
    },
  ]);
} finally {
  await pool.end();
  await cluster.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
