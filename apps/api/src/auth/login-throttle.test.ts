import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('blocks an address after the limit of failures within the window, then lets it retry', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(3, 60_000, () => now);
    for (let index = 0; index < 3; index += 1) {
      assert.equal(throttle.retryAfterMs('10.0.0.1'), 0);
      throttle.recordFailure('10.0.0.1');
    }
    assert.equal(throttle.retryAfterMs('10.0.0.1'), 60_000);
    assert.equal(throttle.retryAfterMs('10.0.0.2'), 0, 'other addresses are not affected');
    now += 60_001;
    assert.equal(throttle.retryAfterMs('10.0.0.1'), 0);
  });
});
