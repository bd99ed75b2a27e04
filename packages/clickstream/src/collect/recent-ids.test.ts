import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';

import { RecentIds, uuidWords } from './recent-ids.js';

/** A version-4 UUID made of a counter, as the clickstream benchmark's ids are. */
function counterId(n: number): string {
  return `b3ac0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

describe('uuidWords', () => {
  it('reads the 128 bits of a UUID in either case, most significant word first', () => {
    const words = new Uint32Array(6);
    assert.equal(uuidWords('0190A4B2-7c1d-7E4F-8a2b-3C4D5E6F7A8B', words, 1), true);
    assert.deepEqual([...words], [0, 0x0190a4b2, 0x7c1d7e4f, 0x8a2b3c4d, 0x5e6f7a8b, 0]);
  });

  it('refuses what is not a UUID', () => {
    const words = new Uint32Array(4);
    for (const bad of ['', 'not-a-uuid', '0190a4b2-7c1d-7e4f-8a2b-3c4d5e6f7a8', '0190a4b2-7c1d-7e4f-8a2b-3c4d5e6f7a8bb', '0190a4b2x7c1d-7e4f-8a2b-3c4d5e6f7a8b', '0190a4b2-7c1d-7e4f-8a2b-3c4d5e6f7a8g']) {
      assert.equal(uuidWords(bad, words, 0), false, bad);
    }
  });
});

describe('RecentIds', () => {
  it('knows exactly the ids it was given: no false positives among 400,000 near-identical counter ids', () => {
    const recent = new RecentIds(200_000);
    for (let n = 0; n < 200_000; n += 2) recent.add(counterId(n));
    for (let n = 0; n < 200_000; n += 1) assert.equal(recent.has(counterId(n)), n % 2 === 0, counterId(n));
    for (let n = 200_000; n < 400_000; n += 1) assert.equal(recent.has(counterId(n)), false, counterId(n));
  });

  it('knows random UUIDs regardless of case, and not others', () => {
    const recent = new RecentIds(1000);
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    for (const id of ids) recent.add(id);
    for (const id of ids) assert.equal(recent.has(id.toUpperCase()), true);
    for (let i = 0; i < 1000; i += 1) assert.equal(recent.has(randomUUID()), false);
    assert.equal(recent.has('not-a-uuid'), false);
    assert.throws(() => recent.add('not-a-uuid'), TypeError);
  });

  it('keeps two generations of `capacity` ids: the older one is forgotten, as a bounded memory must', () => {
    const recent = new RecentIds(100);
    for (let n = 0; n < 300; n += 1) recent.add(counterId(n));
    // generations: [0, 100) dropped when [200, 300) began; [100, 200) and [200, 300) kept
    for (let n = 0; n < 100; n += 1) assert.equal(recent.has(counterId(n)), false, counterId(n));
    for (let n = 100; n < 300; n += 1) assert.equal(recent.has(counterId(n)), true, counterId(n));
  });

  it('counts an id added twice once towards its generation', () => {
    const recent = new RecentIds(10);
    for (let round = 0; round < 5; round += 1) for (let n = 0; n < 10; n += 1) recent.add(counterId(n));
    recent.add(counterId(10));
    // 0–9 filled one generation exactly; 10 started the next, so all eleven are still known
    for (let n = 0; n <= 10; n += 1) assert.equal(recent.has(counterId(n)), true, counterId(n));
  });

  it('refuses a capacity that is not a positive integer', () => {
    assert.throws(() => new RecentIds(0), RangeError);
    assert.throws(() => new RecentIds(1.5), RangeError);
  });
});
