import { randomUUID } from 'node:crypto';

import { spoolLine, type StoredEvent } from '../../collect/event.js';

/** A stored event as the collector would spool it; override any column. */
export function storedEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  const now = Date.now();
  return {
    event_id: randomUUID(),
    event_type: 'page_view',
    event_time: now,
    received_at: now,
    visitor_id: 'visitor_0001',
    session_id: 'session_0001',
    user_pseudonym: null,
    path: '/',
    referrer_host: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    device: 'desktop',
    language: 'en-US',
    time_zone: 'America/New_York',
    region: 'north_america',
    is_bot: false,
    ip_prefix: null,
    product_id: null,
    search_query: null,
    value_cents: null,
    currency: null,
    tier: null,
    http_method: null,
    http_route: null,
    http_status: null,
    duration_ms: null,
    bytes: null,
    ...overrides,
  };
}

export function toPayload(events: readonly StoredEvent[]): Buffer {
  return Buffer.from(`${events.map((e) => spoolLine(e)).join('\n')}\n`);
}
