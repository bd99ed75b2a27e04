import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AnswerMemo } from './answer-memo.js';
import type { Served } from './insight-cache.js';

const served = (json: string): Served => ({ json, asOf: null, cache: { status: 'hit', computedAt: '2026-12-05T00:00:00.000Z', computationMs: 12 } });

describe('the in-process memo of dashboard answers', () => {
  it('answers only for the data version the answer was computed from', () => {
    const memo = new AnswerMemo();
    memo.set('sales', '{"from":"2026-11-01"}', 'sales:3:100', served('{"a":1}'));
    assert.equal(memo.get('sales', '{"from":"2026-11-01"}', 'sales:3:100')?.json, '{"a":1}');
    // new files published: the remembered answer is stale and dropped
    assert.equal(memo.get('sales', '{"from":"2026-11-01"}', 'sales:4:200'), undefined);
    assert.equal(memo.get('sales', '{"from":"2026-11-01"}', 'sales:3:100'), undefined);
    assert.equal(memo.get('segments', '{"from":"2026-11-01"}', 'sales:3:100'), undefined);
  });

  it('forgets answers older than maxAgeMs, past maxEntries (oldest first) and on clear', () => {
    const clock = { now: 0 };
    const memo = new AnswerMemo({ maxEntries: 2, maxAgeMs: 1_000, now: () => clock.now });
    memo.set('sales', 'a', 'v', served('1'));
    clock.now = 1_001;
    assert.equal(memo.get('sales', 'a', 'v'), undefined);
    memo.set('sales', 'a', 'v', served('1'));
    memo.set('sales', 'b', 'v', served('2'));
    memo.set('sales', 'c', 'v', served('3'));
    assert.equal(memo.size, 2);
    assert.equal(memo.get('sales', 'a', 'v'), undefined);
    assert.equal(memo.get('sales', 'c', 'v')?.json, '3');
    memo.clear();
    assert.equal(memo.get('sales', 'c', 'v'), undefined);
  });

  it('when full, forgets the answer read least recently, not one just read', () => {
    const memo = new AnswerMemo({ maxEntries: 2 });
    memo.set('sales', 'a', 'v', served('1'));
    memo.set('sales', 'b', 'v', served('2'));
    assert.equal(memo.get('sales', 'a', 'v')?.json, '1');
    memo.set('sales', 'c', 'v', served('3'));
    assert.equal(memo.get('sales', 'b', 'v'), undefined);
    assert.equal(memo.get('sales', 'a', 'v')?.json, '1');
    assert.equal(memo.get('sales', 'c', 'v')?.json, '3');
  });
});
