import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { checkAddress, subdivisionCode } from './address.js';
import { priceCheckout } from './price-checkout.js';
import { shippingOptionsFor, type ShippingRate } from './shipping.js';
import { applyRate, formatRate, taxLinesFor, type TaxRate } from './tax.js';

const RATES: ShippingRate[] = [
  { code: 'standard', name: 'Standard', country: 'US', priceCents: 695, freeOverCents: 7500, minDays: 3, maxDays: 5 },
  { code: 'express', name: 'Express', country: 'US', priceCents: 1995, freeOverCents: null, minDays: 1, maxDays: 2 },
  { code: 'standard', name: 'International standard', country: null, priceCents: 1995, freeOverCents: 20000, minDays: 7, maxDays: 14 },
];

const TAX: TaxRate[] = [
  { country: 'US', region: 'CA', label: 'California sales tax', ratePpm: 72500, appliesToShipping: false },
  { country: 'US', region: 'NY', label: 'New York sales tax', ratePpm: 40000, appliesToShipping: true },
  { country: 'CA', region: null, label: 'GST', ratePpm: 50000, appliesToShipping: true },
  { country: 'CA', region: 'ON', label: 'HST', ratePpm: 130000, appliesToShipping: true },
  { country: 'DE', region: null, label: 'VAT', ratePpm: 190000, appliesToShipping: true },
];

describe('shipping options', () => {
  it("uses a country's own rates, and the rates without a country elsewhere", () => {
    assert.deepEqual(shippingOptionsFor(RATES, 'US', 1000).map((option) => [option.code, option.priceCents]), [['standard', 695], ['express', 1995]]);
    assert.deepEqual(shippingOptionsFor(RATES, 'FR', 1000).map((option) => [option.name, option.priceCents]), [['International standard', 1995]]);
  });

  it('ships free from the threshold on, never below it', () => {
    assert.equal(shippingOptionsFor(RATES, 'US', 7499)[0]?.priceCents, 695);
    const free = shippingOptionsFor(RATES, 'US', 7500)[0];
    assert.equal(free?.priceCents, 0);
    assert.equal(free?.basePriceCents, 695);
  });
});

describe('tax lines', () => {
  it('taxes goods by state, and shipping only where the rate says so', () => {
    assert.deepEqual(taxLinesFor(TAX, { country: 'US', region: 'CA' }, { subtotalCents: 10000, shippingCents: 695 }), [
      { label: 'California sales tax', ratePpm: 72500, amountCents: 725 },
    ]);
    assert.equal(taxLinesFor(TAX, { country: 'US', region: 'NY' }, { subtotalCents: 10000, shippingCents: 1000 })[0]?.amountCents, 440);
  });

  it('has no tax line in a state without a rate', () => {
    assert.deepEqual(taxLinesFor(TAX, { country: 'US', region: 'OR' }, { subtotalCents: 10000, shippingCents: 0 }), []);
  });

  it("falls back from a province without its own rate to the country's (GST), and uses VAT per country", () => {
    assert.equal(taxLinesFor(TAX, { country: 'CA', region: 'AB' }, { subtotalCents: 10000, shippingCents: 0 })[0]?.label, 'GST');
    assert.equal(taxLinesFor(TAX, { country: 'CA', region: 'ON' }, { subtotalCents: 10000, shippingCents: 0 })[0]?.amountCents, 1300);
    assert.equal(taxLinesFor(TAX, { country: 'DE', region: 'BE' }, { subtotalCents: 5000, shippingCents: 1995 })[0]?.amountCents, 1329);
  });

  it('rounds half up in whole cents', () => {
    assert.equal(applyRate(1, 500000), 1);
    assert.equal(applyRate(3, 72500), 0);
    assert.equal(applyRate(2999, 62500), 187); // 187.4375
    assert.equal(applyRate(8, 62500), 1); // 0.5 rounds up
    assert.equal(formatRate(72500), '7.25 %');
    assert.equal(formatRate(190000), '19 %');
  });
});

describe('a checkout quote', () => {
  it('adds the chosen method and the tax at the destination', () => {
    const result = priceCheckout({ lines: [{ unitPriceCents: 2500, quantity: 2 }], place: { country: 'US', region: 'NY' }, shippingRates: RATES, taxRates: TAX, methodCode: 'express' });
    assert.ok(result.ok);
    assert.deepEqual(
      { subtotal: result.quote.subtotalCents, shipping: result.quote.shippingCents, tax: result.quote.taxCents, total: result.quote.totalCents },
      { subtotal: 5000, shipping: 1995, tax: 280, total: 7275 },
    );
  });

  it('names the field when the method does not ship there', () => {
    const result = priceCheckout({ lines: [{ unitPriceCents: 2500, quantity: 1 }], place: { country: 'FR', region: null }, shippingRates: RATES, taxRates: TAX, methodCode: 'express' });
    assert.deepEqual(result, { ok: false, problem: { field: 'shippingMethod', reason: 'choose one of: standard' } });
    const nowhere = priceCheckout({ lines: [], place: { country: 'FR', region: null }, shippingRates: RATES.filter((rate) => rate.country === 'US'), taxRates: TAX });
    assert.equal(nowhere.ok ? undefined : nowhere.problem.field, 'country');
  });
});

describe('addresses', () => {
  const base = { recipientName: ' Ada  Lovelace ', line1: '1 Market St', city: 'San Francisco', region: 'ca', postalCode: '94103', country: 'us' };

  it('normalises codes and spacing', () => {
    const result = checkAddress(base);
    assert.ok(result.ok);
    assert.equal(result.address.recipientName, 'Ada Lovelace');
    assert.equal(result.address.region, 'CA');
    assert.equal(result.address.country, 'US');
    const canada = checkAddress({ ...base, country: 'CA', region: 'CA-ON', postalCode: 'm5v2t6', city: 'Toronto' });
    assert.ok(canada.ok);
    assert.equal(canada.address.postalCode, 'M5V 2T6');
    assert.equal(canada.address.region, 'ON');
  });

  it('takes a state or province by name too', () => {
    const result = checkAddress({ ...base, region: 'california' });
    assert.ok(result.ok);
    assert.equal(result.address.region, 'CA');
    assert.equal(subdivisionCode('CA', 'Québec'), undefined);
    assert.equal(subdivisionCode('CA', 'Quebec'), 'QC');
    assert.equal(subdivisionCode('DE', 'Berlin'), undefined);
  });

  it('names the field at fault', () => {
    const fieldOf = (input: Parameters<typeof checkAddress>[0]) => {
      const result = checkAddress(input);
      return result.ok ? undefined : result.field;
    };
    assert.equal(fieldOf({ ...base, region: 'XX' }), 'region');
    assert.equal(fieldOf({ ...base, postalCode: '9410' }), 'postalCode');
    assert.equal(fieldOf({ ...base, country: 'ZZ' }), 'country');
    assert.equal(fieldOf({ ...base, line1: '   ' }), 'line1');
    assert.equal(fieldOf({ ...base, phone: 'call me' }), 'phone');
    assert.equal(fieldOf({ ...base, city: 'x'.repeat(101) }), 'city');
  });

  it('keeps a free-text region and an optional postal code outside the US and Canada', () => {
    const result = checkAddress({ recipientName: 'Jo', line1: 'Hauptstr. 1', city: 'Berlin', region: 'Berlin', postalCode: '10115', country: 'DE' });
    assert.ok(result.ok);
    assert.equal(result.address.region, 'Berlin');
  });
});
