import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { roundDecimalToMinorUnits } from './round-decimal.js';

describe('roundDecimalToMinorUnits', () => {
  it('rounds four-decimal line totals once, half to even', () => {
    assert.equal(roundDecimalToMinorUnits('16.448'), 1645);
    assert.equal(roundDecimalToMinorUnits('957.5775'), 95758);
    assert.equal(roundDecimalToMinorUnits('2.345'), 234);
    assert.equal(roundDecimalToMinorUnits('2.355'), 236);
    assert.equal(roundDecimalToMinorUnits('2.3450'), 234);
    assert.equal(roundDecimalToMinorUnits('2.3451'), 235);
    assert.equal(roundDecimalToMinorUnits('0.005'), 0);
    assert.equal(roundDecimalToMinorUnits('0.015'), 2);
  });

  it('reads thousands separators, currency signs and bare fractions', () => {
    assert.equal(roundDecimalToMinorUnits('$1,249.00'), 124900);
    assert.equal(roundDecimalToMinorUnits('.5'), 50);
    assert.equal(roundDecimalToMinorUnits('7'), 700);
    assert.equal(roundDecimalToMinorUnits('7.'), 700);
  });

  it('keeps the sign of profits only when negatives are allowed', () => {
    assert.equal(roundDecimalToMinorUnits('-383.031', { allowNegative: true }), -38303);
    assert.equal(roundDecimalToMinorUnits('-0.004', { allowNegative: true }), 0);
    assert.throws(() => roundDecimalToMinorUnits('-1.00'), /negative/);
  });

  it('refuses more decimals than declared and non-numbers', () => {
    assert.throws(() => roundDecimalToMinorUnits('1.23456'), /more than 4 decimals/);
    assert.throws(() => roundDecimalToMinorUnits('12a'), /not a money amount/);
    assert.throws(() => roundDecimalToMinorUnits(''), /not a money amount/);
    assert.equal(roundDecimalToMinorUnits('100', { fractionDigits: 0 }), 100);
    assert.equal(roundDecimalToMinorUnits('100.5', { fractionDigits: 0 }), 100);
  });
});
