import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { cardBrand, checkCard, passesLuhn } from './card.js';

const NOW = new Date('2026-11-25T12:00:00Z');

describe('card checks', () => {
  it('validates the Luhn checksum', () => {
    assert.equal(passesLuhn('4242424242424242'), true);
    assert.equal(passesLuhn('4242424242424241'), false);
    assert.equal(passesLuhn('42a2'), false);
  });

  it('recognises brands by prefix', () => {
    assert.equal(cardBrand('4242424242424242'), 'visa');
    assert.equal(cardBrand('5555555555554444'), 'mastercard');
    assert.equal(cardBrand('378282246310005'), 'amex');
    assert.equal(cardBrand('9999999999999995'), 'unknown');
  });

  it('accepts a good card with spaces and names the field at fault otherwise', () => {
    assert.deepEqual(checkCard({ number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' }, NOW), {
      ok: true,
      digits: '4242424242424242',
    });
    const cases = [
      [{ number: '1234', expMonth: 1, expYear: 2030, cvc: '123' }, 'number'],
      [{ number: '4242424242424241', expMonth: 1, expYear: 2030, cvc: '123' }, 'number'],
      [{ number: '4242424242424242', expMonth: 13, expYear: 2030, cvc: '123' }, 'expMonth'],
      [{ number: '4242424242424242', expMonth: 10, expYear: 2026, cvc: '123' }, 'expYear'],
      [{ number: '4242424242424242', expMonth: 1, expYear: 2030, cvc: '12' }, 'cvc'],
    ] as const;
    for (const [card, field] of cases) {
      const result = checkCard(card, NOW);
      assert.equal(result.ok ? null : result.field, field, JSON.stringify(card));
    }
  });

  it('treats the current month as not yet expired', () => {
    assert.equal(checkCard({ number: '4242424242424242', expMonth: 11, expYear: 26, cvc: '123' }, NOW).ok, true);
  });
});
