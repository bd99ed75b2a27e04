import { formatCents } from '../../lib/money';

const integer = new Intl.NumberFormat('en-US');
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

export const formatInt = (value: number): string => integer.format(value);
/** A share 0–1 as a percentage; null (no denominator) as a dash, never as 0 %. */
export const formatShare = (value: number | null): string => (value === null ? '—' : percent.format(value));
export const formatMoney = (cents: number | null): string => (cents === null ? '—' : formatCents(cents));
export const formatRating = (value: number | null): string => (value === null ? '—' : `${value.toFixed(2)} ★`);

export { label } from '../../lib/labels';

/** "5 March 2026, 02:14" in the reader's locale. */
export function formatWhen(iso: string | null): string {
  if (!iso) return 'no data yet';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

const compactUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
/** Axis labels for dollar amounts: $950, $12K, $1.2M. */
export const formatDollarsCompact = (dollars: number): string => compactUsd.format(dollars);
