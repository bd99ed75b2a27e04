/** An inclusive date window in the shop's time zone, `YYYY-MM-DD` each. */
export interface DateWindow {
  from: string;
  to: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class InsightInputError extends Error {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a window: real dates, from ≤ to, at most ~10 years long. */
export function checkWindow(window: DateWindow): DateWindow {
  for (const field of ['from', 'to'] as const) {
    const value = window[field];
    if (!DATE.test(value) || new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value) {
      throw new InsightInputError(field, `${field} must be a date YYYY-MM-DD`);
    }
  }
  if (window.from > window.to) throw new InsightInputError('from', 'from must not be after to');
  const days = (Date.parse(window.to) - Date.parse(window.from)) / 86_400_000;
  if (days > 3_700) throw new InsightInputError('from', 'the window may span at most 10 years');
  return window;
}

/** Today's date in a time zone, `YYYY-MM-DD`. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The `days`-day window ending on `end` (inclusive). */
export function windowEndingOn(end: string, days: number): DateWindow {
  const start = new Date(Date.parse(`${end}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  return { from: start, to: end };
}

/** Every date of a window, in order. */
export function datesOf(window: DateWindow): string[] {
  const dates: string[] = [];
  for (let time = Date.parse(`${window.from}T00:00:00Z`); time <= Date.parse(`${window.to}T00:00:00Z`); time += 86_400_000) {
    dates.push(new Date(time).toISOString().slice(0, 10));
  }
  return dates;
}

/** A ratio, or null when the denominator is zero (shown as "—", never as 0 % or NaN). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

/** DuckDB DATE values arrive as Date or string; dashboards want `YYYY-MM-DD`. */
export function dateText(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && value !== '') return Number(value);
  return 0;
}
