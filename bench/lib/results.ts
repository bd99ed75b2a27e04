import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

/** One measured figure set, e.g. `{ name: 'product-list-api', reqPerSec: 2400, p99Ms: 14, errors: 0 }`. */
export type BenchFigures = Record<string, unknown> & { name: string };

export interface BenchResult {
  benchmark: string;
  measuredAt: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  /** What each figure is compared against, e.g. `{ 'product-list-api.p99Ms': '< 20' }`. */
  goals: Record<string, string>;
  results: BenchFigures[];
}

/**
 * Writes `bench/results/<benchmark>.json` and prints it.
 *
 * @example
 * writeBenchResult('shop', { 'product-list-api.p99Ms': '< 20' }, [{ name: 'product-list-api', p99Ms: 12 }]);
 */
export function writeBenchResult(benchmark: string, goals: Record<string, string>, results: BenchFigures[]): BenchResult {
  const result: BenchResult = {
    benchmark,
    measuredAt: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    goals,
    results,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(path.join(RESULTS_DIR, `${benchmark}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  return result;
}
