const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

/**
 * The UTC offset of `zone` at `at`, in minutes (New York in winter → -300). Cached per zone and
 * UTC day: the demo generator asks for it once per order, and a DST switch inside one day moves
 * an order by at most an hour, which does not matter for demo data.
 */
export function utcOffsetMinutes(zone: string, at: Date): number {
  const day = Math.floor(at.getTime() / 86_400_000);
  const cacheKey = `${zone}|${day}`;
  const cached = offsets.get(cacheKey);
  if (cached !== undefined) return cached;
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    formatters.set(zone, formatter);
  }
  const name = formatter.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  const minutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  offsets.set(cacheKey, minutes);
  return minutes;
}
