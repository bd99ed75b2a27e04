import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { median, medianOfRuns } from './median.js';

describe('benchmark medians', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('folds runs per figure name, keeping each run and non-numeric fields', () => {
    const folded = medianOfRuns([
      { results: [{ name: 'list', reqPerSec: 100, errors: 0, note: 'warm' }] },
      { results: [{ name: 'list', reqPerSec: 300, errors: 2, note: 'cold' }, { name: 'page', p99Ms: 9 }] },
      { results: [{ name: 'list', reqPerSec: 200, errors: 0, note: 'warm' }] },
    ]);
    assert.deepEqual(folded, [
      { name: 'list', reqPerSec: 200, 'reqPerSec.runs': [100, 300, 200], errors: 0, 'errors.runs': [0, 2, 0], note: 'warm' },
      { name: 'page', p99Ms: 9 },
    ]);
  });
});
