import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { findShortages, isValidLineQuantity, mergeLineQuantity, stockState } from './stock.js';

describe('stock rules', () => {
  it('maps stock figures to what a shopper sees', () => {
    assert.equal(stockState(0), 'out_of_stock');
    assert.equal(stockState(-1), 'out_of_stock');
    assert.equal(stockState(1), 'low_stock');
    assert.equal(stockState(5), 'low_stock');
    assert.equal(stockState(6), 'in_stock');
  });

  it('accepts whole line quantities from 1 to 99 only', () => {
    assert.equal(isValidLineQuantity(1), true);
    assert.equal(isValidLineQuantity(99), true);
    for (const bad of [0, -1, 100, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      assert.equal(isValidLineQuantity(bad), false, String(bad));
    }
  });

  it('caps merged cart lines at the line maximum', () => {
    assert.equal(mergeLineQuantity(2, 3), 5);
    assert.equal(mergeLineQuantity(60, 60), 99);
  });

  it('names the lines that exceed stock', () => {
    const shortages = findShortages([
      { variantId: 1, quantity: 2, available: 2 },
      { variantId: 2, quantity: 3, available: 1 },
      { variantId: 3, quantity: 1, available: 0 },
    ]);
    assert.deepEqual(
      shortages.map((line) => line.variantId),
      [2, 3],
    );
  });
});
