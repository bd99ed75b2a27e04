/**
 * `npm run bench [-- name…] [--runs N]`: runs every `bench/*.bench.ts` (or those whose name
 * matches an argument) one after another, each run in its own process, N times (default 3).
 * Each benchmark's `bench/results/<name>.json` then holds the median of every figure over the
 * runs (with each run's value beside it) and the host's 1-minute load average before and after,
 * and docs/benchmarks.md is regenerated from all result files.
 *
 * Run it alone: on a 2-core machine anything else running (a test suite, another benchmark)
 * skews the figures by up to 10×; the recorded load average shows whether the host was idle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { medianOfRuns } from './lib/median.js';
import { writeBenchmarksDoc } from './lib/report.js';
import { RESULTS_DIR, RUN_FILE_ENV, type BenchResult } from './lib/results.js';

const HELP = `usage: npm run bench [-- name… ] [--runs N]

  name      run only benchmarks whose file name contains it (shop, clickstream, pipeline, …)
  --runs N  repeat each benchmark N times and keep the median (default 3)
  --help    this text

Benchmarks read their sizes from the environment (BENCH_* variables, see each bench/*.bench.ts).
Results: bench/results/<benchmark>.json; docs/benchmarks.md is regenerated from them.`;

const dir = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
const runsAt = args.indexOf('--runs');
const runs = runsAt === -1 ? 3 : Number(args[runsAt + 1]);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a whole number of at least 1');
  process.exit(2);
}
const filters = args.filter((arg, i) => !arg.startsWith('--') && !(runsAt !== -1 && i === runsAt + 1));
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (files.length === 0) {
  console.error('no benchmark matches');
  process.exit(1);
}

const load1m = (): number => Number((os.loadavg()[0] ?? 0).toFixed(2));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'threadline-bench-'));
let failed = 0;
for (const file of files) {
  const loadBefore = load1m();
  const results: BenchResult[] = [];
  for (let run = 1; run <= runs; run += 1) {
    console.log(`\n=== ${file} (run ${run} of ${runs}, load average ${load1m()}) ===`);
    const runFile = path.join(scratch, `${file}.${run}.json`);
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file)], { stdio: 'inherit', env: { ...process.env, [RUN_FILE_ENV]: runFile } });
    if (child.status !== 0) {
      console.error(`${file} run ${run} failed (exit ${child.status ?? 'signal'})`);
      break;
    }
    // written by writeBenchResult in the child; its shape is BenchResult by construction
    results.push(JSON.parse(readFileSync(runFile, 'utf8')) as BenchResult);
  }
  if (results.length < runs) {
    failed += 1;
    continue;
  }
  const first = results[0] as BenchResult; // runs >= 1 and every run succeeded
  const folded = {
    benchmark: first.benchmark,
    measuredAt: new Date().toISOString(),
    machine: first.machine,
    runs,
    loadAverage1m: { before: loadBefore, after: load1m() },
    goals: first.goals,
    results: medianOfRuns(results),
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, `${first.benchmark}.json`), `${JSON.stringify(folded, null, 2)}\n`);
  console.log(`${first.benchmark}: median of ${runs} runs written (load average ${folded.loadAverage1m.before} → ${folded.loadAverage1m.after})`);
}
rmSync(scratch, { recursive: true, force: true });
writeBenchmarksDoc();
console.log(`\n${files.length - failed} benchmarks finished, ${failed} failed; results in bench/results/, table in docs/benchmarks.md`);
process.exit(failed > 0 ? 1 : 0);
