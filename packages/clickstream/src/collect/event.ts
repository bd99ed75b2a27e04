/**
 * The one clickstream event schema. Browser trackers and the tiers' access logs send events in
 * the *wire* shape (`WireEvent`, camelCase, validated here field by field); the spool and the lake
 * keep the *stored* shape (`StoredEvent`, snake_case columns) which carries no personal data:
 * user ids are pseudonymised with a keyed hash, IPs are cut to a network prefix, referrers to
 * their host and paths lose their query string.
 */

export const EVENT_TYPES = [
  'page_view',
  'product_view',
  'search',
  'add_to_cart',
  'checkout_started',
  'order_paid',
  'sign_up',
  'login',
  'access_log',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const DEVICE_CLASSES = ['desktop', 'mobile', 'tablet', 'other'] as const;
export type DeviceClass = (typeof DEVICE_CLASSES)[number];

/** The stored row: exactly the lake's columns (see `CLICKSTREAM_COLUMNS`). */
export interface StoredEvent {
  event_id: string;
  event_type: EventType;
  /** Event time, epoch milliseconds (UTC). */
  event_time: number;
  /** When the collector accepted it, epoch milliseconds. */
  received_at: number;
  visitor_id: string;
  session_id: string;
  user_pseudonym: string | null;
  path: string | null;
  referrer_host: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  device: DeviceClass;
  language: string | null;
  time_zone: string;
  region: string;
  is_bot: boolean;
  ip_prefix: string | null;
  product_id: string | null;
  search_query: string | null;
  value_cents: number | null;
  currency: string | null;
  tier: string | null;
  http_method: string | null;
  http_route: string | null;
  http_status: number | null;
  duration_ms: number | null;
  bytes: number | null;
}

/**
 * DuckDB column types of the lake table, in order. TIMESTAMPTZ is written to Parquet as an
 * INT64 timestamp adjusted to UTC; UUID as a 16-byte fixed-length column; low-cardinality strings
 * are dictionary-encoded by the writer.
 */
export const CLICKSTREAM_COLUMNS = {
  event_id: 'UUID',
  event_type: 'VARCHAR',
  event_time: 'TIMESTAMPTZ',
  received_at: 'TIMESTAMPTZ',
  visitor_id: 'VARCHAR',
  session_id: 'VARCHAR',
  user_pseudonym: 'VARCHAR',
  path: 'VARCHAR',
  referrer_host: 'VARCHAR',
  utm_source: 'VARCHAR',
  utm_medium: 'VARCHAR',
  utm_campaign: 'VARCHAR',
  utm_term: 'VARCHAR',
  utm_content: 'VARCHAR',
  device: 'VARCHAR',
  language: 'VARCHAR',
  time_zone: 'VARCHAR',
  region: 'VARCHAR',
  is_bot: 'BOOLEAN',
  ip_prefix: 'VARCHAR',
  product_id: 'VARCHAR',
  search_query: 'VARCHAR',
  value_cents: 'BIGINT',
  currency: 'VARCHAR',
  tier: 'VARCHAR',
  http_method: 'VARCHAR',
  http_route: 'VARCHAR',
  http_status: 'SMALLINT',
  duration_ms: 'DOUBLE',
  bytes: 'BIGINT',
} as const satisfies Record<keyof StoredEvent, string>;

export type ClickstreamColumn = keyof typeof CLICKSTREAM_COLUMNS;


// keys of the object literal above, which `satisfies Record<keyof StoredEvent, …>`
const SPOOL_KEYS = (Object.keys(CLICKSTREAM_COLUMNS) as ClickstreamColumn[]).map((name) => ({ name, first: `{"${name}":`, next: `,"${name}":` }));

/**
 * The spool's line for one stored event: JSON without its null columns (the flusher's reader
 * fills absent columns with NULL), about a third smaller than the whole row and cheaper to write
 * and to parse again at delivery. Columns keep their order; values are JSON strings, finite
 * numbers and booleans only.
 *
 * @example
 * spoolLine({ ...event, path: null }) // '{"event_id":"…","event_type":"page_view",…}' — no "path"
 */
export function spoolLine(event: StoredEvent): string {
  let line = '';
  for (const key of SPOOL_KEYS) {
    const value = event[key.name];
    if (value === null) continue;
    line += (line === '' ? key.first : key.next) + (typeof value === 'string' ? JSON.stringify(value) : String(value));
  }
  return `${line}}`;
}
