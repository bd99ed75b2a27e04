import type { StreamSink } from '../stream/stream.js';
import { writeDeadLetters } from './dead-letter.js';
import { spoolLine } from './event.js';
import { RecentIds } from './recent-ids.js';
import { validateEvent, type RequestFacts, type ValidationLimits } from './validate.js';

export interface Rejection {
  index: number;
  id?: string;
  reason: string;
}

export interface CollectResult {
  accepted: number;
  /** Accepted events that were already collected (a retried beacon): acknowledged, stored once. */
  duplicates: number;
  rejected: Rejection[];
}

/** What the collector knows about the request(s) that carried events (user from the session only). */
export type CollectFacts = Omit<RequestFacts, 'pseudonymKey'>;

/** A parsed batch: each entry is an event, or a line that could not be parsed (NDJSON). */
export type BatchEntry = { raw: unknown } | { parseError: string };

export interface CollectorOptions {
  sink: StreamSink;
  deadLetterDir: string;
  limits: ValidationLimits;
  pseudonymKey: string;
  onDeadLetterError?: (error: unknown) => void;
}

/**
 * The transport-independent half of `POST /collect`: validates each event, drops repeats of ids
 * it has just accepted, appends the accepted rest as one NDJSON record to the durable sink and
 * resolves only when the sink says durable. If the sink fails, nothing is acknowledged (the error
 * propagates; the route answers 503) and the ids are not remembered, so the client's retry counts.
 */
export class Collector {
  private readonly recent = new RecentIds();

  constructor(private readonly options: CollectorOptions) {}

  /**
   * Collects a batch sent by one client: every event shares the request's facts (user agent, IP,
   * the server-side session's user).
   */
  async collect(entries: readonly BatchEntry[], facts: CollectFacts): Promise<CollectResult> {
    return this.collectEach(entries.map((entry) => ({ entry, facts })));
  }

  /** Collects events that each carry their own request facts (access-log events of many requests). */
  async collectEach(items: ReadonlyArray<{ entry: BatchEntry; facts: CollectFacts }>): Promise<CollectResult> {
    const rejected: Rejection[] = [];
    const letters: Array<{ index: number; reason: string; raw: unknown }> = [];
    const lines: string[] = [];
    const ids: string[] = [];
    const inBatch = new Set<string>();
    let duplicates = 0;
    let receivedAt = 0;
    const withKey = new Map<CollectFacts, RequestFacts>();
    items.forEach(({ entry, facts }, index) => {
      receivedAt = facts.receivedAt;
      // one RequestFacts per carrying request, so per-request work (UA, IP) is done once
      let fullFacts = withKey.get(facts);
      if (!fullFacts) {
        fullFacts = { ...facts, pseudonymKey: this.options.pseudonymKey };
        withKey.set(facts, fullFacts);
      }
      if ('parseError' in entry) {
        rejected.push({ index, reason: entry.parseError });
        letters.push({ index, reason: entry.parseError, raw: null });
        return;
      }
      const result = validateEvent(entry.raw, fullFacts, this.options.limits);
      if (!result.ok) {
        rejected.push(result.id === undefined ? { index, reason: result.reason } : { index, id: result.id, reason: result.reason });
        letters.push({ index, reason: result.reason, raw: entry.raw });
        return;
      }
      const event = result.event;
      if (this.recent.has(event.event_id) || inBatch.has(event.event_id)) {
        duplicates += 1;
        return;
      }
      inBatch.add(event.event_id);
      ids.push(event.event_id);
      lines.push(spoolLine(event));
    });
    if (letters.length > 0) {
      writeDeadLetters(this.options.deadLetterDir, receivedAt, letters).catch((error: unknown) => this.options.onDeadLetterError?.(error));
    }
    if (lines.length > 0) {
      await this.options.sink.append(Buffer.from(`${lines.join('\n')}\n`));
      for (const id of ids) this.recent.add(id);
    }
    return { accepted: lines.length + duplicates, duplicates, rejected };
  }
}

