import { zoneOffsetMs } from '@threadline/domain';

/** The calendar date (y, m, d) in `timeZone` at `at`. */
function localDate(at: Date, timeZone: string): { year: number; month: number; day: number } {
  const local = new Date(at.getTime() + zoneOffsetMs(at, timeZone));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth(), day: local.getUTCDate() };
}

/** The UTC instant when the wall clock in `timeZone` shows `hour:minute` on the given local date. */
function atLocalTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(year, month, day, hour, minute);
  const first = wall - zoneOffsetMs(new Date(wall), timeZone);
  const second = wall - zoneOffsetMs(new Date(first), timeZone);
  // the candidate whose local clock really shows hour:minute; none does when DST skips that
  // time, and then the later one (just after the gap) is the honest choice
  const shows = (instant: number): boolean => instant + zoneOffsetMs(new Date(instant), timeZone) === wall;
  if (shows(first) && shows(second)) return new Date(Math.min(first, second));
  if (shows(second)) return new Date(second);
  if (shows(first)) return new Date(first);
  return new Date(Math.max(first, second));
}

/**
 * The next time after `from` at which the clock in `timeZone` reads `hour:minute`. On the night a
 * DST change skips that time (02:00 in spring in America/New_York), the job runs an hour later
 * instead of not at all.
 *
 * @example
 * nextDailyRun({ hour: 2, minute: 0, timeZone: 'America/New_York' }, new Date('2026-11-25T12:00:00Z'));
 * // → 2026-11-26T07:00:00.000Z (02:00 EST)
 */
export function nextDailyRun(spec: { hour: number; minute: number; timeZone: string }, from: Date): Date {
  const today = localDate(from, spec.timeZone);
  for (let offset = 0; offset <= 2; offset++) {
    const candidate = atLocalTime(today.year, today.month, today.day + offset, spec.hour, spec.minute, spec.timeZone);
    if (candidate.getTime() > from.getTime()) return candidate;
  }
  // unreachable: three consecutive days always contain a future run
  return atLocalTime(today.year, today.month, today.day + 3, spec.hour, spec.minute, spec.timeZone);
}

/** Parses "HH:MM" (24 h), naming the variable when it is wrong. */
export function parseTimeOfDay(value: string, name: string): { hour: number; minute: number } {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(value.trim());
  if (!match) throw new RangeError(`${name}: expected HH:MM (24 h), got "${value}"`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}
