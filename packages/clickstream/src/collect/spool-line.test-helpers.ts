import { CLICKSTREAM_COLUMNS, type ClickstreamColumn, type StoredEvent } from './event.js';

/**
 * The spool line as specified, independently of the code under test: column by column in
 * `CLICKSTREAM_COLUMNS` order, each non-null value through `JSON.stringify`, null columns left
 * out — what the flusher's reader expects.
 */
export function referenceLine(event: StoredEvent): string {
  const parts: string[] = [];
  for (const name of Object.keys(CLICKSTREAM_COLUMNS) as ClickstreamColumn[]) {
    // keys of CLICKSTREAM_COLUMNS, which satisfies Record<keyof StoredEvent, …>
    const value = event[name];
    if (value !== null) parts.push(`"${name}":${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}

/** A stored page view with every optional column null (received 2026-03-08T07:31:00Z). */
export const SPARSE_EVENT: StoredEvent = {
  event_id: '0f8fad5b-d9cb-469f-a165-70867728950e', event_type: 'page_view', event_time: Date.parse('2026-03-08T07:30:00Z'), received_at: Date.parse('2026-03-08T07:31:00Z'),
  visitor_id: 'visitor_0001', session_id: 'session_0001', user_pseudonym: null, path: null, referrer_host: null, utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null,
  utm_content: null, device: 'other', language: null, time_zone: 'UTC', region: 'other', is_bot: false, ip_prefix: null, product_id: null, search_query: null, value_cents: null,
  currency: null, tier: null, http_method: null, http_route: null, http_status: null, duration_ms: null, bytes: null,
};
