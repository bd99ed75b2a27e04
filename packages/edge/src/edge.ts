import type { FastifyInstance } from 'fastify';

import type { EdgeConfig } from './config.js';
import { corsPlugin } from './headers/cors.js';
import { canonicalPathPlugin } from './http/canonical-path.js';
import { securityHeadersPlugin } from './headers/security-headers.js';
import { rateLimitPlugin } from './rate-limit/rate-limit.plugin.js';
import { wafPlugin, type WafRouteExclusion } from './waf/waf.plugin.js';

/**
 * Puts the edge protections in front of a tier's routes. Call it right after creating the
 * Fastify instance, before every plugin that touches the database, so blocked and rate-limited
 * requests cost no query.
 *
 * - `web`: WAF on the request head (bodies are inspected by the API tier they are forwarded to),
 *   security headers on every page, asset and proxied answer.
 * - `api`: WAF on head and parsed body, security headers, CORS (closed unless origins are listed),
 *   rate limits per IP and per account.
 *
 * @example
 * const app = Fastify({ ... });
 * await registerEdge(app, { tier: 'api', edge: config.edge });
 */
export async function registerEdge(
  app: FastifyInstance,
  options: { tier: 'web' | 'api'; edge: EdgeConfig; wafExclusions?: readonly WafRouteExclusion[] },
): Promise<void> {
  const { edge, tier } = options;
  // first: helmet sets the headers as a request arrives, so answers refused by the checks below carry them too;
  // the API leaves them to the web tier on what the web tier forwards (SECURITY_HEADERS_SET_BY)
  await app.register(securityHeadersPlugin, { isHttps: edge.isHttps, hstsMaxAge: edge.tls.hstsMaxAge, ...(tier === 'api' ? { trustedProxies: edge.trustedProxies } : {}) });
  // then: every later check compares the one spelling of the path that the router uses
  await app.register(canonicalPathPlugin);
  await app.register(wafPlugin, { settings: edge.waf, inspectBody: tier === 'api', exclusions: options.wafExclusions ?? [] });
  if (tier === 'api') {
    await app.register(corsPlugin, { allowedOrigins: edge.corsOrigins });
    await app.register(rateLimitPlugin, { settings: edge.rateLimit, trustedProxies: edge.trustedProxies });
  }
}
