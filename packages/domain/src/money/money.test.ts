import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatCents, isValidCents, multiplyCents, parseDecimalToCents, sumCents } from './money.js';

describe('money', () => {
  it('parses decimal strings into cents without float error', () => {
    assert.equal(parseDecimalToCents('19.99'), 1999);
    assert.equal(parseDecimalToCents('1,299.9'), 129990);
    assert.equal(parseDecimalToCents('0.07'), 7);
    assert.equal(parseDecimalToCents('12'), 1200);
  });

  it('rejects amounts that are not money', () => {
    assert.throws(() => parseDecimalToCents('-1.00'), RangeError);
    assert.throws(() => parseDecimalToCents('1.999'), RangeError);
    assert.throws(() => parseDecimalToCents('abc'), RangeError);
  });

  it('accepts only whole non-negative cents within bounds', () => {
    assert.equal(isValidCents(0), true);
    assert.equal(isValidCents(1999), true);
    assert.equal(isValidCents(-1), false);
    assert.equal(isValidCents(1.5), false);
    assert.equal(isValidCents(1e12), false);
    assert.equal(isValidCents('100'), false);
  });

  it('multiplies and sums exactly', () => {
    assert.equal(multiplyCents(1999, 3), 5997);
    assert.equal(sumCents([1, 2, 3]), 6);
    assert.throws(() => multiplyCents(Number.MAX_SAFE_INTEGER, 2), RangeError);
  });

  it('formats for display', () => {
    assert.equal(formatCents(129999), '$1,299.99');
  });

  it('keeps each currency and locale its own format when formatters are reused', () => {
    assert.equal(formatCents(1050, 'EUR'), '€10.50');
    assert.equal(formatCents(1050, 'EUR', 'de-DE'), '10,50\u00a0€');
    assert.equal(formatCents(1050), '$10.50');
    assert.equal(formatCents(1050, 'EUR'), '€10.50');
  });
});
