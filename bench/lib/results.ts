import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** Set by `bench/run.ts` for each repeated run: the file one run writes its figures to. */
export const RUN_FILE_ENV = 'THREADLINE_BENCH_RUN_FILE';

/** One measured figure set, e.g. `{ name: 'product-list-api', reqPerSec: 2400, p99Ms: 14, errors: 0 }`. */
export type BenchFigures = Record<string, unknown> & { name: string };

export interface BenchMachine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
}

export interface BenchResult {
  benchmark: string;
  measuredAt: string;
  machine: BenchMachine;
  /** What each figure is compared against, e.g. `{ 'product-list-api.p99Ms': '< 20' }`. */
  goals: Record<string, string>;
  results: BenchFigures[];
}

export function describeMachine(): BenchMachine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
  };
}

/**
 * Records one run's figures and prints them. Under `npm run bench` each run writes to the file
 * the runner names (it then keeps the median of the runs in `bench/results/<benchmark>.json`);
 * run directly, it writes that file itself.
 *
 * @example
 * writeBenchResult('shop', { 'product-list-api.p99Ms': '< 20' }, [{ name: 'product-list-api', p99Ms: 12 }]);
 */
export function writeBenchResult(benchmark: string, goals: Record<string, string>, results: BenchFigures[]): BenchResult {
  const result: BenchResult = { benchmark, measuredAt: new Date().toISOString(), machine: describeMachine(), goals, results };
  const target = process.env[RUN_FILE_ENV] ?? path.join(RESULTS_DIR, `${benchmark}.json`);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  return result;
}
