import { setTimeout as sleep } from 'node:timers/promises';

import { createLogger, loadConfig, loadOrCreateSecrets, onShutdown, signalReady } from '@threadline/config';
import { createPool, migrate, prewarmPool, resolveDatabaseUrl, waitForDatabase } from '@threadline/db';

import { buildApiApp } from './app.js';
import { listenOnUnixSocket } from './http/unix-socket.js';

/** Runs the application tier until SIGINT/SIGTERM (`threadline api`). */
export async function runApi(): Promise<void> {
  const config = loadConfig();
  const secrets = loadOrCreateSecrets(config.dataDir);
  const logger = createLogger({ name: 'api', level: config.logLevel, isPretty: config.isPrettyLog });
  // every connection is kept once made (min = max, HikariCP's default): after a quiet spell the
  // next burst of checkouts finds them open, with their statements prepared and planned
  const pool = createPool(resolveDatabaseUrl(config, secrets.pgPassword), { max: config.dbPoolMax, min: config.dbPoolMax, applicationName: 'threadline-api' });
  // idempotent and locked: safe when several replicas start together
  // `npm start` may start this tier while PostgreSQL is still booting: wait for it, then migrate
  const waitedMs = await waitForDatabase(pool, { timeoutMs: 120_000 });
  if (waitedMs >= 100) logger.info(`database accepted connections after ${waitedMs} ms`);
  await migrate(pool, { log: (line) => logger.info(line) });
  // the pool's connections are made before the tier says it is ready, not by its first shoppers
  await prewarmPool(pool, config.dbPoolMax);
  // on SIGTERM a replica first fails /readyz while still serving, so the web tier's health checks
  // move traffic away before the listener closes (THREADLINE_API_DRAIN_MS, set by the launcher)
  const drainMs = config.apiDrainMs;
  let isDraining = false;
  const draining = {
    name: 'draining',
    check: async (): Promise<void> => {
      if (isDraining) throw new Error('shutting down');
    },
  };
  const app = await buildApiApp({ config, secrets, pool, logger, readinessChecks: [draining] });
  await app.listen({ port: config.apiPort, host: config.host });
  // the web tier on this host reaches it there without loopback TCP (npm start sets the path)
  const unixListener = config.apiSocket ? await listenOnUnixSocket(app.server, config.apiSocket) : undefined;
  logger.info(`API listening on http://${config.host}:${config.apiPort}${unixListener ? ` and ${unixListener.socketPath}` : ''}`);
  signalReady({ url: `http://${config.host}:${config.apiPort}` });
  onShutdown(async () => {
    isDraining = true;
    if (drainMs > 0) await sleep(drainMs);
    await Promise.all([app.close(), unixListener?.close()]);
    await pool.end();
  });
}
