import { multiplyCents, sumCents, type Cents } from '../money/money.js';

/** Orders at or above this subtotal ship free. */
export const FREE_SHIPPING_FROM_CENTS = 7_500;
/** Flat shipping below the free-shipping threshold. */
export const FLAT_SHIPPING_CENTS = 695;

export interface PricedLine {
  unitPriceCents: Cents;
  quantity: number;
}

export interface CartTotals {
  subtotalCents: Cents;
  shippingCents: Cents;
  totalCents: Cents;
}

/** Shipping for a subtotal: free for an empty cart and from the threshold, flat otherwise. */
export function shippingFor(subtotalCents: Cents): Cents {
  if (subtotalCents === 0 || subtotalCents >= FREE_SHIPPING_FROM_CENTS) return 0;
  return FLAT_SHIPPING_CENTS;
}

/**
 * Totals of a cart or order, exact in minor units.
 *
 * @example
 * priceCart([{ unitPriceCents: 2500, quantity: 2 }]) // { subtotalCents: 5000, shippingCents: 695, totalCents: 5695 }
 */
export function priceCart(lines: readonly PricedLine[]): CartTotals {
  const subtotalCents = sumCents(lines.map((line) => multiplyCents(line.unitPriceCents, line.quantity)));
  const shippingCents = shippingFor(subtotalCents);
  return { subtotalCents, shippingCents, totalCents: subtotalCents + shippingCents };
}
