import type { Command } from 'commander';

import { onShutdown, signalReady } from '@threadline/config';
import { embeddedClusterDir, initialiseCluster, pgLogLevel, startCluster } from '@threadline/db';

import { loadRuntime } from '../runtime.js';
import { clusterSettings } from '../launcher/cluster-settings.js';

export function registerDb(program: Command): void {
  program
    .command('db')
    .description('run the embedded PostgreSQL 15 server (data under $THREADLINE_DATA_DIR/pg) until Ctrl-C')
    .action(async () => {
      const runtime = loadRuntime('db');
      const { config, secrets, logger } = runtime;
      if (config.databaseUrl) throw new Error('DATABASE_URL is set: the database is external, nothing to run here');
      const dir = embeddedClusterDir(config.dataDir);
      // PostgreSQL's WARNING / ERROR / FATAL lines keep their level
      const log = (line: string): void => logger[pgLogLevel(line)](line);
      const isNew = await initialiseCluster({ dir, port: config.pgPort, password: secrets.pgPassword, onLog: log });
      if (isNew) logger.info(`created a new PostgreSQL 15 cluster in ${dir}`);
      const cluster = await startCluster({
        dir,
        port: config.pgPort,
        password: secrets.pgPassword,
        settings: clusterSettings(config),
        onLog: log,
      });
      logger.info(`PostgreSQL ready on 127.0.0.1:${config.pgPort}`);
      signalReady({ url: cluster.url, isNew });
      onShutdown(() => cluster.stop(), { graceMs: 30_000 });
      // the server exiting on its own (crash, kill) ends this tier too, so the launcher sees it
      cluster.process.once('exit', (code) => {
        logger.warn(`PostgreSQL exited (code ${code ?? 'signal'})`);
        process.exit(code === 0 ? 0 : 1);
      });
    });
}
