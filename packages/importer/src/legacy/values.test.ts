import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { createDateReader, parseCountry, parseDate, parseDecimalMoney, parseDiscountRate, RowError } from './values.js';

describe('legacy values', () => {
  it('reads numeric date formats exactly as date-fns does, across daylight-saving changes', () => {
    const cases: Array<[string, string[]]> = [
      ['M/d/yyyy', ['11/8/2016', '3/13/2016', '3/12/2016', '11/6/2016', '2/29/2016', '12/31/2017']],
      ['dd/MM/yy', ['05/01/23', '26/03/23', '29/10/23']],
      ['yyyy-MM-dd HH:mm', ['2016-03-13 03:30', '2016-11-06 01:30', '2016-07-04 23:59']],
      ['d.M.yyyy H:mm:ss', ['1.2.2020 7:05:09']],
    ];
    for (const zone of ['America/New_York', 'Europe/Berlin', 'Asia/Seoul']) {
      for (const [format, texts] of cases) {
        const read = createDateReader(format, zone);
        for (const text of texts) {
          assert.equal(read(text, 'd').toISOString(), parseDate(text, 'd', format, zone).toISOString(), `${format} ${text} ${zone}`);
        }
      }
    }
  });

  it('refuses impossible dates and dates in another format, naming the column', () => {
    const read = createDateReader('M/d/yyyy', 'UTC');
    assert.throws(() => read('2/30/2016', 'placed_at'), (error: unknown) => error instanceof RowError && error.column === 'placed_at');
    assert.throws(() => read('2016-02-03', 'placed_at'), /does not match the date format M\/d\/yyyy/);
  });

  it('reads countries by ISO code (2 or 3 letters) or English name', () => {
    assert.equal(parseCountry('United States', 'c'), 'US');
    assert.equal(parseCountry('united states of america', 'c'), 'US');
    assert.equal(parseCountry('USA', 'c'), 'US');
    assert.equal(parseCountry('de', 'c'), 'DE');
    assert.equal(parseCountry('South Korea', 'c'), 'KR');
    assert.equal(parseCountry('', 'c'), null);
    assert.throws(() => parseCountry('Atlantis', 'ship_country'), /not a country name or ISO 3166 code; map it under values.ship_country/);
    assert.throws(() => parseCountry('QQ', 'c'), RowError);
  });

  it('rounds line totals once to cents and reads discount rates', () => {
    assert.equal(parseDecimalMoney('16.448', 'line_total', { currency: 'USD' }), 1645);
    assert.equal(parseDecimalMoney('-3.8155', 'profit', { currency: 'USD', allowNegative: true }), -382);
    assert.throws(() => parseDecimalMoney('-3.8155', 'line_total', { currency: 'USD' }), /line_total: negative/);
    assert.equal(parseDecimalMoney('100.5', 'line_total', { currency: 'JPY' }), 100);
    assert.equal(parseDiscountRate('0.2', 'discount'), 0.2);
    assert.equal(parseDiscountRate('45%', 'discount'), 0.45);
    assert.equal(parseDiscountRate('0', 'discount'), 0);
    assert.throws(() => parseDiscountRate('1.5', 'discount'), /discount rate from 0 to 1/);
    assert.throws(() => parseDiscountRate('abc', 'discount'), /discount rate/);
  });
});
