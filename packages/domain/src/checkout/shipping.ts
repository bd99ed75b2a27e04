import type { Cents } from '../money/money.js';

/** A shipping method's rate as set in the back office. */
export interface ShippingRate {
  code: string;
  name: string;
  /** Destination country, or null for every country without rates of its own. */
  country: string | null;
  priceCents: Cents;
  /** The method ships free from this subtotal (null: never free). */
  freeOverCents: Cents | null;
  minDays: number;
  maxDays: number;
}

/** A method the shopper can choose, priced for their cart. */
export interface ShippingOption {
  code: string;
  name: string;
  priceCents: Cents;
  /** The price before the free-shipping rule (shown struck through when free). */
  basePriceCents: Cents;
  freeOverCents: Cents | null;
  minDays: number;
  maxDays: number;
}

/**
 * The methods that ship to `country` for a cart of `subtotalCents`, cheapest first. A country with
 * rates of its own uses only those; every other country uses the rates without a country.
 *
 * @example
 * shippingOptionsFor(rates, 'US', 8000) // [{ code: 'standard', priceCents: 0, … }, { code: 'express', … }]
 */
export function shippingOptionsFor(rates: readonly ShippingRate[], country: string, subtotalCents: Cents): ShippingOption[] {
  const own = rates.filter((rate) => rate.country === country);
  const chosen = own.length > 0 ? own : rates.filter((rate) => rate.country === null);
  return chosen
    .map((rate) => ({
      code: rate.code,
      name: rate.name,
      basePriceCents: rate.priceCents,
      priceCents: rate.freeOverCents !== null && subtotalCents >= rate.freeOverCents ? 0 : rate.priceCents,
      freeOverCents: rate.freeOverCents,
      minDays: rate.minDays,
      maxDays: rate.maxDays,
    }))
    .sort((a, b) => a.priceCents - b.priceCents || a.minDays - b.minDays || a.code.localeCompare(b.code));
}
