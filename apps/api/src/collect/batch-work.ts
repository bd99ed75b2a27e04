// the modules themselves, not the packages' indexes: a worker thread loads only what it runs
// (the indexes bring Fastify plugins, the lake, DuckDB and the AWS SDK)
import { prepareBatch, type BatchEntry, type CollectFacts, type PreparedBatch } from '@threadline/clickstream/collector';
import { EventTexts, type ValidationLimits } from '@threadline/clickstream/validate';
import type { WafSettings } from '@threadline/edge';
import { inspectBodyTexts } from '@threadline/edge/waf-inspect';

import { AppError, type ErrorCode } from '../errors.js';
import { parseBatch } from './parse-batch.js';

/** What the collector's CPU work on one body needs besides the body (the same for every body). */
export interface BatchWorkSettings {
  limits: ValidationLimits;
  pseudonymKey: string;
  maxEventsPerBatch: number;
  waf: WafSettings;
}

/** One `/collect` body to work on, with what the request says about it. */
export interface BatchWork {
  body: Uint8Array;
  /** Media type, lower case, without parameters. */
  contentType: string;
  facts: CollectFacts;
}

/**
 * What became of a body: refused whole (not UTF-8, not JSON, too many events: the error to
 * answer), held for the request's own thread because a free-text field matched a WAF rule (that
 * thread inspects it again with the app's WAF, which logs, counts and blocks), or prepared.
 */
export type BatchOutcome =
  | { kind: 'refused'; code: ErrorCode; message: string; field?: string }
  | { kind: 'suspicious' }
  | { kind: 'prepared'; events: number; batch: PreparedBatch };

/**
 * The CPU-heavy half of `POST /collect` (parse, WAF screen of the free-text fields, validation
 * into spool lines): pure, so it runs in a worker thread (collect-workers.ts) as well as in the
 * request's thread. The WAF screen here only decides whether a body is clean: a body with any
 * match goes back to the request's thread, which inspects it with the app's WAF (the single place
 * that logs, counts and refuses), so detect mode, logging and the 403 stay exactly as they are.
 */
export function workOnBatch(work: BatchWork, settings: BatchWorkSettings): BatchOutcome {
  const body = Buffer.from(work.body.buffer, work.body.byteOffset, work.body.byteLength);
  let entries: BatchEntry[];
  try {
    entries = parseBatch(body, work.contentType, settings.maxEventsPerBatch);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error.field === undefined ? { kind: 'refused', code: error.code, message: error.message } : { kind: 'refused', code: error.code, message: error.message, field: error.field };
  }
  if (settings.waf.mode !== 'off') {
    const texts = new EventTexts();
    for (let index = 0; index < entries.length; index += 1) {
      const entry = entries[index];
      if (entry !== undefined && 'raw' in entry) texts.add(entry.raw, index);
    }
    if (texts.texts.length > 0) {
      const decision = inspectBodyTexts(texts, settings.waf);
      if (decision.action !== 'allow' || decision.matches.length > 0) return { kind: 'suspicious' };
    }
  }
  const { facts } = work;
  const batch = prepareBatch(
    entries.map((entry) => ({ entry, facts })),
    { limits: settings.limits, pseudonymKey: settings.pseudonymKey },
  );
  return { kind: 'prepared', events: entries.length, batch };
}
