import type { Cents } from './money.js';

/** Rounding of a decimal amount to minor units: the one rule for money given with extra decimals. */
export interface RoundDecimalOptions {
  /** minor-unit digits of the currency (USD 2, JPY 0, KWD 3) */
  fractionDigits?: number;
  /** most decimals accepted in the text; more is refused rather than rounded twice */
  maxInputDigits?: number;
  /** profit and similar figures may be negative; prices never are */
  allowNegative?: boolean;
}

/**
 * Reads a decimal amount such as "16.448" or "-1,234.5678" and rounds it once to minor units,
 * half to even (banker's rounding), so that rounding errors of many lines do not drift one way.
 * Works on the digits as text: no binary floating point touches the amount.
 *
 * @example
 * roundDecimalToMinorUnits('16.448') // 1645
 * roundDecimalToMinorUnits('2.345') // 234 (half to even)
 * roundDecimalToMinorUnits('2.355') // 236
 */
export function roundDecimalToMinorUnits(text: string, options: RoundDecimalOptions = {}): Cents {
  const fractionDigits = options.fractionDigits ?? 2;
  const maxInputDigits = options.maxInputDigits ?? 4;
  const cleaned = text.trim().replace(/[,\s]/g, '').replace(/^([-+]?)[$€£]/, '$1');
  const match = /^([-+]?)(\d+)(?:\.(\d*))?$/.exec(cleaned) ?? /^([-+]?)()\.(\d+)$/.exec(cleaned);
  if (!match) throw new RangeError(`not a money amount: "${text}"`);
  const isNegative = match[1] === '-';
  if (isNegative && !options.allowNegative) throw new RangeError(`negative amount "${text}"`);
  const whole = match[2] || '0';
  const fraction = match[3] ?? '';
  if (fraction.length > maxInputDigits) throw new RangeError(`more than ${maxInputDigits} decimals in "${text}"`);
  if (whole.length > 12) throw new RangeError(`amount "${text}" is too large`);
  const kept = fraction.slice(0, fractionDigits).padEnd(fractionDigits, '0');
  const rest = fraction.slice(fractionDigits);
  let units = Number(whole) * 10 ** fractionDigits + Number(kept || '0');
  if (rest !== '' && /[1-9]/.test(rest)) {
    const first = rest.charCodeAt(0) - 48;
    const isExactHalf = first === 5 && !/[1-9]/.test(rest.slice(1));
    if (first > 5 || (first === 5 && !isExactHalf) || (isExactHalf && units % 2 === 1)) units += 1;
  }
  return isNegative && units !== 0 ? -units : units;
}
