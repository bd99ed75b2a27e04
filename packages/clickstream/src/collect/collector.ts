import type { StreamSink } from '../stream/stream.js';
import { writeDeadLetters } from './dead-letter.js';
import { RecentIds, uuidWords } from './recent-ids.js';
import { validateToLine, type RequestFacts, type ValidationLimits } from './validate.js';

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

/** A validated batch, ready to append: nothing in it refers to the parsed request. */
interface PreparedBatch {
  /** NDJSON of the events to spool; empty when none are new. */
  payload: Buffer;
  /** The spooled events' ids, 4 words each (`uuidWords`), remembered once they are durable. */
  idWords: Uint32Array;
  spooled: number;
  duplicates: number;
  rejected: Rejection[];
}

/**
 * The transport-independent half of `POST /collect`: validates each event, drops repeats of ids
 * it has just accepted, appends the accepted rest as one NDJSON record to the durable sink and
 * resolves only when the sink says durable. If the sink fails, nothing is acknowledged (the error
 * propagates; the route answers 503) and the ids are not remembered, so the client's retry counts.
 *
 * All the work on the parsed events is done before the wait for the disk, and only the payload
 * (outside the JS heap), the ids as words and the counts are kept across it: a batch's parsed
 * objects die young instead of being copied by every garbage collection that runs while its
 * record waits for fdatasync, which was the largest single cost of ingest.
 */
export class Collector {
  private readonly recent = new RecentIds();

  constructor(private readonly options: CollectorOptions) {}

  /**
   * Collects a batch sent by one client: every event shares the request's facts (user agent, IP,
   * the server-side session's user).
   */
  collect(entries: readonly BatchEntry[], facts: CollectFacts): Promise<CollectResult> {
    return this.collectEach(entries.map((entry) => ({ entry, facts })));
  }

  /** Collects events that each carry their own request facts (access-log events of many requests). */
  collectEach(items: ReadonlyArray<{ entry: BatchEntry; facts: CollectFacts }>): Promise<CollectResult> {
    let batch: PreparedBatch;
    try {
      batch = this.prepare(items);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.commit(batch);
  }

  private prepare(items: ReadonlyArray<{ entry: BatchEntry; facts: CollectFacts }>): PreparedBatch {
    const rejected: Rejection[] = [];
    const letters: Array<{ index: number; reason: string; raw: unknown }> = [];
    let text = '';
    const idWords = new Uint32Array(items.length * 4);
    const inBatch = new Set<string>();
    let spooled = 0;
    let duplicates = 0;
    let receivedAt = 0;
    const withKey = new Map<CollectFacts, RequestFacts>();
    for (let index = 0; index < items.length; index += 1) {
      const item = items[index];
      if (item === undefined) continue;
      const { entry, facts } = item;
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
        continue;
      }
      const result = validateToLine(entry.raw, fullFacts, this.options.limits);
      if (!result.ok) {
        rejected.push(result.id === undefined ? { index, reason: result.reason } : { index, id: result.id, reason: result.reason });
        letters.push({ index, reason: result.reason, raw: entry.raw });
        continue;
      }
      // validation checked the id is a UUID, so this never throws
      if (!uuidWords(result.id, idWords, spooled * 4)) throw new Error(`collector: validated event id is not a UUID: ${result.id}`);
      if (this.recent.hasWords(idWords, spooled * 4) || inBatch.has(result.id)) {
        duplicates += 1;
        continue;
      }
      inBatch.add(result.id);
      text += `${result.line}\n`;
      spooled += 1;
    }
    if (letters.length > 0) {
      writeDeadLetters(this.options.deadLetterDir, receivedAt, letters).catch((error: unknown) => this.options.onDeadLetterError?.(error));
    }
    return { payload: Buffer.from(text), idWords, spooled, duplicates, rejected };
  }

  private async commit(batch: PreparedBatch): Promise<CollectResult> {
    if (batch.spooled > 0) {
      await this.options.sink.append(batch.payload);
      for (let i = 0; i < batch.spooled; i += 1) this.recent.addWords(batch.idWords, i * 4);
    }
    return { accepted: batch.spooled + batch.duplicates, duplicates: batch.duplicates, rejected: batch.rejected };
  }
}
