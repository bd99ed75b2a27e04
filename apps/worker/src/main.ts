import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';

import { createLogger, loadConfig, loadOrCreateSecrets, onShutdown, signalReady } from '@threadline/config';
import { createPool, migrate, resolveDatabaseUrl, waitForDatabase } from '@threadline/db';
import { readDuckDbMemory } from '@threadline/lake';
import { metricsPlugin, registerWorkerMetrics, resolveBackupConfig } from '@threadline/ops';

import type { WorkerContext } from './context.js';
import { waitForLeadership } from './leader/leader.js';
import { WORKER_SERVICES } from './services/index.js';

/** Runs the worker until SIGINT/SIGTERM (`threadline worker`): every service in WORKER_SERVICES. */
export async function runWorker(): Promise<void> {
  const config = loadConfig();
  const secrets = loadOrCreateSecrets(config.dataDir);
  const logger = createLogger({ name: 'worker', level: config.logLevel, isPretty: config.isPrettyLog });
  const pool = createPool(resolveDatabaseUrl(config, secrets.pgPassword), { max: 6, applicationName: 'threadline-worker' });
  // `npm start` may start this tier while PostgreSQL is still booting: wait for it, then migrate
  const waitedMs = await waitForDatabase(pool, { timeoutMs: 120_000 });
  if (waitedMs >= 100) logger.info(`database accepted connections after ${waitedMs} ms`);
  await migrate(pool, { log: (line) => logger.info(line) });
  const context: WorkerContext = { config, secrets, pool, logger };

  // one worker runs the jobs; a second one (npm start runs two) waits for the lock and takes over
  const stopping = new AbortController();
  const running: Array<{ name: string; stop(): Promise<void>; isReady?(): Promise<void> }> = [];
  let role: 'standby' | 'leader' = 'standby';
  const lead = async (): Promise<void> => {
    const leadership = await waitForLeadership({ pool, logger, signal: stopping.signal });
    if (!leadership) return;
    role = 'leader';
    logger.info('this worker holds the leadership lock: running the jobs');
    void leadership.lost.then((reason) => {
      if (stopping.signal.aborted) return;
      // fenced: a worker that lost the lock must not run one more job; the launcher restarts it as a standby
      logger.error(`${reason}: stopping at once`);
      process.exit(1);
    });
    stopping.signal.addEventListener('abort', () => leadership.release());
    for (const service of WORKER_SERVICES) {
      running.push({ name: service.name, ...(await service.start(context)) });
      logger.info(`${service.name} started`);
    }
  };
  const leading = lead();

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
    token: config.metricsToken,
    extend: (registry) =>
      registerWorkerMetrics(registry, { pool, dataDir: config.dataDir, backup, isStandbyExpected: config.dbStandby && !config.databaseUrl, readDuckDbMemory }),
  });
  http.get('/healthz', async () => ({ status: 'ok', role }));
  http.get('/readyz', async (_request, reply) => {
    const failures: Record<string, string> = {};
    await pool.query('SELECT 1').catch((error: unknown) => (failures.database = String(error)));
    for (const service of running) {
      await service.isReady?.().catch((error: unknown) => (failures[service.name] = String(error)));
    }
    if (Object.keys(failures).length > 0) return reply.status(503).send({ status: 'not ready', role, failures });
    return { status: 'ready', role };
  });
  await http.listen({ port: config.workerPort, host: config.host });
  logger.info(`worker listening on http://${config.host}:${config.workerPort}`);
  signalReady({ role });
  onShutdown(async () => {
    stopping.abort();
    await leading;
    for (const service of running.reverse()) await service.stop();
    await http.close();
    await pool.end();
  }, { graceMs: 30_000 });
}
