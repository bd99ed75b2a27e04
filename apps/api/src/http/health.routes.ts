import type { FastifyInstance } from 'fastify';

import type { Pool } from '@threadline/db';

export interface ReadinessCheck {
  name: string;
  /** Resolves when healthy, throws (with a reason) when not. */
  check: () => Promise<void>;
}

/**
 * `GET /healthz`: the process is alive. `GET /readyz`: it can serve, i.e. the database answers
 * and every registered readiness check passes (e.g. the clickstream spool is writable).
 */
export async function healthRoutes(app: FastifyInstance, options: { pool: Pool; checks?: ReadinessCheck[] }): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const failures: Record<string, string> = {};
    try {
      await options.pool.query('SELECT 1');
    } catch (error) {
      failures.database = error instanceof Error ? error.message : String(error);
    }
    for (const { name, check } of options.checks ?? []) {
      try {
        await check();
      } catch (error) {
        failures[name] = error instanceof Error ? error.message : String(error);
      }
    }
    if (Object.keys(failures).length > 0) return reply.status(503).send({ status: 'not ready', failures });
    return { status: 'ready' };
  });
}
