import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ClickstreamCompactor, ClickstreamFlusher, SpoolSource, SpoolWriter, regionOfTimeZone, type StoredEvent } from '@threadline/clickstream';
import { LocalLakeStorage, lakeRoot } from '@threadline/lake';

/** A fixture event: only what the peak-hour analysis looks at; the rest gets neutral values. */
export interface FixtureEvent {
  at: string;
  type?: StoredEvent['event_type'];
  visitor: string;
  session: string;
  zone: string;
  device?: StoredEvent['device'];
  isBot?: boolean;
}

function stored(e: FixtureEvent): StoredEvent {
  const t = Date.parse(e.at);
  return {
    event_id: randomUUID(), event_type: e.type ?? 'page_view', event_time: t, received_at: t,
    visitor_id: e.visitor, session_id: e.session, user_pseudonym: null, path: '/', referrer_host: null,
    utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null, utm_content: null,
    device: e.device ?? 'desktop', language: 'en', time_zone: e.zone, region: regionOfTimeZone(e.zone), is_bot: e.isBot ?? false,
    ip_prefix: null, product_id: null, search_query: null, value_cents: e.type === 'order_paid' ? 5000 : null, currency: null,
    tier: null, http_method: null, http_route: null, http_status: null, duration_ms: null, bytes: null,
  };
}

/**
 * Builds a data directory whose lake holds exactly these events, through the real path: spool →
 * flusher → compaction → rollup. Returns the data directory.
 */
export async function buildFixtureLake(events: readonly FixtureEvent[]): Promise<string> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tl-peak-'));
  const spoolDir = path.join(dataDir, 'spool', 'clickstream');
  const writer = new SpoolWriter({ dir: spoolDir });
  await writer.start();
  await writer.append(Buffer.from(`${events.map((e) => JSON.stringify(stored(e))).join('\n')}\n`));
  await writer.close();
  const storage = new LocalLakeStorage(lakeRoot(dataDir));
  const flusher = new ClickstreamFlusher({ source: new SpoolSource(spoolDir), storage, stateDir: path.join(dataDir, 'spool', 'flusher') });
  await flusher.drain();
  flusher.close();
  const compactor = new ClickstreamCompactor({ storage, stateDir: path.join(dataDir, 'spool', 'flusher', 'compactor'), compactAfterMs: 0 });
  await compactor.compactDue();
  compactor.close();
  return dataDir;
}
