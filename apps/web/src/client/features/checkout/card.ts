/** Card input rules the form checks before sending (the payment provider decides the rest). */

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/** Groups digits in fours as the shopper types: "4242 4242 4242 4242". */
export function formatCardNumber(text: string): string {
  return text.replace(/\D/g, '').slice(0, 19).replace(/(\d{4})(?=\d)/g, '$1 ');
}

/** Luhn checksum: catches most typos before a round trip to the provider. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length >= 12 && sum % 10 === 0;
}

/** Parses "MM/YY" or "MM/YYYY". */
export function parseExpiry(text: string): { month: number; year: number } | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return null;
  const month = Number(match[1]);
  const rawYear = Number(match[2]);
  const year = rawYear < 100 ? 2000 + rawYear : rawYear;
  return month >= 1 && month <= 12 ? { month, year } : null;
}

export type CardErrors = Partial<Record<'number' | 'expiry' | 'cvc', string>>;

/** Checks the card form; returns the card or the message per field. */
export function validateCard(number: string, expiry: string, cvc: string, now = new Date()): { card?: CardInput; errors: CardErrors } {
  const errors: CardErrors = {};
  const digits = number.replace(/\D/g, '');
  if (!passesLuhn(digits)) errors.number = 'Enter a valid card number.';
  const parsed = parseExpiry(expiry);
  if (!parsed) errors.expiry = 'Enter the expiry date as MM/YY.';
  else if (parsed.year < now.getFullYear() || (parsed.year === now.getFullYear() && parsed.month < now.getMonth() + 1)) {
    errors.expiry = 'This card has expired.';
  }
  if (!/^\d{3,4}$/.test(cvc.trim())) errors.cvc = 'Enter the 3 or 4 digits on the back of the card.';
  if (Object.keys(errors).length > 0 || !parsed) return { errors };
  return { card: { number: digits, expMonth: parsed.month, expYear: parsed.year, cvc: cvc.trim() }, errors };
}
