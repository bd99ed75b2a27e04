import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';

import { allSettled } from './settle-all.js';

describe('allSettled', () => {
  it('answers every value in order when all succeed', async () => {
    assert.deepEqual(await allSettled([sleep(20).then(() => 'a'), Promise.resolve('b')]), ['a', 'b']);
  });

  it('throws the first failure only after the slower promises have settled', async () => {
    let slowDone = false;
    const slow = sleep(50).then(() => {
      slowDone = true;
    });
    await assert.rejects(
      allSettled([Promise.reject(new Error('first')), slow, sleep(10).then(() => Promise.reject(new Error('second')))]),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.equal(error.message, 'first');
        assert.equal(slowDone, true, 'rejected before the slow promise settled');
        return true;
      },
    );
  });
});
