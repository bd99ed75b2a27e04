/**
 * The shop-zone schedule that runs the nightly jobs at the first whole minute `afterMinutes` from
 * `from`: the pipeline's cron and the backup's HH:MM, and the moment they name.
 */
export function nightlySchedule(from: number, afterMinutes: number, timeZone: string): { cron: string; at: string; moment: number } {
  const moment = Math.ceil((from + afterMinutes * 60_000) / 60_000) * 60_000;
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(moment);
  const hour = parts.find((part) => part.type === 'hour')?.value ?? '00';
  const minute = parts.find((part) => part.type === 'minute')?.value ?? '00';
  return { cron: `${Number(minute)} ${Number(hour)} * * *`, at: `${hour}:${minute}`, moment };
}
