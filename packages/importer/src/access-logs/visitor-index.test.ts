import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Ipv4VisitorIndex, ipv4Number } from './visitor-index.js';

describe('IPv4 addresses as numbers', () => {
  it('numbers each canonical dotted quad, and nothing else', () => {
    assert.equal(ipv4Number('0.0.0.0'), 0);
    assert.equal(ipv4Number('1.2.3.4'), 0x01020304);
    assert.equal(ipv4Number('203.0.113.9'), 0xcb007109);
    assert.equal(ipv4Number('255.255.255.255'), 0xffffffff);
    assert.equal(ipv4Number('10.0.0.10'), 0x0a00000a);
    // a second spelling of an address, or no address: -1, so it is kept by its text
    for (const text of ['01.2.3.4', '1.2.3.04', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.4 ', '1..3.4', '.1.2.3', '1.2.3.', '2001:db8::7', '::ffff:1.2.3.4', 'localhost', '', '1.2.3.-4', '1111.2.3.4']) {
      assert.equal(ipv4Number(text), -1, text);
    }
  });

  it('gives back one number per address text (round trip over a sample)', () => {
    for (let value = 0; value < 2 ** 32; value += 16_777_259) {
      const text = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
      assert.equal(ipv4Number(text), value, text);
    }
  });
});

describe('visitors by IPv4 number and agent', () => {
  it('finds what was set, per address and agent, through growth and collisions, as a Map does', () => {
    const index = new Ipv4VisitorIndex(4);
    const reference = new Map<string, number>();
    let state = 7;
    const next = (): number => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state;
    };
    for (let visitor = 0; visitor < 50_000; visitor += 1) {
      // few distinct addresses and agents: the same address with another agent is another visitor
      const address = (next() % 20_000) * 65_537 >>> 0;
      const agent = next() % 5;
      const key = `${address}|${agent}`;
      const known = reference.get(key);
      assert.equal(index.get(address, agent), known ?? -1);
      if (known === undefined) {
        reference.set(key, visitor);
        index.set(address, agent, visitor);
      }
    }
    assert.equal(index.size, reference.size);
    for (const [key, visitor] of reference) {
      const [address, agent] = key.split('|').map(Number);
      assert.equal(index.get(address ?? -1, agent ?? -1), visitor);
    }
    assert.equal(index.get(0xffffffff, 0), -1);
  });
});
