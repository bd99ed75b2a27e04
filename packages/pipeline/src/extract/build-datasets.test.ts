import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { splitDates } from './build-datasets.js';

const days = (count: number): string[] => Array.from({ length: count }, (_, index) => `2026-01-${String(index + 1).padStart(2, '0')}`);

describe('splitDates', () => {
  it('cuts the dates into runs of consecutive dates holding about the same number of rows', () => {
    const dates = days(6);
    // a busy first day: it fills the first run on its own
    const rows = new Map([
      ['2026-01-01', 600],
      ['2026-01-02', 100],
      ['2026-01-03', 100],
      ['2026-01-04', 100],
      ['2026-01-05', 100],
      ['2026-01-06', 200],
    ]);
    assert.deepEqual(splitDates(dates, rows, 2), [['2026-01-01'], ['2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06']]);
    const even = new Map(dates.map((date) => [date, 10]));
    assert.deepEqual(splitDates(dates, even, 3), [dates.slice(0, 2), dates.slice(2, 4), dates.slice(4)]);
  });

  it('keeps every date exactly once, in order, whatever the order and repeats it is given', () => {
    const dates = days(9);
    const shuffled = [...dates].reverse().concat(dates.slice(0, 3));
    const rows = new Map(dates.map((date, index) => [date, index * index]));
    for (const parts of [1, 2, 3, 4, 9, 12]) {
      const runs = splitDates(shuffled, rows, parts);
      assert.deepEqual(runs.flat(), dates, `${parts} part(s)`);
      assert.ok(runs.length <= parts && runs.length >= 1, `${parts} part(s): ${runs.length} runs`);
      for (const run of runs) assert.ok(run.length > 0, 'an empty run');
    }
  });

  it('gives one run when there are no rows, and no run for no dates', () => {
    assert.deepEqual(splitDates(days(3), new Map(), 2), [days(3)]);
    assert.deepEqual(splitDates([], new Map(), 2), []);
  });

  it('refuses a number of runs that is not a whole number of at least one, naming the setting', () => {
    assert.throws(() => splitDates(days(2), new Map(), 0), /salesWriteRuns/);
    assert.throws(() => splitDates(days(2), new Map(), 1.5), /salesWriteRuns/);
  });
});
