import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { FLAT_SHIPPING_CENTS, FREE_SHIPPING_FROM_CENTS, priceCart, shippingFor } from './price-cart.js';

describe('priceCart', () => {
  it('sums lines exactly and adds flat shipping below the threshold', () => {
    assert.deepEqual(priceCart([{ unitPriceCents: 1999, quantity: 3 }]), {
      subtotalCents: 5997,
      shippingCents: FLAT_SHIPPING_CENTS,
      totalCents: 5997 + FLAT_SHIPPING_CENTS,
    });
  });

  it('ships free from the threshold and for an empty cart', () => {
    assert.equal(shippingFor(FREE_SHIPPING_FROM_CENTS), 0);
    assert.equal(shippingFor(FREE_SHIPPING_FROM_CENTS - 1), FLAT_SHIPPING_CENTS);
    assert.deepEqual(priceCart([]), { subtotalCents: 0, shippingCents: 0, totalCents: 0 });
  });

  it('does not lose cents to floating point', () => {
    const totals = priceCart([
      { unitPriceCents: 10, quantity: 3 },
      { unitPriceCents: 20, quantity: 1 },
    ]);
    assert.equal(totals.subtotalCents, 50);
  });
});
