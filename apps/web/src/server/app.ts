import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory } from 'fastify';

import type { Config, Logger } from '@threadline/config';
import { forwardedHeaders, registerEdge, REMOVED_RESPONSE_HEADERS, SECURITY_HEADERS_SET_BY, SECURITY_HEADERS_SET_BY_WEB, securityHeaderValues, SlidingWindowLimiter, trustProxyFunction, type EdgeConfig, type HttpsServerOptions } from '@threadline/edge';
import { metricsPlugin } from '@threadline/ops';

import { registerWebAccessLog } from './access-log.js';
import { CompressionMemo, mayCompress, registerCompression } from './compression.js';
import { registerPages } from './pages/pages.js';
import { createFastForward, type FastForward } from './upstream/fast-forward.js';
import { FORWARD_TIMEOUT_MS, INTERNAL_BODY, registerForwarding } from './upstream/forward.js';
import { MicroCache } from './upstream/micro-cache.js';
import { RevalidationStore } from './upstream/revalidation-store.js';
import { registerCompressionMemoCounter, registerFastForwardCounter, registerRevalidationCounter, registerUpstreamGauge } from './upstream/upstream-metrics.js';
import { UpstreamPool } from './upstream/upstream-pool.js';

export const DIST_DIR = fileURLToPath(new URL('../../dist/', import.meta.url));

/** Paths the web tier forwards, unchanged, to the application tier. */
export const FORWARDED_PREFIXES = ['/api', '/collect', '/media'] as const;

/**
 * The forwarded prefixes the fast path may take (see createFastForward): /media answers go into the
 * web tier's access log, which only the full path writes.
 */
const FAST_FORWARDED_PREFIXES = ['/api', '/collect'] as const;

/**
 * Puts `fastForward` in front of Fastify's own request listener on `server`: requests it takes
 * never reach Fastify; the others go on exactly as before. Swapping the listener (rather than a
 * serverFactory) keeps the server settings Fastify applies to a server it creates itself.
 */
function installFastPath(server: FastifyInstance['server'], fastForward: () => FastForward | undefined, stats: { taken: number }): void {
  const fastifyListeners = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (fastForward()?.(request, response)) {
      stats.taken += 1;
      return;
    }
    for (const listener of fastifyListeners) Reflect.apply(listener, server, [request, response]);
  });
}

export interface WebContext {
  config: Config;
  logger: Logger;
  /** Built pages; defaults to apps/web/dist. */
  distDir?: string;
  /** WAF, TLS and header settings; read from the environment when absent. */
  edge?: EdgeConfig;
  /** Serve HTTPS with these options (see loadHttpsOptions); plain HTTP when absent. */
  https?: HttpsServerOptions;
  /** False: no forwarding fast path, every request takes Fastify's (tests compare the two). On by default. */
  fastPath?: boolean;
}

/** Stable codes for the 4xx the web tier itself can answer (the API tier's catalogue uses the same). */
const WEB_ERROR_CODES: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  431: 'HEADERS_TOO_LARGE',
};

/** Every error the web tier answers itself has the API's shape `{ error: { code, message } }`. */
function registerWebErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request, reply) => {
    const statusCode = error instanceof Error && 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'web tier request failed');
      return reply.status(500).type('application/json; charset=utf-8').send(INTERNAL_BODY);
    }
    const code = WEB_ERROR_CODES[statusCode] ?? 'VALIDATION_FAILED';
    return reply.status(statusCode).send({ error: { code, message: error instanceof Error ? error.message : 'bad request' } });
  });
}

/**
 * The web tier: serves the built storefront and back office, forwards /api, /collect and /media
 * to the API tier, and answers /healthz and /readyz (ready = the API tier is ready).
 */
export async function buildWebApp(context: WebContext): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = context.logger;
  const tlsOptions = context.https;
  const edge = context.edge ?? context.config.edge;
  // an https.Server is an http.Server with TLS in front (node's types say so), so the default typing holds
  const serverFactory: FastifyServerFactory | undefined = tlsOptions ? (handler) => https.createServer(tlsOptions, handler) : undefined;
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    // forwarded headers are believed from the configured proxies only (THREADLINE_TRUSTED_PROXIES)
    trustProxy: trustProxyFunction(edge.trustedProxies),
    serverFactory,
  });
  registerWebErrorHandler(app);
  // set once the edge plugins it reads (WAF stats, metrics) are registered; until then every request takes the full path
  const fastPath: { handle?: FastForward } = {};
  let isClosing = false;
  const fastForwardStats = { taken: 0 };
  const revalidation = new RevalidationStore();
  installFastPath(app.server, () => fastPath.handle, fastForwardStats);
  app.addHook('preClose', (done) => {
    isClosing = true;
    done();
  });
  // the web tier parses no body itself: every body streams to the API tier, which applies each
  // route's own limit (Fastify's built-in text/plain parser would otherwise buffer beacons and
  // refuse them past 1 MiB in its own error shape)
  app.removeAllContentTypeParsers();
  await registerEdge(app, { tier: 'web', edge: tlsOptions ? { ...edge, isHttps: true } : edge });
  const compressionMemo = new CompressionMemo();
  await registerCompression(app, { memo: compressionMemo });
  const distDir = context.distDir ?? DIST_DIR;
  const apiUrl = context.config.apiUrl;

  // every API replica (THREADLINE_API_URLS), health-checked; forwarded requests retry on another one
  // apiUrl is always one of the replicas; a configuration that changed apiUrl alone means that one API
  const isApiUrlListed = context.config.apiUrls.includes(apiUrl);
  const urls = isApiUrlListed ? context.config.apiUrls : [apiUrl];
  // a replica on this host may be reached through its Unix socket (THREADLINE_API_SOCKETS, set by npm start)
  const socketPaths = isApiUrlListed ? context.config.apiSockets : [undefined];
  const upstream = new UpstreamPool({ urls, socketPaths, logger: context.logger });
  await upstream.start();
  app.addHook('onClose', async () => upstream.close());

  await app.register(metricsPlugin, {
    service: 'web',
    token: context.config.metricsToken,
    extend: (registry) => {
      registerUpstreamGauge(registry, upstream);
      registerCompressionMemoCounter(registry, compressionMemo);
      registerFastForwardCounter(registry, fastForwardStats);
      registerRevalidationCounter(registry, revalidation);
    },
  });
  registerWebAccessLog(app, { apiUrl: () => upstream.pick()?.url ?? apiUrl, logger: context.logger });
  app.get('/healthz', async () => ({ status: 'ok' }));
  // ready while at least one API replica is in rotation
  app.get('/readyz', async (_request, reply) => {
    const available = upstream.availableCount();
    if (available > 0) return { status: 'ready', apiReplicas: { available, total: upstream.upstreams.length } };
    return reply.status(503).send({ status: 'not ready', failures: { api: `no API replica passes its health check (${upstream.upstreams.length} configured)` } });
  });

  const cache = new MicroCache({ maxTtlMs: context.config.webCacheMs });
  const edgeHere = tlsOptions ? { ...edge, isHttps: true } : edge;
  await registerForwarding(app, {
    upstream,
    prefixes: FORWARDED_PREFIXES,
    // the API tier needs the client's address (rate limits, audit log) and scheme (secure cookies);
    // the security headers are set here (the security-headers plugin), so the API need not send its defaults
    extraHeaders: (request) => ({ ...forwardedHeaders(request, request.headers, Boolean(tlsOptions)), [SECURITY_HEADERS_SET_BY]: SECURITY_HEADERS_SET_BY_WEB }),
    // anonymous public GETs the API marks shareable (s-maxage) are answered here for up to
    // THREADLINE_WEB_CACHE_MS; the API's per-address limit is applied to those answers here
    cache,
    cacheHitLimiter: new SlidingWindowLimiter(edge.rateLimit.apiPerIpPerMin, 60_000),
    // whole answers skip Fastify's send path when the only onSend hooks registered above (the
    // security headers' removals, compression) would leave them as they are
    directWrite: { removedHeaders: REMOVED_RESPONSE_HEADERS, mayChange: mayCompress },
    // the same kept bodies as the fast path: a browser's list (compressed here) need not cross from the API either
    revalidation,
  });
  // plain GETs every edge rule lets through unchanged skip Fastify's routing and hooks (same rules applied there)
  fastPath.handle = context.fastPath === false ? undefined : createFastForward({
    upstream,
    prefixes: FAST_FORWARDED_PREFIXES,
    securityHeaders: securityHeaderValues({ isHttps: edgeHere.isHttps, hstsMaxAge: edgeHere.tls.hstsMaxAge }),
    removedHeaders: REMOVED_RESPONSE_HEADERS,
    waf: { settings: edgeHere.waf, stats: app.wafStats },
    metrics: app.metrics,
    cache,
    // large answers with an ETag (product list pages) cross from the API once per change, not once per request
    revalidation,
    // browsers' requests too: whole answers compressed here as the plugin would, through the same memo
    compression: { memo: compressionMemo },
    isTls: Boolean(tlsOptions),
    timeoutMs: FORWARD_TIMEOUT_MS,
    isClosing: () => isClosing,
    logger: context.logger,
  });

  if (existsSync(path.join(distDir, 'index.html'))) {
    await app.register(fastifyStatic, {
      root: distDir,
      wildcard: false,
      index: false,
      // .br/.gz written at build time; source maps stay on disk for operators, never served
      preCompressed: true,
      allowedPath: (pathName) => !pathName.endsWith('.map'),
      // hashed bundle names never change content: cache them for a year; index.html never
      setHeaders: (res, filePath) => {
        res.header(
          'cache-control',
          filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    // every other GET is a page: head rendered per address, 404 for unknown ones; robots, sitemap
    registerPages(app, { distDir, apiUrl: () => upstream.pick()?.url ?? apiUrl, publicUrl: context.config.publicUrl, currency: context.config.currency });
  } else {
    app.log.warn(`no built pages in ${distDir}; run \`threadline build\``);
  }
  return app;
}
