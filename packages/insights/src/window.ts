import { daysBetween, isIsoDate, type DateWindow } from '@threadline/domain';

export class InsightInputError extends Error {
  readonly code = 'VALIDATION_FAILED';
  readonly kind = 'invalid';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InsightInputError';
  }
}

/** Checks a window: real dates, from ≤ to, at most ~10 years long; names the field at fault. */
export function checkWindow(window: DateWindow): DateWindow {
  for (const field of ['from', 'to'] as const) {
    if (!isIsoDate(window[field])) throw new InsightInputError(field, `${field} must be a date YYYY-MM-DD`);
  }
  if (window.from > window.to) throw new InsightInputError('from', 'from must not be after to');
  if (daysBetween(window.from, window.to) > 3_660) throw new InsightInputError('from', 'the window may span at most 10 years');
  return window;
}

/** A ratio, or null when the denominator is zero (shown as "—", never as 0 % or NaN). */
export function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}
