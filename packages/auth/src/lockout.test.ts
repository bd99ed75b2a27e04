import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { lockDurationMs } from './lockout.js';

describe('lockDurationMs', () => {
  it('allows a few typos, then backs off exponentially up to a cap', () => {
    assert.equal(lockDurationMs(1), 0);
    assert.equal(lockDurationMs(5), 0);
    assert.equal(lockDurationMs(6), 30_000);
    assert.equal(lockDurationMs(7), 60_000);
    assert.equal(lockDurationMs(8), 120_000);
    assert.equal(lockDurationMs(50), 15 * 60_000);
    assert.equal(lockDurationMs(10_000), 15 * 60_000);
  });
});
