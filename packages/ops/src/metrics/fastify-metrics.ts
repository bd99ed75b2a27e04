import { isIP } from 'node:net';

import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { Registry } from 'prom-client';

import { createServiceMetrics, type ServiceMetrics, type ServiceName } from './registry.js';

export interface MetricsPluginOptions {
  service: ServiceName;
  /** Adds gauges fed by this process (pool size, host, backlog…) to the registry before serving. */
  extend?: (registry: Registry) => void;
  /**
   * Bearer token that lets a scraper outside loopback/private networks read /metrics
   * (THREADLINE_METRICS_TOKEN). Without it, only loopback and private addresses may scrape.
   */
  token?: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: ServiceMetrics;
  }
}

const ROUTE_UNMATCHED = '(unmatched)';

/**
 * Headers a proxy adds. A request carrying any of them came through nginx, the web tier or a load
 * balancer — from the internet as far as this process knows — so its private TCP peer (the proxy)
 * says nothing about who asked.
 */
const PROXY_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'via', 'x-forwarded-host'] as const;

/** Loopback and RFC 1918 / unique-local addresses: where Prometheus runs next to the tiers. */
export function isPrivateAddress(ip: string): boolean {
  const address = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(address) === 4) {
    const [a = 0, b = 0] = address.split('.').map(Number);
    return a === 127 || a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  return address === '::1' || /^f[cd]/i.test(address);
}

const plugin: FastifyPluginAsync<MetricsPluginOptions> = async (app: FastifyInstance, options) => {
  const metrics = createServiceMetrics(options.service);
  options.extend?.(metrics.registry);
  app.decorate('metrics', metrics);

  // a callback hook: an async one costs a promise and a microtask on every request
  app.addHook('onResponse', (request, reply, done) => {
    // the route template, never the raw URL: ids in paths would explode the series count
    const route = request.routeOptions.url ?? ROUTE_UNMATCHED;
    if (route === '/metrics') return done();
    // label objects as literals: spreading one into another cost more than the counting itself
    const method = request.method;
    const statusCode = String(reply.statusCode);
    metrics.httpRequests.inc({ method, route, status_code: statusCode });
    if (reply.statusCode >= 500) metrics.httpErrors.inc({ method, route, status_code: statusCode });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
    done();
  });

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const hasToken = options.token !== undefined && options.token !== '' && request.headers.authorization === `Bearer ${options.token}`;
    const isProxied = PROXY_HEADERS.some((name) => request.headers[name] !== undefined);
    if (!hasToken && (isProxied || !isPrivateAddress(request.socket.remoteAddress ?? ''))) {
      return reply.status(403).send({
        error: { code: 'METRICS_FORBIDDEN', message: 'metrics are served to direct scrapes from loopback/private networks, or with the metrics token' },
      });
    }
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
};

/**
 * Serves `/metrics` in Prometheus text format and records request rate, latency and 5xx count
 * per route template, plus Node's process metrics, for one tier.
 *
 * @example
 * await app.register(metricsPlugin, { service: 'api', extend: (registry) => registerPoolMetrics(registry, pool) });
 */
export const metricsPlugin = fp(plugin, { name: 'threadline-metrics', fastify: '5.x' });
