/**
 * Whether a process's memory "levels off" over a soak: the criterion of `bench/soak.bench.ts`.
 *
 * A worker's RSS is a sawtooth (each flush, compaction and rollup rebuild takes memory and gives it
 * back), sampled every SOAK_SAMPLE_S seconds. One least-squares line through every sample is
 * decided by where the spikes happen to fall (a few large ones late in the window tilt it), so the
 * series is cut into windows (5 minutes by default) and judged on two lines instead:
 * - the slope of the per-window minima: the floor between jobs, which a leak raises;
 * - the slope of the per-window maxima: the peaks, which a job whose working set grows raises;
 * both under `slopeLimitMbPerMin` over the second half of the run, and the maximum of the whole run
 * under `boundMb`. The single least-squares slope is still reported (`leastSquaresSlopeMbPerMin`)
 * for comparison with earlier runs.
 */

/** One sample: [minute since the load started, MB]. */
export type MemorySample = readonly [number, number];

/** The slope (MB/min) under which a floor or the peaks count as level, unless `slopeLimitMbPerMin` says otherwise. */
export const LEVEL_SLOPE_MB_PER_MIN = 0.5;

export interface LevelsOffOptions {
  /** Largest maximum (MB) of the whole run, exclusive. */
  boundMb: number;
  /** Largest slope (MB/min) of the floor and of the peaks, exclusive. Default 0.5. */
  slopeLimitMbPerMin?: number;
  /** Length of the windows whose minimum and maximum are taken (minutes). Default 5. */
  windowMinutes?: number;
  /** Samples before this minute are left out of the slopes (the warm-up); default: half of the run. */
  fromMinute?: number;
}

export interface LevelsOffVerdict {
  levelsOff: boolean;
  /** Slope of the per-window minima over the judged part (MB/min). */
  floorSlopeMbPerMin: number;
  /** Slope of the per-window maxima over the judged part (MB/min). */
  peakSlopeMbPerMin: number;
  /** The former criterion: least-squares slope through every judged sample (MB/min). */
  leastSquaresSlopeMbPerMin: number;
  maxMb: number;
  /** Windows judged; fewer than 3 give no verdict (levelsOff false). */
  windows: number;
  /** Why it does not level off; empty when it does. */
  reasons: string[];
}

/** Least-squares slope of y over x (0 for fewer than two points or a single x). */
export function slope(points: readonly MemorySample[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((sum, [x]) => sum + x, 0) / n;
  const my = points.reduce((sum, [, y]) => sum + y, 0) / n;
  const num = points.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const den = points.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

/**
 * Judges a memory series (sorted or not) by the criterion above.
 *
 * @example
 * levelsOff([[0, 200], [0.5, 300], …], { boundMb: 512 }) // { levelsOff: true, floorSlopeMbPerMin: 0.02, … }
 */
export function levelsOff(series: readonly MemorySample[], options: LevelsOffOptions): LevelsOffVerdict {
  const limit = options.slopeLimitMbPerMin ?? LEVEL_SLOPE_MB_PER_MIN;
  const windowMinutes = options.windowMinutes ?? 5;
  const sorted = [...series].sort(([a], [b]) => a - b);
  const last = sorted.at(-1)?.[0] ?? 0;
  const from = options.fromMinute ?? last / 2;
  const judged = sorted.filter(([minute]) => minute >= from);
  const windows = new Map<number, number[]>();
  for (const [minute, mb] of judged) {
    const index = Math.floor((minute - from) / windowMinutes);
    windows.set(index, [...(windows.get(index) ?? []), mb]);
  }
  // a last window shorter than half a window holds too few samples to have seen a spike: left out
  const whole = [...windows].filter(([index]) => from + index * windowMinutes + windowMinutes / 2 <= last || index === 0);
  const middle = (index: number): number => from + (index + 0.5) * windowMinutes;
  const floorSlope = slope(whole.map(([index, values]) => [middle(index), Math.min(...values)]));
  const peakSlope = slope(whole.map(([index, values]) => [middle(index), Math.max(...values)]));
  const maxMb = sorted.length === 0 ? 0 : Math.max(...sorted.map(([, mb]) => mb));
  const reasons: string[] = [];
  if (whole.length < 3) reasons.push(`only ${whole.length} window(s) of ${windowMinutes} min to judge: run longer or use shorter windows`);
  if (floorSlope >= limit) reasons.push(`the floor rises ${floorSlope.toFixed(3)} MB/min (limit ${limit})`);
  if (peakSlope >= limit) reasons.push(`the peaks rise ${peakSlope.toFixed(3)} MB/min (limit ${limit})`);
  if (maxMb >= options.boundMb) reasons.push(`the maximum ${maxMb} MB reaches the bound ${options.boundMb} MB`);
  return {
    levelsOff: reasons.length === 0,
    floorSlopeMbPerMin: Number(floorSlope.toFixed(3)),
    peakSlopeMbPerMin: Number(peakSlope.toFixed(3)),
    leastSquaresSlopeMbPerMin: Number(slope(judged).toFixed(3)),
    maxMb,
    windows: whole.length,
    reasons,
  };
}
