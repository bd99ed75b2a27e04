/**
 * Access-log import throughput (issue 10): Combined Log Format lines → parsed, pseudonymised,
 * sessionised events → Parquet in the clickstream lake → hourly rollups. Goal ≥ 100,000 lines/s.
 * `BENCH_LINES` sets the size (default 1,000,000).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { createPool, migrate } from '@threadline/db';
import { startTestCluster } from '@threadline/db/testing';
import { importAccessLogFile } from '@threadline/importer';
import { LocalLakeStorage, lakeRoot } from '@threadline/lake';

import { writeCombinedLog } from './lib/access-log-generator.js';
import { writeBenchResult } from './lib/results.js';

const lines = Number(process.env.BENCH_LINES ?? 1_000_000);
const dir = mkdtempSync(path.join(tmpdir(), 'bench-access-'));
const cluster = await startTestCluster();
const pool = createPool(cluster.url, { max: 4 });
try {
  await migrate(pool);
  const file = path.join(dir, 'access.log');
  console.log(`generating ${lines.toLocaleString('en-US')} log lines…`);
  await writeCombinedLog(file, lines);
  console.log(`importing ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB…`);
  const report = await importAccessLogFile(file, {
    pool,
    storage: new LocalLakeStorage(lakeRoot(dir)),
    workDir: dir,
    pseudonymKey: 'bench',
    timeZone: 'America/New_York',
  });
  writeBenchResult('access-log-import', { 'import.linesPerSecond': '>= 100000' }, [
    {
      name: 'import',
      lines: report.lines,
      events: report.events,
      malformed: report.malformed,
      days: report.days.length,
      seconds: Math.round(report.seconds * 100) / 100,
      linesPerSecond: report.linesPerSecond,
      stages: report.stages,
    },
  ]);
} finally {
  await pool.end();
  await cluster.destroy();
  rmSync(dir, { recursive: true, force: true });
}
