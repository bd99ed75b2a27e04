import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { onTrack, track, type TrackedEvent } from './tracking';

describe('page events', () => {
  it('reach every subscriber until it unsubscribes, even when another subscriber throws', () => {
    const seen: [TrackedEvent, unknown][] = [];
    const stopBroken = onTrack(() => {
      throw new Error('broken analytics');
    });
    const stop = onTrack((event, properties) => seen.push([event, properties]));
    track('add_to_cart', { productId: 7, quantity: 2 });
    stop();
    stopBroken();
    track('login');
    assert.deepEqual(seen, [['add_to_cart', { productId: 7, quantity: 2 }]]);
  });
});
