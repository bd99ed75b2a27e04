import { formatCents } from '../../lib/money';

const integer = new Intl.NumberFormat('en-US');
const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

export const formatInt = (value: number): string => integer.format(value);
/** A share 0–1 as a percentage; null (no denominator) as a dash, never as 0 %. */
export const formatShare = (value: number | null): string => (value === null ? '—' : percent.format(value));
export const formatMoney = (cents: number | null): string => (cents === null ? '—' : formatCents(cents));
export const formatRating = (value: number | null): string => (value === null ? '—' : `${value.toFixed(2)} ★`);

/** Readable labels for the codes the API uses. */
const LABELS: Record<string, string> = {
  north_america: 'North America',
  south_america: 'South America',
  europe: 'Europe',
  asia_pacific: 'Asia-Pacific',
  asia: 'Asia',
  africa: 'Africa',
  oceania: 'Oceania',
  other: 'Other',
  unknown: 'Not given',
  female: 'Female',
  male: 'Male',
  non_binary: 'Non-binary',
  undisclosed: 'Undisclosed',
  new: 'New customers',
  returning: 'Returning customers',
  guest: 'Guests',
  tv: 'TV',
  radio: 'Radio',
  newspaper_magazine: 'Newspaper / magazine',
  outdoor_billboard: 'Outdoor / billboard',
  transit: 'Transit',
  flyer: 'Flyer',
  event: 'Event',
  word_of_mouth: 'Word of mouth',
  online_ad: 'Online ad',
  social_media: 'Social media',
  search: 'Search',
  age_band: 'Age band',
  gender: 'Gender',
  region: 'Region',
  customer_type: 'New vs returning',
};

export function label(code: string): string {
  return LABELS[code] ?? code.replace(/_/g, ' ').replace(/^\w/, (first) => first.toUpperCase());
}

/** "5 March 2026, 02:14" in the reader's locale. */
export function formatWhen(iso: string | null): string {
  if (!iso) return 'no data yet';
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

const compactUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
/** Axis labels for dollar amounts: $950, $12K, $1.2M. */
export const formatDollarsCompact = (dollars: number): string => compactUsd.format(dollars);
