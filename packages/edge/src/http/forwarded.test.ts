import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { isFromTier } from './forwarded.js';

describe('isFromTier', () => {
  const trustedProxies = ['127.0.0.1', '10.20.0.0/16', '::1', 'fd00:1::/64'];

  it('is true only for a trusted peer that relays no one (no proxy header)', () => {
    for (const peer of ['127.0.0.1', '::ffff:127.0.0.1', '10.20.3.4', '::1', 'fd00:1::7']) {
      assert.equal(isFromTier({ peer, headers: {}, trustedProxies }), true, peer);
    }
    for (const peer of ['10.21.0.1', '198.51.100.7', '::ffff:198.51.100.7', 'fd00:2::7', '2001:db8::1']) {
      assert.equal(isFromTier({ peer, headers: {}, trustedProxies }), false, peer);
    }
    assert.equal(isFromTier({ peer: undefined, headers: {}, trustedProxies }), false);
  });

  it('is false for a trusted peer that relays a browser, whichever proxy header says so', () => {
    for (const name of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via', 'x-forwarded-host']) {
      assert.equal(isFromTier({ peer: '127.0.0.1', headers: { [name]: '198.51.100.7' }, trustedProxies }), false, name);
    }
  });

  it('gives the same verdict again from its per-peer memory, and keeps lists apart', () => {
    for (let round = 0; round < 3; round += 1) {
      assert.equal(isFromTier({ peer: '10.20.9.9', headers: {}, trustedProxies }), true);
      assert.equal(isFromTier({ peer: '10.20.9.9', headers: {}, trustedProxies: ['127.0.0.1'] }), false);
      assert.equal(isFromTier({ peer: '10.20.9.9', headers: { via: '1.1 nginx' }, trustedProxies }), false);
    }
  });

  it('stays right past its memory bound (cleared when full)', () => {
    const list = ['10.0.0.0/8'];
    for (let i = 0; i < 12_000; i += 1) {
      const peer = `10.${(i >> 8) & 255}.${i & 255}.1`;
      assert.equal(isFromTier({ peer, headers: {}, trustedProxies: list }), true, peer);
      assert.equal(isFromTier({ peer: `11.${(i >> 8) & 255}.${i & 255}.1`, headers: {}, trustedProxies: list }), false);
    }
  });
});
