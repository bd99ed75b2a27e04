import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { centsToDollarText, formatCents, formatCentsShort, formatPriceRange, parseDollarsToCents } from './money';

describe('money on the pages', () => {
  it('reads what a seller types as exact cents', () => {
    assert.equal(parseDollarsToCents('19.99'), 1999);
    assert.equal(parseDollarsToCents('$1,250'), 125000);
    assert.equal(parseDollarsToCents(' 20 '), 2000);
    assert.equal(parseDollarsToCents('0.1'), 10);
    // 0.29 * 100 is 28.999999999999996 in floating point: the parser never goes through floats
    assert.equal(parseDollarsToCents('0.29'), 29);
  });

  it('refuses text that is not a price', () => {
    for (const text of ['', 'abc', '-5', '1.999', '1e3', '12.3.4']) assert.equal(parseDollarsToCents(text), null, text);
    assert.equal(parseDollarsToCents('2000000'), null, 'above the largest price the shop stores');
  });

  it('formats cents as US dollars, a range when variants differ', () => {
    assert.equal(formatCents(129999), '$1,299.99');
    assert.equal(formatPriceRange([2400, 2400]), '$24.00');
    assert.equal(formatPriceRange([9800, 5450, 105400]), '$54.50 – $1,054.00');
    assert.equal(formatPriceRange([]), '');
    assert.equal(formatCentsShort(7500), '$75');
    assert.equal(formatCentsShort(7550), '$75.50');
    assert.equal(centsToDollarText(5), '0.05');
  });
});
