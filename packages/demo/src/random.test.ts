import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Random, WeightedTable } from './random.js';

describe('Random', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number): number[] => {
      const random = new Random(seed);
      return Array.from({ length: 20 }, () => random.nextUint32());
    };
    assert.deepEqual(draw(42), draw(42));
    assert.notDeepEqual(draw(42), draw(43));
  });

  it('keeps int() inside its inclusive bounds and reaches both ends', () => {
    const random = new Random(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i += 1) {
      const value = random.int(3, 6);
      assert.ok(value >= 3 && value <= 6, `out of range: ${value}`);
      seen.add(value);
    }
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
  });

  it('draws floats in [0, 1) with a mean near one half', () => {
    const random = new Random(1);
    let sum = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const value = random.next();
      assert.ok(value >= 0 && value < 1);
      sum += value;
    }
    assert.ok(Math.abs(sum / 20_000 - 0.5) < 0.01);
  });

  it('picks by weight in proportion and never picks a zero weight', () => {
    const random = new Random(5);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i += 1) counts[random.weighted([['a', 1], ['b', 3], ['c', 0]] as const)] += 1;
    assert.equal(counts.c, 0);
    assert.ok(Math.abs(counts.b / counts.a - 3) < 0.3, `ratio ${counts.b / counts.a}`);
  });

  it('samples distinct elements', () => {
    const sample = new Random(9).sample([1, 2, 3, 4, 5, 6], 4);
    assert.equal(sample.length, 4);
    assert.equal(new Set(sample).size, 4);
  });

  it('forks independent streams: a fork label changes the stream, the same label repeats it', () => {
    const a = new Random(42).fork('orders').nextUint32();
    const b = new Random(42).fork('orders').nextUint32();
    const c = new Random(42).fork('customers').nextUint32();
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  it('throws on a pick from an empty list instead of returning undefined', () => {
    assert.throws(() => new Random(1).pick([]), RangeError);
  });
});

describe('WeightedTable', () => {
  it('only picks within the limit and skips zero weights', () => {
    const table = new WeightedTable([0, 5, 0, 5, 100]);
    const random = new Random(3);
    for (let i = 0; i < 1000; i += 1) {
      const index = table.pick(random, 4);
      assert.ok(index === 1 || index === 3, `picked ${index}`);
    }
    assert.equal(table.total, 110);
  });
});
