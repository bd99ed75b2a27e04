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


/** What JSON must escape in a string (quote, backslash, controls) or writes escaped (UTF-16 surrogates, if alone). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as a JSON string literal, the same as `JSON.stringify(value)`. Nearly every stored
 * value needs no escape (ids, enums, paths, hosts): they are quoted as they are, which costs a
 * scan instead of a call into the runtime per column.
 */
export function jsonString(value: string): string {
  return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
}

/**
 * The spool's line for one stored event: JSON without its null columns (the flusher's reader
 * fills absent columns with NULL), about a third smaller than the whole row and cheaper to write
 * and to parse again at delivery. Columns keep their order (that of `CLICKSTREAM_COLUMNS`);
 * values are JSON strings, finite numbers and booleans only. Written out column by column: on
 * the ingest path, a loop over the column names cost a keyed lookup and a test per column.
 *
 * @example
 * spoolLine({ ...event, path: null }) // '{"event_id":"…","event_type":"page_view",…}' — no "path"
 */
export function spoolLine(event: StoredEvent): string {
  let line = `{"event_id":${jsonString(event.event_id)},"event_type":${jsonString(event.event_type)},"event_time":${event.event_time},"received_at":${event.received_at},"visitor_id":${jsonString(event.visitor_id)},"session_id":${jsonString(event.session_id)}`;
  if (event.user_pseudonym !== null) line += `,"user_pseudonym":${jsonString(event.user_pseudonym)}`;
  if (event.path !== null) line += `,"path":${jsonString(event.path)}`;
  if (event.referrer_host !== null) line += `,"referrer_host":${jsonString(event.referrer_host)}`;
  if (event.utm_source !== null) line += `,"utm_source":${jsonString(event.utm_source)}`;
  if (event.utm_medium !== null) line += `,"utm_medium":${jsonString(event.utm_medium)}`;
  if (event.utm_campaign !== null) line += `,"utm_campaign":${jsonString(event.utm_campaign)}`;
  if (event.utm_term !== null) line += `,"utm_term":${jsonString(event.utm_term)}`;
  if (event.utm_content !== null) line += `,"utm_content":${jsonString(event.utm_content)}`;
  line += `,"device":${jsonString(event.device)}`;
  if (event.language !== null) line += `,"language":${jsonString(event.language)}`;
  line += `,"time_zone":${jsonString(event.time_zone)}`;
  line += `,"region":${jsonString(event.region)}`;
  line += `,"is_bot":${event.is_bot}`;
  if (event.ip_prefix !== null) line += `,"ip_prefix":${jsonString(event.ip_prefix)}`;
  if (event.product_id !== null) line += `,"product_id":${jsonString(event.product_id)}`;
  if (event.search_query !== null) line += `,"search_query":${jsonString(event.search_query)}`;
  if (event.value_cents !== null) line += `,"value_cents":${event.value_cents}`;
  if (event.currency !== null) line += `,"currency":${jsonString(event.currency)}`;
  if (event.tier !== null) line += `,"tier":${jsonString(event.tier)}`;
  if (event.http_method !== null) line += `,"http_method":${jsonString(event.http_method)}`;
  if (event.http_route !== null) line += `,"http_route":${jsonString(event.http_route)}`;
  if (event.http_status !== null) line += `,"http_status":${event.http_status}`;
  if (event.duration_ms !== null) line += `,"duration_ms":${event.duration_ms}`;
  if (event.bytes !== null) line += `,"bytes":${event.bytes}`;
  return `${line}}`;
}

/**
 * The stored row of a spool line: absent columns are null, as the flusher's reader fills them.
 * For tools and tests; the ingest path keeps lines as they are.
 *
 * @example
 * storedEventOfLine(spoolLine(event)) // deep-equals event
 */
export function storedEventOfLine(line: string): StoredEvent {
  const parsed: unknown = JSON.parse(line);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('spool line: expected a JSON object');
  const values = new Map<string, unknown>(Object.entries(parsed));
  const row: Record<string, unknown> = {};
  for (const column of Object.keys(CLICKSTREAM_COLUMNS)) row[column] = values.has(column) ? values.get(column) : null;
  // the line was written by spoolLine/validateToLine from a StoredEvent's columns, every one filled above
  return row as unknown as StoredEvent;
}
