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
 *
 * The two slopes are Theil–Sen slopes (the median of the slopes between every pair of windows), not
 * least squares (since 7 Dec 2026 21:00 UTC): an hourly job is one tall window among nine, and one
 * such spike late in the run tilts a least-squares line over the limit (+100 MB in window 8 of 10
 * gives ~0.8 MB/min) though nothing grows — the 90-minute soak of 7 Dec 18:48 UTC failed so. The
 * median slope follows a trend that most windows share and ignores up to ~29 % of windows being
 * outliers; so a rise confined to the last window or two of ten reads as level here, and only the
 * bound judges it. The least-squares slopes of the minima and maxima are still reported
 * (`floorLeastSquaresSlopeMbPerMin`, `peakLeastSquaresSlopeMbPerMin`).
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
  /** Theil–Sen slope of the per-window minima over the judged part (MB/min): judged. */
  floorSlopeMbPerMin: number;
  /** Theil–Sen slope of the per-window maxima over the judged part (MB/min): judged. */
  peakSlopeMbPerMin: number;
  /** Least-squares slope of the per-window minima (MB/min): reported, not judged. */
  floorLeastSquaresSlopeMbPerMin: number;
  /** Least-squares slope of the per-window maxima (MB/min): reported, not judged. */
  peakLeastSquaresSlopeMbPerMin: number;
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
 * Theil–Sen slope of y over x: the median of the slopes between every pair of points with different
 * x (0 for fewer than two such points). The median of an even count is the mean of the middle two.
 */
export function medianSlope(points: readonly MemorySample[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < points.length; i += 1) {
    for (let j = i + 1; j < points.length; j += 1) {
      const [xi, yi] = points[i]!;
      const [xj, yj] = points[j]!;
      if (xi !== xj) slopes.push((yj - yi) / (xj - xi));
    }
  }
  if (slopes.length === 0) return 0;
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  return slopes.length % 2 === 1 ? slopes[mid]! : (slopes[mid - 1]! + slopes[mid]!) / 2;
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
  const minima = whole.map(([index, values]) => [middle(index), Math.min(...values)] as const);
  const maxima = whole.map(([index, values]) => [middle(index), Math.max(...values)] as const);
  const floorSlope = medianSlope(minima);
  const peakSlope = medianSlope(maxima);
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
    floorLeastSquaresSlopeMbPerMin: Number(slope(minima).toFixed(3)),
    peakLeastSquaresSlopeMbPerMin: Number(slope(maxima).toFixed(3)),
    leastSquaresSlopeMbPerMin: Number(slope(judged).toFixed(3)),
    maxMb,
    windows: whole.length,
    reasons,
  };
}
