import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatCardNumber, formatExpiry, parseExpiry, validateCard } from './card';

const NOW = new Date('2026-06-15T12:00:00Z');

describe('the card form', () => {
  it('groups digits in fours as they are typed', () => {
    assert.equal(formatCardNumber('4242424242424242'), '4242 4242 4242 4242');
    assert.equal(formatCardNumber('4242-42a'), '4242 42');
  });

  it('formats the expiry as it is typed', () => {
    assert.equal(formatExpiry('1229'), '12/29');
    assert.equal(formatExpiry('12', '1'), '12/');
    assert.equal(formatExpiry('4'), '04/');
    assert.equal(formatExpiry('12', '12/'), '1', 'backspace over the slash removes the month digit');
    assert.equal(formatExpiry('12/2'), '12/2');
  });

  it('reads MM/YY and MM/YYYY expiry dates', () => {
    assert.deepEqual(parseExpiry('12/34'), { month: 12, year: 2034 });
    assert.deepEqual(parseExpiry(' 1 / 2030 '), { month: 1, year: 2030 });
    assert.equal(parseExpiry('13/30'), null);
    assert.deepEqual(parseExpiry('1230'), { month: 12, year: 2030 }, 'typed without the slash');
    assert.deepEqual(parseExpiry('122030'), { month: 12, year: 2030 });
    assert.equal(parseExpiry('123'), null);
  });

  it('accepts the test cards, including the one the provider declines', () => {
    for (const number of ['4242 4242 4242 4242', '4000 0000 0000 0002']) {
      const result = validateCard(number, '12/34', '123', NOW);
      assert.deepEqual(result.errors, {});
      assert.deepEqual(result.card, { number: number.replace(/ /g, ''), expMonth: 12, expYear: 2034, cvc: '123' });
    }
  });

  it('names the field at fault', () => {
    assert.deepEqual(Object.keys(validateCard('4242 4242 4242 4241', '12/34', '123', NOW).errors), ['number']);
    assert.equal(validateCard('4242 4242 4242 4242', '05/26', '123', NOW).errors.expiry, 'This card has expired.');
    assert.ok(validateCard('4242 4242 4242 4242', '06/26', '123', NOW).card, 'a card is valid to the end of its month');
    assert.deepEqual(Object.keys(validateCard('4242 4242 4242 4242', '12/34', '12', NOW).errors), ['cvc']);
    assert.deepEqual(Object.keys(validateCard('123', 'soon', 'x', NOW).errors).sort(), ['expiry', 'number']);
  });
});
