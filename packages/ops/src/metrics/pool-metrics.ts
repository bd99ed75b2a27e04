import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';

/** Connections of this process's pool: in use, idle, and callers waiting for one. */
export function registerPoolMetrics(registry: Registry, pool: pg.Pool): void {
  new Gauge({
    name: 'threadline_db_pool_connections',
    help: 'Connections of this process to PostgreSQL, by state (waiting = callers queued for a connection)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}
