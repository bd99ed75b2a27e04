import { TZDate, tzOffset } from '@date-fns/tz';
import { isValid, parse } from 'date-fns';

import countries from 'i18n-iso-countries';
import english from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

import { parseDecimalToCents, roundDecimalToMinorUnits } from '@threadline/domain';

countries.registerLocale(english);

/** A row-level problem: the import report shows it with the row number and the column. */
export class RowError extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(`${column}: ${message}`);
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses a date in the export's declared format. Without a declared format only ISO 8601 is
 * accepted: "03/04/21" means different days in different countries and is never guessed.
 */
export function parseDate(text: string, column: string, format: string | undefined, timeZone: string): Date {
  const value = text.trim();
  if (!format || format.toLowerCase() === 'iso') {
    if (!ISO_DATE.test(value)) {
      throw new RowError(column, `"${value}" is not an ISO 8601 date; pass --date-format (e.g. dd/MM/yy or MM/dd/yyyy)`);
    }
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/.test(value);
    if (hasZone) return new Date(value);
    const [datePart = '', timePart = '00:00:00'] = value.split(/[T ]/);
    const [year = 0, month = 1, day = 1] = datePart.split('-').map(Number);
    const [hour = 0, minute = 0, second = 0] = timePart.split(':').map((part) => Number.parseFloat(part));
    const date = new TZDate(year, month - 1, day, hour, minute, Math.floor(second), timeZone);
    if (!isValid(date) || date.getDate() !== day) throw new RowError(column, `"${value}" is not a real date`);
    return new Date(date.getTime());
  }
  const reference = new TZDate(2000, 0, 1, 0, 0, 0, timeZone);
  const parsed = parse(value, format, reference);
  if (!isValid(parsed)) throw new RowError(column, `"${value}" does not match the date format ${format}`);
  return new Date(parsed.getTime());
}

/** Fraction digits of a currency's minor unit (USD 2, JPY 0, KWD 3). */
const minorUnitCache = new Map<string, number>();

export function minorUnitDigits(currency: string): number {
  let digits = minorUnitCache.get(currency);
  if (digits === undefined) {
    // building a NumberFormat costs tens of microseconds: once per currency, not once per cell
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorUnitCache.set(currency, digits);
  }
  return digits;
}

/** "1,299.99" → 129999 minor units of `currency`; refuses negatives and extra decimals. */
export function parseMoney(text: string, column: string, currency: string): number {
  try {
    return parseDecimalToCents(text, minorUnitDigits(currency));
  } catch (error) {
    throw new RowError(column, error instanceof Error ? error.message : String(error));
  }
}

/**
 * A decimal amount with up to 4 decimals ("16.448"), rounded once to minor units, half to even.
 * Used for line totals, costs and profits, which old systems book with sub-cent precision.
 */
export function parseDecimalMoney(text: string, column: string, options: { currency: string; allowNegative?: boolean }): number {
  try {
    const cents = roundDecimalToMinorUnits(text, { fractionDigits: minorUnitDigits(options.currency), maxInputDigits: 4, allowNegative: options.allowNegative ?? false });
    if (Math.abs(cents) > 2_000_000_000) throw new RangeError(`"${text}" is too large`);
    return cents;
  } catch (error) {
    throw new RowError(column, error instanceof Error ? error.message : String(error));
  }
}

/** A discount as a fraction of the list price: "0.2", "20%" or "20 %" → 0.2 (up to 4 decimals). */
export function parseDiscountRate(text: string, column: string): number {
  const value = text.trim();
  const percent = /^(\d{1,3}(?:\.\d{1,2})?)\s*%$/.exec(value);
  const rate = percent ? Number(percent[1]) / 100 : /^(0|1)?(\.\d{1,4})?$/.test(value) && value !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new RowError(column, `"${text}" is not a discount rate from 0 to 1 (or 0 % to 100 %)`);
  }
  return Math.round(rate * 10_000) / 10_000;
}

const TOKEN = /yyyy|yy|MM|M|dd|d|HH|H|mm|m|ss|s|[^A-Za-z]+/g;
const TOKEN_PATTERN: Record<string, string> = {
  yyyy: '(\\d{4})', yy: '(\\d{2})', MM: '(\\d{2})', M: '(\\d{1,2})', dd: '(\\d{2})', d: '(\\d{1,2})',
  HH: '(\\d{2})', H: '(\\d{1,2})', mm: '(\\d{2})', m: '(\\d{1,2})', ss: '(\\d{2})', s: '(\\d{1,2})',
};

/**
 * Numeric formats (`M/d/yyyy`, `dd.MM.yy HH:mm`…) compiled to one regular expression, with the
 * zone offset looked up once per UTC hour: date-fns' general parser costs ~100 µs a date, which is
 * most of an import's time on an export with thousands of distinct dates. Other formats (month
 * names, am/pm) return undefined and go through date-fns.
 */
function compileNumericFormat(format: string, timeZone: string): ((text: string) => Date | undefined) | undefined {
  const tokens = format.match(TOKEN);
  if (!tokens || tokens.join('') !== format) return undefined;
  const fields: string[] = [];
  let pattern = '^';
  for (const token of tokens) {
    const group = TOKEN_PATTERN[token];
    if (group) {
      fields.push(token);
      pattern += group;
    } else if (/^[A-Za-z]/.test(token)) {
      return undefined;
    } else {
      pattern += token.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&').replace(/ +/g, ' +');
    }
  }
  if (!fields.some((field) => field.startsWith('y')) || !fields.some((field) => field.startsWith('M')) || !fields.some((field) => field.startsWith('d'))) {
    return undefined;
  }
  const regex = new RegExp(`${pattern}$`);
  const offsets = new Map<number, number>();
  const offsetAt = (utc: number): number => {
    const hour = Math.floor(utc / 3_600_000);
    let minutes = offsets.get(hour);
    if (minutes === undefined) {
      minutes = tzOffset(timeZone, new Date(hour * 3_600_000));
      offsets.set(hour, minutes);
    }
    return minutes * 60_000;
  };
  return (text) => {
    const match = regex.exec(text);
    if (!match) return undefined;
    let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    fields.forEach((field, index) => {
      const value = Number(match[index + 1]);
      if (field === 'yyyy') year = value;
      else if (field === 'yy') year = value < 70 ? 2000 + value : 1900 + value;
      else if (field.startsWith('M')) month = value;
      else if (field.startsWith('d')) day = value;
      else if (field.startsWith('H')) hour = value;
      else if (field.startsWith('m')) minute = value;
      else second = value;
    });
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    if (new Date(wall).getUTCDate() !== day) return undefined;
    // wall time → UTC: subtract the offset, then re-check it at the result (daylight-saving edges)
    const first = wall - offsetAt(wall);
    return new Date(wall - offsetAt(first));
  };
}

/**
 * A memoised date reader for one export: old exports repeat the same few thousand dates over many
 * rows, and format-driven parsing is the slowest step of a row.
 */
export function createDateReader(format: string | undefined, timeZone: string): (text: string, column: string) => Date {
  const cache = new Map<string, number>();
  const numeric = format && format.toLowerCase() !== 'iso' ? compileNumericFormat(format, timeZone) : undefined;
  return (text, column) => {
    const hit = cache.get(text);
    if (hit !== undefined) return new Date(hit);
    const date = numeric?.(text.trim()) ?? parseDate(text, column, format, timeZone);
    if (cache.size > 200_000) cache.clear();
    cache.set(text, date.getTime());
    return date;
  };
}

export function parseCount(text: string, column: string, options: { min: number; max: number }): number {
  const value = Number(text.trim());
  if (!Number.isInteger(value) || value < options.min || value > options.max) {
    throw new RowError(column, `"${text}" must be a whole number from ${options.min} to ${options.max}`);
  }
  return value;
}

export function parseBoolean(text: string, column: string): boolean {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'y', 'opt-in', 'opted in'].includes(value)) return true;
  if (['0', 'false', 'no', 'n', '', 'opt-out', 'opted out'].includes(value)) return false;
  throw new RowError(column, `"${text}" is not yes/no`);
}

/** Age or age band → one of the shop's bands. */
export function parseAgeBand(text: string, column: string): string | null {
  const value = text.trim();
  if (value === '') return null;
  const bands = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'];
  const normalised = value.replace(/\s/g, '').replace('–', '-');
  if (bands.includes(normalised)) return normalised;
  const age = Number(value);
  if (Number.isInteger(age) && age >= 18 && age <= 120) {
    if (age < 25) return '18-24';
    if (age < 35) return '25-34';
    if (age < 45) return '35-44';
    if (age < 55) return '45-54';
    if (age < 65) return '55-64';
    return '65+';
  }
  throw new RowError(column, `"${value}" is not an age (18+) or one of ${bands.join(', ')}`);
}

const GENDERS: Record<string, string> = {
  f: 'female', female: 'female', woman: 'female', w: 'female',
  m: 'male', male: 'male', man: 'male',
  x: 'non_binary', 'non-binary': 'non_binary', non_binary: 'non_binary', nonbinary: 'non_binary',
  '': 'undisclosed', u: 'undisclosed', unknown: 'undisclosed', undisclosed: 'undisclosed', 'prefer not to say': 'undisclosed',
};

export function parseGender(text: string, column: string): string {
  const found = GENDERS[text.trim().toLowerCase()];
  if (!found) throw new RowError(column, `"${text}" is not a known gender value`);
  return found;
}

const REGION_OF_COUNTRY: Record<string, string> = {
  US: 'north_america', CA: 'north_america', MX: 'north_america',
  BR: 'south_america', AR: 'south_america', CL: 'south_america', CO: 'south_america', PE: 'south_america', UY: 'south_america',
  GB: 'europe', DE: 'europe', FR: 'europe', ES: 'europe', IT: 'europe', NL: 'europe', SE: 'europe', PL: 'europe', IE: 'europe', PT: 'europe', BE: 'europe',
  KR: 'asia_pacific', JP: 'asia_pacific', AU: 'asia_pacific', CN: 'asia_pacific', SG: 'asia_pacific',
};

const countryCache = new Map<string, string | null>();

/**
 * A country as the export writes it — ISO 3166 alpha-2 ("US"), alpha-3 ("USA") or its English name
 * ("United States", "United States of America") — to the alpha-2 code the shop stores.
 */
export function parseCountry(text: string, column: string): string | null {
  const value = text.trim();
  if (value === '') return null;
  let code = countryCache.get(value);
  if (code === undefined) {
    const upper = value.toUpperCase();
    if (/^[A-Z]{2}$/.test(upper)) code = countries.isValid(upper) || upper === 'XK' ? upper : null;
    else if (/^[A-Z]{3}$/.test(upper)) code = countries.alpha3ToAlpha2(upper) ?? countries.getAlpha2Code(value, 'en') ?? null;
    else code = countries.getAlpha2Code(value, 'en') ?? null;
    if (countryCache.size < 10_000) countryCache.set(value, code);
  }
  if (code === null) {
    throw new RowError(column, `"${text}" is not a country name or ISO 3166 code; map it under values.${column} in the mapping file`);
  }
  return code;
}

/** The region a country belongs to, for exports that only carry the country. */
export function regionOfCountry(country: string | null): string | null {
  if (!country) return null;
  return REGION_OF_COUNTRY[country] ?? 'other';
}

export function parseRegion(text: string, column: string): string | null {
  const value = text.trim().toLowerCase().replace(/[\s-]+/g, '_');
  if (value === '') return null;
  const allowed = ['north_america', 'south_america', 'europe', 'asia_pacific', 'other'];
  if (!allowed.includes(value)) throw new RowError(column, `"${text}" is not one of ${allowed.join(', ')}`);
  return value;
}

const STATUSES: Record<string, string> = {
  pending: 'pending', new: 'pending', open: 'pending', awaiting_payment: 'pending',
  paid: 'paid', processing: 'paid',
  shipped: 'shipped', dispatched: 'shipped', in_transit: 'shipped',
  delivered: 'delivered', completed: 'delivered', complete: 'delivered', closed: 'delivered',
  cancelled: 'cancelled', canceled: 'cancelled', void: 'cancelled',
  refunded: 'refunded', returned: 'refunded',
};

/** Order status of the old system → ours; `extra` comes from the mapping file. */
export function parseStatus(text: string, column: string, extra: Record<string, string> = {}): string {
  const key = text.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const mapped = extra[text.trim()] ?? extra[key] ?? STATUSES[key];
  if (!mapped || !Object.values(STATUSES).includes(mapped)) {
    throw new RowError(column, `unknown order status "${text}"; map it in the mapping file under values.status`);
  }
  return mapped;
}
