/** Money arrives from the API as integer cents; it is only turned into text for display. */
const formatter = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** @example formatCents(1999) === '$19.99' */
export function formatCents(cents: number): string {
  return formatter.format(cents / 100);
}

/**
 * Parses what a seller types as a dollar price ("19.99", "$1,250", "20") into cents, without
 * floating-point rounding drift. Returns null when the text is not a price.
 *
 * @example parseDollarsToCents('19.99') === 1999
 */
export function parseDollarsToCents(text: string): number | null {
  const cleaned = text.trim().replace(/^\$/, '').replace(/,/g, '');
  const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(cleaned);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '').padEnd(2, '0'));
  return whole * 100 + fraction;
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
