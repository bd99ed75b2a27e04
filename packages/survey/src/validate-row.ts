import { mapAgeBand, mapChannel, mapGender, mapRegion, type Channel, type SurveyField } from './survey-fields.js';

/** A raw cell as the readers hand it over: text, a number, a date, or empty. */
export type RawCell = string | number | boolean | Date | null;

/** One accepted answer, canonical. */
export interface SurveyRecord {
  rowNumber: number;
  responseDate: string;
  ageBand: string | null;
  gender: string | null;
  region: string | null;
  channel: Channel;
  /** The label as the respondent's sheet had it, for audit and new synonyms. */
  channelLabel: string;
  freeText: string | null;
}

export interface RowRejection {
  row: number;
  field: SurveyField | null;
  reason: string;
}

const MAX_FREE_TEXT = 2000;
const EARLIEST = '2000-01-01';

function text(cell: RawCell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? 'an invalid date' : cell.toISOString().slice(0, 10);
  return String(cell).trim();
}

const pad = (value: number): string => String(value).padStart(2, '0');

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A response date from a date cell, an Excel serial number, or text in ISO (2026-11-24,
 * 2026/11/24, 2026.11.24), Korean (2026년 11월 24일) or US (11/24/2026) order. Day-first
 * text (24/11/2026) is only accepted when the day is > 12, otherwise it is ambiguous.
 */
export function parseResponseDate(cell: RawCell): string | null {
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? null : cell.toISOString().slice(0, 10);
  if (typeof cell === 'number') {
    // Excel's 1900 date system: serial 25569 is 1970-01-01
    if (cell < 36526 || cell > 73051) return null;
    return new Date(Math.round((cell - 25569) * 86_400_000)).toISOString().slice(0, 10);
  }
  const value = text(cell).normalize('NFKC');
  let match = /^(\d{4})[-/.]\s*(\d{1,2})[-/.]\s*(\d{1,2})\.?(?:[ T].*)?$/.exec(value) ?? /^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일/.exec(value);
  if (match) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    return isRealDate(year, month, day) ? `${year}-${pad(month)}-${pad(day)}` : null;
  }
  match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (match) {
    const [first, second, year] = [Number(match[1]), Number(match[2]), Number(match[3])];
    // US month/day unless the first number cannot be a month
    const [month, day] = first > 12 ? [second, first] : [first, second];
    return isRealDate(year, month, day) ? `${year}-${pad(month)}-${pad(day)}` : null;
  }
  return null;
}

function rejection(row: number, field: SurveyField | null, reason: string): RowRejection {
  return { row, field, reason };
}

/**
 * Validates one data row against the mapped columns. Pure: takes the cells by field and the
 * latest allowed date, returns the record or the reason it was rejected (with the field).
 */
export function validateSurveyRow(rowNumber: number, cells: Partial<Record<SurveyField, RawCell>>, latestDate: string): SurveyRecord | RowRejection {
  const rawDate = cells.response_date ?? null;
  // a date cell is never empty; only other cells need their text for this check
  if (!(rawDate instanceof Date) && text(rawDate) === '') return rejection(rowNumber, 'response_date', 'response date is empty');
  const responseDate = parseResponseDate(rawDate);
  if (!responseDate) return rejection(rowNumber, 'response_date', `"${text(rawDate)}" is not a date (use YYYY-MM-DD)`);
  if (responseDate < EARLIEST || responseDate > latestDate) return rejection(rowNumber, 'response_date', `${responseDate} is outside ${EARLIEST} … ${latestDate}`);

  const channelLabel = text(cells.channel ?? null);
  if (channelLabel === '') return rejection(rowNumber, 'channel', 'how they heard of the shop is empty');
  const channel = mapChannel(channelLabel);
  if (!channel) return rejection(rowNumber, 'channel', `unknown channel "${channelLabel.slice(0, 60)}" (use TV, radio, newspaper/magazine, outdoor/billboard, transit, flyer, event, word of mouth, online ad, social media, search or other)`);

  const ageText = text(cells.age_band ?? null);
  const ageBand = ageText === '' ? null : mapAgeBand(ageText);
  if (ageText !== '' && !ageBand) return rejection(rowNumber, 'age_band', `"${ageText.slice(0, 30)}" is not an age or age band (18-24 … 65+)`);

  const genderText = text(cells.gender ?? null);
  const gender = genderText === '' ? null : mapGender(genderText);
  if (genderText !== '' && !gender) return rejection(rowNumber, 'gender', `"${genderText.slice(0, 30)}" is not a known gender answer`);

  const regionText = text(cells.region ?? null);
  const region = regionText === '' ? null : mapRegion(regionText);
  if (regionText !== '' && !region) return rejection(rowNumber, 'region', `"${regionText.slice(0, 40)}" is not a known region or country`);

  // control characters would break CSV exports and dashboards; keep line breaks
  const free = text(cells.free_text ?? null).replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
  if (free.length > MAX_FREE_TEXT) return rejection(rowNumber, 'free_text', `free text is ${free.length} characters; the limit is ${MAX_FREE_TEXT}`);

  return { rowNumber, responseDate, ageBand, gender, region, channel, channelLabel: channelLabel.slice(0, 200), freeText: free === '' ? null : free };
}

export function isRejection(value: SurveyRecord | RowRejection): value is RowRejection {
  return 'reason' in value;
}
