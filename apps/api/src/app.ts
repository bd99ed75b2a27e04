import ajvCompiler from '@fastify/ajv-compiler';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';

import { metricsPlugin, registerPoolMetrics } from '@threadline/ops';

import { registerEdge, trustProxyFunction } from '@threadline/edge';

import type { ApiApp } from './api-app.js';
import type { ApiContext } from './context.js';
import { ServerEvents } from './collect/server-events.js';
import { AppError } from './errors.js';
import { sessionPlugin } from './auth/session.js';
import { QUERY_WAF_EXCLUSIONS } from './query/query.waf.js';
import { registerErrorHandler } from './http/error-handler.js';
import { lazyChildLoggerFactory } from './http/request-logger.js';
import { healthRoutes } from './http/health.routes.js';
import { ROUTE_MODULES } from './routes.js';

export type { ApiApp };

/** Largest JSON body the API accepts (product descriptions are the largest legitimate ones). */
export const BODY_LIMIT_BYTES = 256 * 1024;


const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Builds the application tier. Routes come from ROUTE_MODULES; tests call this with a throwaway
 * database and use `app.inject()` or a real listening port.
 */
export async function buildApiApp(given: ApiContext): Promise<ApiApp> {
  // one set of server-stated clickstream events per app: the /collect module attaches its collector
  const context: ApiContext = { ...given, serverEvents: given.serverEvents ?? new ServerEvents(given.logger) };
  const loggerInstance: FastifyBaseLogger = context.logger;
  const edge = context.edge ?? context.config.edge;
  const app = Fastify({
    loggerInstance,
    bodyLimit: BODY_LIMIT_BYTES,
    // X-Forwarded-For/-Proto believed from the configured proxies only (the web tier, nginx, a load balancer);
    // the verdict per address is remembered (request.ip asks again on every read)
    trustProxy: trustProxyFunction(edge.trustedProxies),
    logController: new LogController({ disableRequestLogging: true }),
    // each request's pino child is made when it first logs (most never do)
    childLoggerFactory: lazyChildLoggerFactory,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    requestIdHeader: 'x-request-id',
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON bodies must be valid UTF-8: silently replacing bad bytes would store mangled text
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new AppError('INVALID_UTF8', 'request body is not valid UTF-8'), undefined);
      return;
    }
    if (text.trim() === '') {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('INVALID_JSON', 'request body is not valid JSON'), undefined);
    }
  });

  // Querystrings and params arrive as text and are coerced to their schema types; JSON bodies
  // already carry types, and coercing them would let "12", true or [5] pass as a price or quantity.
  const ajvOptions = { removeAdditional: false, useDefaults: true, allErrors: false } as const;
  const coercingValidator = ajvCompiler()({}, { customOptions: { ...ajvOptions, coerceTypes: 'array' } });
  const strictValidator = ajvCompiler()({}, { customOptions: { ...ajvOptions, coerceTypes: false } });
  app.setValidatorCompiler((route) => (route.httpPart === 'body' ? strictValidator(route) : coercingValidator(route)));

  registerErrorHandler(app);
  // WAF, rate limits, CORS and security headers first: a refused request costs no database work
  await registerEdge(app, { tier: 'api', edge, wafExclusions: QUERY_WAF_EXCLUSIONS });
  await app.register(metricsPlugin, {
    service: 'api',
    token: context.config.metricsToken,
    extend: (registry) => registerPoolMetrics(registry, context.pool),
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Threadline shop API', version: '0.1.0', description: 'The application tier of the Threadline shop.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'tl_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
  });
  await app.register(sessionPlugin, { pool: context.pool, isSecureCookie: context.config.nodeEnv === 'production' || edge.isHttps, cacheMs: context.config.sessionCacheMs });
  await app.register(healthRoutes, { pool: context.pool, checks: context.readinessChecks });
  for (const routes of ROUTE_MODULES) await routes(app, context);
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
