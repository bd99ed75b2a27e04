import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { levelsOff, slope, type MemorySample } from './levels-off.js';

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
