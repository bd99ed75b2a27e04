import type { Config, Logger, Secrets } from '@threadline/config';
import type { Pool } from '@threadline/db';
import type { EdgeConfig } from '@threadline/edge';

import type { ServerEvents } from './collect/server-events.js';
import type { ReadinessCheck } from './http/health.routes.js';

/** What every route module receives: configuration, secrets and the database pool. */
export interface ApiContext {
  config: Config;
  secrets: Secrets;
  pool: Pool;
  logger: Logger;
  /** Extra readiness checks registered by route modules (spool, uploads dir…). */
  readinessChecks: ReadinessCheck[];
  /** WAF, rate-limit, TLS and CORS settings; read from the environment when absent. */
  edge?: EdgeConfig;
  /** Clickstream events the API states itself (order_paid); made by buildApiApp when absent. */
  serverEvents?: ServerEvents;
}
