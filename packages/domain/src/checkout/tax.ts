import type { Cents } from '../money/money.js';

/**
 * A row of the tax rate table. This is a configurable model of sales tax and VAT, not tax advice:
 * which rates apply, to what, and whether prices include them is for the shop's accountant.
 */
export interface TaxRate {
  country: string;
  /** US state / Canadian province code; null: the whole country (EU VAT, Canadian GST). */
  region: string | null;
  label: string;
  /** Parts per million: 7.25 % is 72 500. */
  ratePpm: number;
  /** Whether shipping is taxed too (it is in many US states, under VAT and GST/HST). */
  appliesToShipping: boolean;
}

export interface TaxLine {
  label: string;
  ratePpm: number;
  amountCents: Cents;
}

/** The rate that applies at a place: the region's own, else the country's, else none. */
export function findTaxRate(rates: readonly TaxRate[], place: { country: string; region: string | null }): TaxRate | undefined {
  const regional = place.region === null ? undefined : rates.find((rate) => rate.country === place.country && rate.region === place.region);
  return regional ?? rates.find((rate) => rate.country === place.country && rate.region === null);
}

/** cents × ppm / 1 000 000, rounded half up, in integers (exact up to 9 × 10^15). */
export function applyRate(cents: Cents, ratePpm: number): Cents {
  return Math.floor((cents * ratePpm + 500_000) / 1_000_000);
}

/**
 * Tax lines for goods (and, where the rate says so, shipping) sent to a place. Prices are before
 * tax; the tax is added as its own line.
 *
 * @example
 * taxLinesFor(rates, { country: 'US', region: 'CA' }, { subtotalCents: 10000, shippingCents: 695 })
 * // [{ label: 'California sales tax', ratePpm: 72500, amountCents: 725 }]
 */
export function taxLinesFor(
  rates: readonly TaxRate[],
  place: { country: string; region: string | null },
  amounts: { subtotalCents: Cents; shippingCents: Cents },
): TaxLine[] {
  const rate = findTaxRate(rates, place);
  if (!rate || rate.ratePpm === 0) return [];
  const taxable = amounts.subtotalCents + (rate.appliesToShipping ? amounts.shippingCents : 0);
  const amountCents = applyRate(taxable, rate.ratePpm);
  return amountCents === 0 ? [] : [{ label: rate.label, ratePpm: rate.ratePpm, amountCents }];
}

/** "7.25 %" for 72 500 ppm. */
export function formatRate(ratePpm: number): string {
  return `${(ratePpm / 10_000).toFixed(4).replace(/\.?0+$/, '')} %`;
}
