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

/** A rejected event kept for the dead-letter file. */
export interface DeadLetterEntry {
  index: number;
  reason: string;
  raw: unknown;
}

/**
 * A validated batch, ready to append: nothing in it refers to the parsed request, and it is made
 * of plain values and typed arrays only, so a worker thread can prepare it and post it back
 * (`prepareBatch`). Duplicates within the batch are already dropped; ids collected by earlier
 * batches are dropped by `Collector.commitPrepared`.
 */
export interface PreparedBatch {
  /** NDJSON of the events to spool; empty when none are new. */
  payload: Uint8Array;
  /** The spooled events' ids, 4 words each (`uuidWords`), remembered once they are durable. */
  idWords: Uint32Array;
  spooled: number;
  /** Events whose id an earlier event of the same batch had. */
  duplicates: number;
  rejected: Rejection[];
  /** Rejected events as sent, for the dead-letter file (written when the batch is committed). */
  letters: DeadLetterEntry[];
  /** Arrival time of the batch's last event (the dead-letter file's day). */
  receivedAt: number;
}

export interface PrepareOptions {
  limits: ValidationLimits;
  pseudonymKey: string;
}

/**
 * Validates a batch into its spool payload (see `Collector`): each event checked and written as
 * its spool line, repeats of an id within the batch dropped. Pure (no I/O, no state kept), so it
 * runs in the request's thread or in a worker.
 */
export function prepareBatch(items: ReadonlyArray<{ entry: BatchEntry; facts: CollectFacts }>, options: PrepareOptions): PreparedBatch {
  const rejected: Rejection[] = [];
  const letters: DeadLetterEntry[] = [];
  let text = '';
  const idWords = new Uint32Array(items.length * 4);
  const inBatch = new Set<string>();
  let spooled = 0;
  let duplicates = 0;
  let receivedAt = 0;
  // one RequestFacts per carrying request, so per-request work (UA, IP) is done once: a batch's
  // events share one facts object, an access log's follow each other with their own
  let lastFacts: CollectFacts | undefined;
  let fullFacts: RequestFacts | undefined;
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index];
    if (item === undefined) continue;
    const { entry, facts } = item;
    receivedAt = facts.receivedAt;
    if (facts !== lastFacts || fullFacts === undefined) {
      fullFacts = { ...facts, pseudonymKey: options.pseudonymKey };
      lastFacts = facts;
    }
    if ('parseError' in entry) {
      rejected.push({ index, reason: entry.parseError });
      letters.push({ index, reason: entry.parseError, raw: null });
      continue;
    }
    const result = validateToLine(entry.raw, fullFacts, options.limits);
    if (!result.ok) {
      rejected.push(result.id === undefined ? { index, reason: result.reason } : { index, id: result.id, reason: result.reason });
      letters.push({ index, reason: result.reason, raw: entry.raw });
      continue;
    }
    // validation checked the id is a UUID, so this never throws
    if (!uuidWords(result.id, idWords, spooled * 4)) throw new Error(`collector: validated event id is not a UUID: ${result.id}`);
    if (inBatch.has(result.id)) {
      duplicates += 1;
      continue;
    }
    inBatch.add(result.id);
    text += `${result.line}\n`;
    spooled += 1;
  }
  return { payload: Buffer.from(text), idWords: idWords.subarray(0, spooled * 4), spooled, duplicates, rejected, letters, receivedAt };
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
      batch = prepareBatch(items, this.options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.commitPrepared(batch);
  }

  /**
   * Commits a batch made by `prepareBatch` (here or in a worker thread): writes its dead letters,
   * drops the events whose id was collected recently, appends the rest durably and remembers
   * their ids once durable.
   */
  commitPrepared(batch: PreparedBatch): Promise<CollectResult> {
    if (batch.letters.length > 0) {
      writeDeadLetters(this.options.deadLetterDir, batch.receivedAt, batch.letters).catch((error: unknown) => this.options.onDeadLetterError?.(error));
    }
    let { payload, idWords, spooled } = batch;
    let duplicates = batch.duplicates;
    let kept: number[] | undefined;
    for (let i = 0; i < batch.spooled; i += 1) {
      if (this.recent.hasWords(batch.idWords, i * 4)) {
        kept ??= Array.from({ length: i }, (_, k) => k);
        duplicates += 1;
      } else kept?.push(i);
    }
    if (kept !== undefined) {
      // rare (a retried beacon): the payload without the lines of already collected ids
      // (a spool line is JSON: a newline byte only ends it, never occurs inside it)
      const starts = [0];
      for (let at = batch.payload.indexOf(10); at !== -1; at = batch.payload.indexOf(10, at + 1)) starts.push(at + 1);
      const parts: Uint8Array[] = [];
      idWords = new Uint32Array(kept.length * 4);
      kept.forEach((line, k) => {
        parts.push(batch.payload.subarray(starts[line] ?? 0, starts[line + 1] ?? 0));
        idWords.set(batch.idWords.subarray(line * 4, line * 4 + 4), k * 4);
      });
      payload = Buffer.concat(parts);
      spooled = kept.length;
    }
    return this.commit(payload, idWords, spooled, duplicates, batch.rejected);
  }

  private async commit(payload: Uint8Array, idWords: Uint32Array, spooled: number, duplicates: number, rejected: Rejection[]): Promise<CollectResult> {
    if (spooled > 0) {
      await this.options.sink.append(Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
      for (let i = 0; i < spooled; i += 1) this.recent.addWords(idWords, i * 4);
    }
    return { accepted: spooled + duplicates, duplicates, rejected };
  }
}
