import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface CorsOptions {
  /** Exact origins allowed to call cross-origin (THREADLINE_CORS_ORIGINS); empty = closed. */
  allowedOrigins: readonly string[];
}

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'content-type, x-csrf-token, idempotency-key, x-request-id';

/**
 * CORS, closed by default: the shop's pages and API share one origin, so no cross-origin caller
 * needs access. A preflight from any origin not listed gets 403 and no Access-Control headers;
 * simple cross-origin reads get no Access-Control-Allow-Origin, so browsers withhold the answer.
 * Listed origins get exact-match headers with credentials (never `*`).
 */
export const corsPlugin = fp<CorsOptions>(
  async (app: FastifyInstance, options) => {
    const allowed = new Set(options.allowedOrigins);
    // a callback hook (the check is synchronous): no promise and microtask per request; a request
    // it answers itself goes no further (done is not called)
    app.addHook('onRequest', (request, reply, done) => {
      const origin = request.headers.origin;
      if (typeof origin !== 'string') {
        done();
        return;
      }
      const isAllowed = allowed.has(origin);
      const isPreflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
      if (isAllowed) {
        void reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
      }
      if (!isPreflight) {
        done();
        return;
      }
      if (!isAllowed) {
        request.log.info({ origin, url: request.url.slice(0, 200) }, 'CORS preflight refused (origin not allowed)');
        void reply.status(403).send({ error: { code: 'FORBIDDEN', message: 'cross-origin requests are not allowed from this origin' } });
        return;
      }
      void reply
        .status(204)
        .header('access-control-allow-methods', ALLOWED_METHODS)
        .header('access-control-allow-headers', ALLOWED_HEADERS)
        .header('access-control-max-age', '600')
        .send();
    });
  },
  { name: 'threadline-cors' },
);
