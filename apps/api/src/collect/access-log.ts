import { randomUUID } from 'node:crypto';

import { analyticsIds, type BatchEntry, type CollectFacts, type Collector } from '@threadline/clickstream';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';

/** Paths that would only add noise (or feed back into the collector itself). */
const SKIPPED = /^\/(?:collect|healthz|readyz|metrics)(?:$|\?)/;
const FLUSH_EVERY_MS = 1000;
const FLUSH_AT = 500;

/** The access log's end: stops the timer, appends what is buffered and waits for every append. */
export interface AccessLog {
  close(): Promise<void>;
}

/**
 * One `access_log` event per API request (method, route template, status, duration, bytes),
 * buffered for a second and appended to the clickstream as one record. Route templates
 * (`/api/products/:id`), never raw URLs, so no ids or query strings reach the lake.
 *
 * The caller closes it after the server stopped taking requests and before the sink (spool)
 * closes, so the last requests' events are appended, not dropped as "spool is closed".
 */
export function registerAccessLog(app: ApiApp, collector: Collector, context: ApiContext): AccessLog {
  let buffer: Array<{ entry: BatchEntry; facts: CollectFacts }> = [];
  const appending = new Set<Promise<void>>();
  const flush = (): void => {
    if (buffer.length === 0) return;
    const items = buffer;
    buffer = [];
    const append = collector
      .collectEach(items)
      .then(
        () => undefined,
        (error: unknown) => context.logger.warn({ err: error, events: items.length }, 'access log: events dropped'),
      )
      .finally(() => appending.delete(append));
    appending.add(append);
  };
  const timer = setInterval(flush, FLUSH_EVERY_MS);
  timer.unref();

  // a callback hook: no promise and microtask per request
  app.addHook('onResponse', (request, reply, done) => {
    if (SKIPPED.test(request.url)) return done();
    const length = Number(reply.getHeader('content-length'));
    const now = Date.now();
    const ids = analyticsIds(request.cookies);
    const raw = {
      id: randomUUID(),
      type: 'access_log',
      ts: now,
      visitorId: ids.visitorId,
      sessionId: ids.sessionId,
      http: {
        tier: 'api',
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        ...(Number.isFinite(length) ? { bytes: length } : {}),
      },
    };
    buffer.push({ entry: { raw }, facts: { receivedAt: now, userAgent: request.headers['user-agent'], ip: request.ip, isFromTier: true } });
    if (buffer.length >= FLUSH_AT) flush();
    return done();
  });
  return {
    async close() {
      clearInterval(timer);
      flush();
      await Promise.all([...appending]);
    },
  };
}
