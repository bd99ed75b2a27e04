import { Gauge, type Registry } from 'prom-client';

import type { UpstreamPool } from './upstream-pool.js';

/** `threadline_web_api_replicas{state="available"|"configured"}`: alert when rotation shrinks. */
export function registerUpstreamGauge(registry: Registry, upstream: UpstreamPool): void {
  new Gauge({
    name: 'threadline_web_api_replicas',
    help: 'API replicas behind the web tier: configured, and available (healthy, not ejected)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'configured' }, upstream.upstreams.length);
      this.set({ state: 'available' }, upstream.availableCount());
    },
  });
}
