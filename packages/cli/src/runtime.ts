import { createLogger, loadConfig, loadOrCreateSecrets, type Config, type Logger, type Secrets } from '@threadline/config';
import { createPool, resolveDatabaseUrl, type Pool } from '@threadline/db';

export interface Runtime {
  config: Config;
  secrets: Secrets;
  databaseUrl: string;
  logger: Logger;
}

/** Configuration, secrets and database URL for a one-shot command. */
export function loadRuntime(name: string): Runtime {
  const config = loadConfig();
  const secrets = loadOrCreateSecrets(config.dataDir);
  return {
    config,
    secrets,
    databaseUrl: resolveDatabaseUrl(config, secrets.pgPassword),
    logger: createLogger({ name, level: config.logLevel, isPretty: process.stdout.isTTY || config.isPrettyLog }),
  };
}

/**
 * Runs `work` with a pool on the configured database and closes the pool afterwards. Explains
 * what to do when the database is not running instead of printing a socket error.
 */
export async function withPool<T>(runtime: Runtime, work: (pool: Pool) => Promise<T>): Promise<T> {
  const pool = createPool(runtime.databaseUrl, { max: 4, applicationName: 'threadline-cli' });
  try {
    await pool.query('SELECT 1').catch((error: unknown) => {
      const hint = runtime.config.databaseUrl
        ? 'check DATABASE_URL'
        : 'start the shop with `npm start` (or only the database with `threadline db`) first';
      throw new Error(`cannot reach PostgreSQL: ${error instanceof Error ? error.message : String(error)}; ${hint}`, { cause: error });
    });
    return await work(pool);
  } finally {
    await pool.end();
  }
}
