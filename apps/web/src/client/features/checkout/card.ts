/**
 * The card form's checks before sending: the shop's card rules (Luhn, expiry, CVC) come from
 * @threadline/domain, the same ones the API applies; this module only reads the form's text.
 */
import { checkCard, type CardInput } from '@threadline/domain';

export type { CardInput };

/** Groups digits in fours as the shopper types: "4242 4242 4242 4242". */
export function formatCardNumber(text: string): string {
  return text.replace(/\D/g, '').slice(0, 19).replace(/(\d{4})(?=\d)/g, '$1 ');
}

/**
 * Formats the expiry as it is typed: "1229" becomes "12/29", a leading month digit above 1 gets
 * its zero ("4" → "04/"), and a typed slash is kept.
 */
export function formatExpiry(text: string, previous = ''): string {
  const digits = text.replace(/\D/g, '').slice(0, 6);
  // deleting the slash deletes the digit before it, not nothing
  if (previous.endsWith('/') && text === previous.slice(0, -1)) return digits.slice(0, -1);
  if (digits.length === 1 && Number(digits) > 1) return `0${digits}/`;
  if (digits.length < 2) return digits;
  if (digits.length === 2) return text.includes('/') || text.length > previous.length ? `${digits}/` : digits;
  return `${digits.slice(0, 2)}/${digits.slice(2)}`;
}

/** Parses "MM/YY", "MM/YYYY", or the digits alone ("1229", "122029"). */
export function parseExpiry(text: string): { month: number; year: number } | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(text) ?? /^\s*(\d{2})(\d{2}|\d{4})\s*$/.exec(text);
  if (!match) return null;
  const month = Number(match[1]);
  const rawYear = Number(match[2]);
  const year = rawYear < 100 ? 2000 + rawYear : rawYear;
  return month >= 1 && month <= 12 ? { month, year } : null;
}

export type CardErrors = Partial<Record<'number' | 'expiry' | 'cvc', string>>;

const MESSAGES = {
  number: 'Enter the card number as printed on the card.',
  expiry: 'Enter a valid expiry date as MM/YY.',
  expired: 'This card has expired.',
  cvc: 'Enter the 3 or 4 digits on the back of the card.',
} as const;

/** Checks the card form; returns the card to send, or a message per field. */
export function validateCard(number: string, expiry: string, cvc: string, now = new Date()): { card?: CardInput; errors: CardErrors } {
  const parsed = parseExpiry(expiry);
  if (!parsed) {
    const errors: CardErrors = { expiry: MESSAGES.expiry };
    const rest = checkCard({ number, expMonth: 12, expYear: now.getUTCFullYear() + 1, cvc: cvc.trim() }, now);
    if (!rest.ok && rest.field === 'number') errors.number = MESSAGES.number;
    if (!rest.ok && rest.field === 'cvc') errors.cvc = MESSAGES.cvc;
    return { errors };
  }
  const card: CardInput = { number: number.replace(/\D/g, ''), expMonth: parsed.month, expYear: parsed.year, cvc: cvc.trim() };
  const check = checkCard(card, now);
  if (check.ok) return { card, errors: {} };
  if (check.field === 'number') return { errors: { number: MESSAGES.number } };
  if (check.field === 'cvc') return { errors: { cvc: MESSAGES.cvc } };
  return { errors: { expiry: /expired/.test(check.reason) ? MESSAGES.expired : MESSAGES.expiry } };
}
