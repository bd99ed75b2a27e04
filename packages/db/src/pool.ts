import pg from 'pg';

// bigint ids and counts arrive as strings by default; ours fit in a JS number (< 2^53)
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// numeric aggregates (avg, sum of ints) likewise
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = pg.Pool | pg.PoolClient;

export interface PoolOptions {
  max?: number;
  applicationName?: string;
}

/** A connection pool with the settings every tier uses. */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'threadline',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // an idle client losing its connection must not crash the process; the next checkout reconnects
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Runs `work` in a transaction, committing on success and rolling back on any error.
 *
 * @example
 * const order = await withTransaction(pool, (client) => createOrder(client, cart));
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE'; readOnly?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    const mode = `ISOLATION LEVEL ${options.isolation ?? 'READ COMMITTED'}${options.readOnly ? ' READ ONLY' : ''}`;
    await client.query(`BEGIN ${mode}`);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
