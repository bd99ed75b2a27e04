import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Tier names as they appear in the `service` label and in Prometheus `job` names. */
export type ServiceName = 'api' | 'web' | 'worker';

/** Latency buckets (seconds): fine below 100 ms where a shop lives, coarse up to the 30 s proxy timeout. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpErrors: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route'>;
}

/**
 * One registry per process: Node's default metrics (event-loop lag, heap, CPU, GC, handles) plus
 * the per-route HTTP metrics, every series labelled with the tier name.
 */
export function createServiceMetrics(service: ServiceName): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const httpErrors = new Counter({
    name: 'http_request_errors_total',
    help: 'HTTP requests answered with a 5xx status, by route template',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request received to response sent, by route template',
    labelNames: ['method', 'route'] as const,
    buckets: [...LATENCY_BUCKETS],
    registers: [registry],
  });
  return { registry, httpRequests, httpErrors, httpDuration };
}
