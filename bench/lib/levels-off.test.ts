import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { levelsOff, medianSlope, slope, type MemorySample } from './levels-off.js';

/** 60 minutes sampled every 30 s: `floor(minute)` between jobs, `spike(minute)` MB more on every other sample. */
function sawtooth(floor: (minute: number) => number, spike: (minute: number) => number): MemorySample[] {
  return Array.from({ length: 121 }, (_, i) => {
    const minute = i / 2;
    return [minute, floor(minute) + (i % 2 === 1 ? spike(minute) : 0)] as const;
  });
}

describe('soak: does the worker level off', () => {
  it('fits a least-squares slope', () => {
    assert.equal(slope([[0, 1], [1, 3], [2, 5]]), 2);
    assert.equal(slope([[0, 7]]), 0);
  });

  it('fits a Theil–Sen slope: the median of the pairwise slopes, which one outlier does not move', () => {
    assert.equal(medianSlope([[0, 1], [1, 3], [2, 5]]), 2);
    assert.equal(medianSlope([[0, 7]]), 0);
    assert.equal(medianSlope([[1, 7], [1, 9]]), 0);
    // four points, one far off: slopes 1, 1, 1, 21, 31, 61 → the mean of the middle two
    assert.equal(medianSlope([[0, 0], [1, 1], [2, 2], [3, 63]]), 11);
    // five: six slopes of 1 among ten, so the middle two are 1 — least squares is pulled to ~19
    assert.equal(medianSlope([[0, 0], [1, 1], [2, 2], [3, 3], [4, 100]]), 1);
    assert.ok(slope([[0, 0], [1, 1], [2, 2], [3, 3], [4, 100]]) > 15);
  });

  it('passes a flat sawtooth whose spikes the sampler catches more often late (which tilts a single slope)', () => {
    // floor 210 MB, every spike 90 MB high; before minute 45 the 30-s sampler lands on one spike
    // in four samples, after it on every other one (flush and sampler drifting into phase)
    const series = Array.from({ length: 121 }, (_, i) => {
      const minute = i / 2;
      const isOnSpike = minute < 45 ? i % 4 === 1 : i % 2 === 1;
      return [minute, 210 + (isOnSpike ? 90 : 0)] as const;
    });
    const verdict = levelsOff(series, { boundMb: 512 });
    assert.ok(verdict.leastSquaresSlopeMbPerMin >= 0.5, `the old criterion fails this series: ${verdict.leastSquaresSlopeMbPerMin}`);
    assert.equal(verdict.levelsOff, true, verdict.reasons.join('; '));
    assert.equal(verdict.floorSlopeMbPerMin, 0);
    assert.equal(verdict.peakSlopeMbPerMin, 0);
  });

  it('passes a flat sawtooth with spikes of varying height anywhere', () => {
    const series = sawtooth(
      (minute) => 205 + Math.sin(minute) * 4,
      (minute) => 60 + ((minute * 13) % 40),
    );
    const verdict = levelsOff(series, { boundMb: 512 });
    assert.equal(verdict.levelsOff, true, verdict.reasons.join('; '));
    assert.ok(Math.abs(verdict.floorSlopeMbPerMin) < 0.5 && Math.abs(verdict.peakSlopeMbPerMin) < 0.5);
    assert.equal(verdict.windows, 6);
  });

  it('fails a leak that raises the floor, however the spikes fall', () => {
    // 0.8 MB/min of leak under spikes that shrink late (which pulls a single slope down)
    const series = sawtooth(
      (minute) => 200 + 0.8 * minute,
      (minute) => (minute < 45 ? 90 : 40),
    );
    const verdict = levelsOff(series, { boundMb: 512 });
    assert.equal(verdict.levelsOff, false);
    assert.ok(verdict.floorSlopeMbPerMin > 0.7, `floor slope ${verdict.floorSlopeMbPerMin}`);
    assert.ok(verdict.reasons.some((reason) => reason.includes('floor')));
  });

  it('fails peaks that keep growing over a flat floor (a job whose working set grows)', () => {
    const series = sawtooth(
      () => 210,
      (minute) => 20 + 2 * minute,
    );
    const verdict = levelsOff(series, { boundMb: 512 });
    assert.equal(verdict.levelsOff, false);
    assert.equal(verdict.floorSlopeMbPerMin, 0);
    assert.ok(verdict.reasons.some((reason) => reason.includes('peaks')));
  });

  it('passes a flat sawtooth with one tall spike late (an hourly job), which tilts a least-squares line through the maxima', () => {
    // the 90-minute soak of 7 Dec 2026 18:48 UTC in small: peaks 300–325 MB, the compaction of a
    // busy hour at minute 81.5 reaching 418 MB, floor 210–218 MB
    const series = Array.from({ length: 181 }, (_, i) => {
      const minute = i / 2;
      const onSpike = i % 2 === 1;
      const peak = minute === 81.5 ? 418 : 300 + ((i * 7) % 25);
      return [minute, onSpike ? peak : 210 + ((i * 3) % 9)] as const;
    });
    const verdict = levelsOff(series, { boundMb: 512 });
    assert.ok(verdict.peakLeastSquaresSlopeMbPerMin >= 0.5, `least squares through the maxima fails it: ${verdict.peakLeastSquaresSlopeMbPerMin}`);
    assert.equal(verdict.levelsOff, true, verdict.reasons.join('; '));
    assert.ok(Math.abs(verdict.peakSlopeMbPerMin) < 0.5, `peak slope ${verdict.peakSlopeMbPerMin}`);
    assert.equal(verdict.maxMb, 418);
  });

  it('fails peaks that step up and stay up for the last third of the judged windows', () => {
    // 60 minutes: windows 1–4 of the second half peak at 300 MB, windows 5–6 at 360 MB
    const series = sawtooth(
      () => 210,
      (minute) => (minute < 50 ? 90 : 150),
    );
    const verdict = levelsOff(series, { boundMb: 512 });
    assert.equal(verdict.levelsOff, false);
    assert.equal(verdict.floorSlopeMbPerMin, 0);
    assert.ok(verdict.peakSlopeMbPerMin >= 0.5, `peak slope ${verdict.peakSlopeMbPerMin}`);
    assert.ok(verdict.reasons.some((reason) => reason.includes('peaks')));
  });

  it('fails a flat series above the bound, and one too short to judge', () => {
    assert.equal(levelsOff(sawtooth(() => 500, () => 20), { boundMb: 512 }).levelsOff, false);
    const short = levelsOff(
      Array.from({ length: 13 }, (_, i) => [i / 2, 200] as const),
      { boundMb: 512 },
    );
    assert.equal(short.levelsOff, false);
    assert.match(short.reasons.join(), /window/);
  });
});
