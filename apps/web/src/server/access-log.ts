import { randomUUID } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import type { Logger } from '@threadline/config';

/** The API logs its own requests (including /collect); the web tier logs pages, assets and media. */
const SKIPPED = /^\/(?:api|collect|healthz|readyz|metrics)(?:[/?]|$)/;
const OPAQUE_ID = /^[A-Za-z0-9_-]{8,64}$/;
const FLUSH_EVERY_MS = 1000;
const MAX_BUFFER = 500;

/**
 * One `access_log` event per web-tier request (method, route template or static path class,
 * status, duration, bytes), batched once a second to the API's `/collect`. Best effort: a
 * failed batch is logged and dropped, never retried in a loop that could pile up memory.
 * Paths are reduced to their first segment (`/products/*`) so no ids or queries are sent.
 */
export function registerWebAccessLog(app: FastifyInstance, options: { apiUrl: () => string; logger: Logger }): void {
  let buffer: Array<Record<string, unknown>> = [];
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const events = buffer;
    buffer = [];
    await fetch(new URL('/collect', options.apiUrl()), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'threadline-web access-log' },
      body: JSON.stringify({ events }),
      signal: AbortSignal.timeout(5000),
    })
      .then((response) => {
        if (response.status !== 202) options.logger.warn({ status: response.status, events: events.length }, 'web access log: batch refused');
      })
      .catch((error: unknown) => options.logger.warn({ err: error, events: events.length }, 'web access log: batch dropped'));
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
    if (buffer.length >= MAX_BUFFER) void flush();
    done();
  });
  // the last batch is sent — and acknowledged — before the web tier exits; the launcher stops the
  // API replicas only after the web tier, so their spool is still open
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await flush();
  });
}
