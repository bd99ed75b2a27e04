import type { BenchFigures, BenchResult } from './results.js';

/** The median of the numbers given (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2; // indexes inside a non-empty array
}

/**
 * Folds repeated runs of one benchmark into one figure set per name: every numeric field becomes
 * the median over the runs, other fields keep the first run's value, and `runs` lists each run's
 * raw numbers so a reader sees the spread.
 *
 * @example
 * medianOfRuns([{ results: [{ name: 'a', ms: 3 }] }, { results: [{ name: 'a', ms: 1 }] }, …])
 */
export function medianOfRuns(runs: readonly Pick<BenchResult, 'results'>[]): BenchFigures[] {
  const names: string[] = [];
  for (const run of runs) for (const figures of run.results) if (!names.includes(figures.name)) names.push(figures.name);
  return names.map((name) => {
    const sets = runs.map((run) => run.results.find((figures) => figures.name === name)).filter((set): set is BenchFigures => set !== undefined);
    const merged: BenchFigures = { name };
    const keys = new Set(sets.flatMap((set) => Object.keys(set)));
    for (const key of keys) {
      if (key === 'name') continue;
      const values = sets.map((set) => set[key]);
      const numbers = values.filter((value): value is number => typeof value === 'number' && Number.isFinite(value));
      if (numbers.length === values.length && numbers.length > 0) {
        merged[key] = Number(median(numbers).toFixed(3));
        if (numbers.length > 1) merged[`${key}.runs`] = numbers;
      } else {
        merged[key] = values[0];
      }
    }
    return merged;
  });
}
