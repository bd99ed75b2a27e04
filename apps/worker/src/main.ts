import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';

import { createLogger, loadConfig, loadOrCreateSecrets, onShutdown, signalReady } from '@threadline/config';
import { createPool, migrate, resolveDatabaseUrl } from '@threadline/db';
import { metricsPlugin, registerWorkerMetrics, resolveBackupConfig } from '@threadline/ops';

import type { WorkerContext } from './context.js';
import { WORKER_SERVICES } from './services/index.js';

/** Runs the worker until SIGINT/SIGTERM (`threadline worker`): every service in WORKER_SERVICES. */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const secrets = loadOrCreateSecrets(config.dataDir);
  const logger = createLogger({ name: 'worker', level: config.logLevel, isPretty: config.isPrettyLog });
  const pool = createPool(resolveDatabaseUrl(config, secrets.pgPassword), { max: 6, applicationName: 'threadline-worker' });
  await migrate(pool, { log: (line) => logger.info(line) });
  const context: WorkerContext = { config, secrets, pool, logger };

  const running: Array<{ name: string; stop(): Promise<void>; isReady?(): Promise<void> }> = [];
  for (const service of WORKER_SERVICES) {
    running.push({ name: service.name, ...(await service.start(context)) });
    logger.info(`${service.name} started`);
  }

  const loggerInstance: FastifyBaseLogger = logger;
  const http = Fastify({ loggerInstance, logController: new LogController({ disableRequestLogging: true }) });
  // the worker serves the installation-wide gauges (host, backlog, pipeline, backups, WAL)
  const backup = (() => {
    try {
      return resolveBackupConfig(config, secrets);
    } catch {
      return undefined; // external database without backup settings: backup gauges read 0
    }
  })();
  await http.register(metricsPlugin, {
    service: 'worker',
    token: process.env.THREADLINE_METRICS_TOKEN,
    extend: (registry) => registerWorkerMetrics(registry, { pool, dataDir: config.dataDir, backup }),
  });
  http.get('/healthz', async () => ({ status: 'ok' }));
  http.get('/readyz', async (_request, reply) => {
    const failures: Record<string, string> = {};
    await pool.query('SELECT 1').catch((error: unknown) => (failures.database = String(error)));
    for (const service of running) {
      await service.isReady?.().catch((error: unknown) => (failures[service.name] = String(error)));
    }
    if (Object.keys(failures).length > 0) return reply.status(503).send({ status: 'not ready', failures });
    return { status: 'ready' };
  });
  await http.listen({ port: config.workerPort, host: config.host });
  logger.info(`worker listening on http://${config.host}:${config.workerPort}`);
  signalReady();
  onShutdown(async () => {
    for (const service of running.reverse()) await service.stop();
    await http.close();
    await pool.end();
  }, { graceMs: 30_000 });
}
