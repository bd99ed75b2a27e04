/**
 * Money arrives from the API as integer cents and is only turned into text for display. The rules
 * (parsing without float drift, formatting) are the shop's own, from @threadline/domain.
 */
import { formatCents as formatDomainCents, MAX_CENTS, parseDecimalToCents } from '@threadline/domain';

/** @example formatCents(1999) === '$19.99' */
export function formatCents(cents: number): string {
  return formatDomainCents(cents, 'USD', 'en-US');
}

/**
 * Parses what a seller types as a dollar price ("19.99", "$1,250", "20") into cents. Returns null
 * when the text is not a price the shop accepts.
 *
 * @example parseDollarsToCents('19.99') === 1999
 */
export function parseDollarsToCents(text: string): number | null {
  try {
    const cents = parseDecimalToCents(text);
    return cents <= MAX_CENTS ? cents : null;
  } catch {
    return null;
  }
}

/** Whole amounts without cents, for prose: 7500 → "$75", 1999 → "$19.99". */
export function formatCentsShort(cents: number): string {
  return formatCents(cents).replace(/\.00$/, '');
}

/** Cents as an editable dollar amount: 1999 → "19.99". */
export function centsToDollarText(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** "$19.99" or "$19.99 – $24.99" for a product whose variants differ in price. */
export function formatPriceRange(prices: number[]): string {
  if (prices.length === 0) return '';
  const low = Math.min(...prices);
  const high = Math.max(...prices);
  return low === high ? formatCents(low) : `${formatCents(low)} – ${formatCents(high)}`;
}
