import type { Command } from 'commander';

import { claimPort, onShutdown, signalReady } from '@threadline/config';
import { baseBackupProgram, embeddedClusterDir, initialiseCluster, pgLogLevel, startCluster } from '@threadline/db';

import { loadRuntime } from '../runtime.js';
import { clusterSettings } from '../launcher/cluster-settings.js';
import { DbPair } from '../launcher/db-standby.js';

/** Why no standby can be built here (pg_basebackup missing), or undefined. */
function baseBackupUnavailable(): string | undefined {
  try {
    baseBackupProgram();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

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
      // initdb's own chatter ("Success. You can now start the database server using: pg_ctl …") is
      // not for the user of npm start: debug only; a failure still says why
      const isNew = await initialiseCluster({ dir, port: config.pgPort, password: secrets.pgPassword, onLog: (line) => logger.debug(line) });
      if (isNew) logger.info(`created a new PostgreSQL 15 cluster in ${dir}`);
      // before the server starts: the pgBackRest stanza exists before the first archive_command runs
      const settings = await clusterSettings(config, { onWarning: (line) => logger.warn(line) });
      if (config.dbStandby && baseBackupUnavailable()) logger.warn(baseBackupUnavailable() ?? '');
      // the launcher held the port since it chose it: take it over right before the server binds it
      await claimPort(config.pgPort);
      if (config.dbStandby && !baseBackupUnavailable()) {
        const pair = new DbPair({
          dataDir: config.dataDir,
          port: config.pgPort,
          password: secrets.pgPassword,
          replicationPassword: secrets.pgReplicationPassword ?? secrets.pgPassword,
          settings,
          log: (level, line) => logger[level](line),
          onPgLog: log,
          onFatal: (reason) => {
            logger.error(`${reason}: exiting, the launcher starts this tier again`);
            // the launcher restarts a tier that exits: a stop that hangs must not keep it from that
            setTimeout(() => process.exit(1), 45_000).unref();
            void pair.stop({ immediateAfterMs: 15_000 }).finally(() => process.exit(1));
          },
        });
        const primary = await pair.start();
        logger.info(`PostgreSQL ready on 127.0.0.1:${config.pgPort} (primary; a hot standby follows)`);
        signalReady({ url: primary.url, isNew });
        onShutdown(() => pair.stop(), { graceMs: 30_000 });
        return;
      }
      const cluster = await startCluster({
        dir,
        port: config.pgPort,
        password: secrets.pgPassword,
        settings,
        onLog: log,
      });
      logger.info(`PostgreSQL ready on 127.0.0.1:${config.pgPort}`);
      signalReady({ url: cluster.url, isNew });
      let isStopping = false;
      onShutdown(
        () => {
          isStopping = true;
          return cluster.stop();
        },
        { graceMs: 30_000 },
      );
      // the server exiting on its own (crash, kill) ends this tier too, so the launcher sees it
      cluster.process.once('exit', (code) => {
        if (isStopping && code === 0) logger.info('PostgreSQL stopped');
        else logger.warn(`PostgreSQL exited (code ${code ?? 'signal'})`);
        process.exit(code === 0 ? 0 : 1);
      });
    });
}
