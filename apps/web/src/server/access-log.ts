import { randomUUID } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import type { Logger } from '@threadline/config';

/** The API logs its own requests (including /collect); the web tier logs pages, assets and media. */
const SKIPPED = /^\/(?:api|collect|healthz|readyz|metrics)(?:[/?]|$)/;
const OPAQUE_ID = /^[A-Za-z0-9_-]{8,64}$/;
const FLUSH_EVERY_MS = 1000;
/** Events in one batch: the API's default batch limit (THREADLINE_COLLECT_MAX_EVENTS). */
const MAX_BATCH = 500;
/** Events kept for a later batch while the API refuses or cannot be reached (about 200 B each). */
const MAX_PENDING = 20_000;

/**
 * One `access_log` event per web-tier request (method, route template or static path class,
 * status, duration, bytes), batched once a second (or every 500 events) to the API's `/collect`.
 * A batch the API could not take (unreachable, 429, 5xx) is sent again with the next ones, in
 * order; only past 20,000 waiting events are the oldest dropped, counted in a warning, so an API
 * that is down for long costs bounded memory. A batch the API refused outright (another 4xx)
 * would be refused again and is not sent again.
 * Paths are reduced to their first segment (`/products/*`) so no ids or queries are sent.
 */
export function registerWebAccessLog(app: FastifyInstance, options: { apiUrl: () => string; logger: Logger }): void {
  let buffer: Array<Record<string, unknown>> = [];
  let sending: Promise<void> | undefined;

  const keepForLater = (events: Array<Record<string, unknown>>, why: Record<string, unknown>): void => {
    buffer = events.concat(buffer);
    const dropped = buffer.length - MAX_PENDING;
    if (dropped > 0) {
      buffer = buffer.slice(dropped);
      options.logger.warn({ ...why, dropped }, 'web access log: the API took no batch for long; oldest events dropped');
    }
  };

  /** Sends one batch; false when the API did not take it (it is back in the buffer). */
  const sendBatch = async (events: Array<Record<string, unknown>>): Promise<boolean> => {
    try {
      const response = await fetch(new URL('/collect', options.apiUrl()), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'threadline-web access-log' },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(5000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status === 429 || response.status >= 500) {
        keepForLater(events, { status: response.status });
        return false;
      }
      if (response.status !== 202) options.logger.warn({ status: response.status, events: events.length }, 'web access log: batch refused');
      return true;
    } catch (error) {
      keepForLater(events, { err: error });
      return false;
    }
  };

  /** Sends what is buffered, a batch at a time, until it is empty or the API does not take one. */
  const flush = (): Promise<void> => {
    sending ??= (async () => {
      try {
        while (buffer.length > 0) {
          const events = buffer.slice(0, MAX_BATCH);
          buffer = buffer.slice(events.length);
          if (!(await sendBatch(events))) return;
        }
      } finally {
        sending = undefined;
      }
    })();
    return sending;
  };
  const timer = setInterval(() => void flush(), FLUSH_EVERY_MS);
  timer.unref();

  // a callback hook: an async one costs a promise and a microtask on every request, forwarded ones included
  app.addHook('onResponse', (request, reply, done) => {
    // the API logs what it answers; an /api answer the web tier gave from its cache is logged here
    if (SKIPPED.test(request.url) && reply.getHeader('x-web-cache') !== 'hit') return done();
    const visitor = request.headers.cookie?.match(/(?:^|;\s*)tl_vid=([^;]+)/)?.[1];
    const session = request.headers.cookie?.match(/(?:^|;\s*)tl_sid=([^;]+)/)?.[1];
    const length = Number(reply.getHeader('content-length'));
    const first = request.url.split(/[?#]/)[0]?.split('/')[1] ?? '';
    buffer.push({
      id: randomUUID(),
      type: 'access_log',
      ts: Date.now(),
      visitorId: visitor && OPAQUE_ID.test(visitor) ? visitor : 'anonymous',
      sessionId: session && OPAQUE_ID.test(session) ? session : 'anonymous',
      http: {
        tier: 'web',
        method: request.method,
        route: request.routeOptions.url && request.routeOptions.url !== '*' ? request.routeOptions.url : `/${first}${first ? '/*' : ''}`.slice(0, 256),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        ...(Number.isFinite(length) ? { bytes: length } : {}),
      },
    });
    if (buffer.length >= MAX_BATCH) void flush();
    done();
  });
  // the last batch is sent — and acknowledged — before the web tier exits; the launcher stops the
  // API replicas only after the web tier, so their spool is still open
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await sending;
    await flush();
  });
}
