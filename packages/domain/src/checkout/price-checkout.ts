import type { Cents } from '../money/money.js';
import { priceCart, type PricedLine } from '../pricing/price-cart.js';
import { shippingOptionsFor, type ShippingOption, type ShippingRate } from './shipping.js';
import { taxLinesFor, type TaxLine, type TaxRate } from './tax.js';

export interface CheckoutQuote {
  subtotalCents: Cents;
  shippingCents: Cents;
  taxCents: Cents;
  totalCents: Cents;
  taxLines: TaxLine[];
  /** Every method that ships there, and the one priced in (the cheapest when none was asked for). */
  options: ShippingOption[];
  method: ShippingOption | undefined;
}

export type QuoteProblem = { field: 'shippingMethod' | 'country'; reason: string };

/**
 * Prices a checkout: lines, the chosen shipping method to the destination, and tax there.
 * Returns a problem when nothing ships to the country or the method does not.
 */
export function priceCheckout(input: {
  lines: readonly PricedLine[];
  place: { country: string; region: string | null };
  shippingRates: readonly ShippingRate[];
  taxRates: readonly TaxRate[];
  methodCode?: string | undefined;
}): { ok: true; quote: CheckoutQuote } | { ok: false; problem: QuoteProblem } {
  const { subtotalCents } = priceCart(input.lines);
  const options = shippingOptionsFor(input.shippingRates, input.place.country, subtotalCents);
  if (options.length === 0) return { ok: false, problem: { field: 'country', reason: 'the shop does not ship to this country yet' } };
  const method = input.methodCode === undefined ? options[0] : options.find((option) => option.code === input.methodCode);
  if (!method) return { ok: false, problem: { field: 'shippingMethod', reason: `choose one of: ${options.map((option) => option.code).join(', ')}` } };
  const shippingCents = subtotalCents === 0 ? 0 : method.priceCents;
  const taxLines = taxLinesFor(input.taxRates, input.place, { subtotalCents, shippingCents });
  const taxCents = taxLines.reduce((sum, line) => sum + line.amountCents, 0);
  return { ok: true, quote: { subtotalCents, shippingCents, taxCents, totalCents: subtotalCents + shippingCents + taxCents, taxLines, options, method } };
}
