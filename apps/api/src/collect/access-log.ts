import { randomUUID } from 'node:crypto';

import { analyticsIds, type Collector } from '@threadline/clickstream';

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
 * appended to the clickstream as one record per second (or per FLUSH_AT events). Route templates
 * (`/api/products/:id`), never raw URLs, so no ids or query strings reach the lake.
 *
 * Each event is validated into its spool line as its request ends (a BatchBuilder), so a flush
 * only hands the built payload to the collector: validating 500 events at once held the event
 * loop for milliseconds, and the waiting event objects survived young-generation collections.
 *
 * The caller closes it after the server stopped taking requests and before the sink (spool)
 * closes, so the last requests' events are appended, not dropped as "spool is closed".
 */
export function registerAccessLog(app: ApiApp, collector: Collector, context: ApiContext): AccessLog {
  const builder = collector.batchBuilder();
  const appending = new Set<Promise<void>>();
  const flush = (): void => {
    const events = builder.size;
    if (events === 0) return;
    const append = collector
      .commitPrepared(builder.take())
      .then(
        () => undefined,
        (error: unknown) => context.logger.warn({ err: error, events }, 'access log: events dropped'),
      )
      .finally(() => appending.delete(append));
    appending.add(append);
  };
  const timer = setInterval(flush, FLUSH_EVERY_MS);
  timer.unref();

  app.addHook('onResponse', async (request, reply) => {
    if (SKIPPED.test(request.url)) return;
    const length = Number(reply.getHeader('content-length'));
    const now = Date.now();
    const raw = {
      id: randomUUID(),
      type: 'access_log',
      ts: now,
      ...analyticsIds(request.cookies),
      http: {
        tier: 'api',
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        ...(Number.isFinite(length) ? { bytes: length } : {}),
      },
    };
    builder.add({ raw }, { receivedAt: now, userAgent: request.headers['user-agent'], ip: request.ip, isFromTier: true });
    if (builder.size >= FLUSH_AT) flush();
  });
  return {
    async close() {
      clearInterval(timer);
      flush();
      await Promise.all([...appending]);
    },
  };
}
