/** Card brands recognised from the number's prefix (IIN ranges). */
export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'unknown';

/** True when the digits pass the Luhn checksum every card number carries. */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let isDouble = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (isDouble) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    isDouble = !isDouble;
  }
  return sum % 10 === 0;
}

/** The brand of a card number, from its leading digits. */
export function cardBrand(digits: string): CardBrand {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^6(011|5)/.test(digits)) return 'discover';
  return 'unknown';
}

export interface CardInput {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

export type CardCheck = { ok: true; digits: string } | { ok: false; field: 'number' | 'expMonth' | 'expYear' | 'cvc'; reason: string };

/**
 * Checks a card before it is sent to a provider: digits (spaces and dashes allowed), Luhn,
 * an expiry not in the past (cards expire at the end of their month), a 3–4 digit CVC.
 *
 * @example
 * checkCard({ number: '4242 4242 4242 4242', expMonth: 12, expYear: 2030, cvc: '123' }, new Date())
 */
export function checkCard(card: CardInput, now: Date): CardCheck {
  const digits = card.number.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) return { ok: false, field: 'number', reason: 'card number must be 12–19 digits' };
  if (!passesLuhn(digits)) return { ok: false, field: 'number', reason: 'card number is not valid' };
  if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) {
    return { ok: false, field: 'expMonth', reason: 'expiry month must be 1–12' };
  }
  const year = card.expYear < 100 ? 2000 + card.expYear : card.expYear;
  const thisYear = now.getUTCFullYear();
  const thisMonth = now.getUTCMonth() + 1;
  if (!Number.isInteger(year) || year > thisYear + 25) return { ok: false, field: 'expYear', reason: 'expiry year is not valid' };
  if (year < thisYear || (year === thisYear && card.expMonth < thisMonth)) {
    return { ok: false, field: 'expYear', reason: 'the card has expired' };
  }
  if (!/^\d{3,4}$/.test(card.cvc)) return { ok: false, field: 'cvc', reason: 'CVC must be 3 or 4 digits' };
  return { ok: true, digits };
}
