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
  /**
   * Connections kept open however long they sit idle (default 0: every idle connection closes
   * after idleTimeoutMillis). A new connection costs a password handshake (SCRAM: thousands of
   * hash rounds on both sides), a server process and, per statement, its first plans: a tier
   * that serves bursts keeps its connections (see prewarmPool).
   */
  min?: number;
  /** How long a connection above `min` may sit idle before it closes (default 30 s). */
  idleTimeoutMillis?: number;
  applicationName?: string;
}

/** A connection pool with the settings every tier uses. */
export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 20,
    min: options.min ?? 0,
    application_name: options.applicationName ?? 'threadline',
    idleTimeoutMillis: options.idleTimeoutMillis ?? 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // an idle client losing its connection must not crash the process; the next checkout reconnects
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Opens `count` connections of the pool at once (at most its `max`), so that the first requests
 * after a start do not wait for connections to be made one by one under load; with `min` set to
 * the same count they then stay open. Resolves with the number of open connections.
 *
 * @example
 * const pool = createPool(url, { max: 8, min: 8 });
 * await prewarmPool(pool, 8);
 */
export async function prewarmPool(pool: pg.Pool, count: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: Math.min(count, pool.options.max) }, () => pool.connect()));
  for (const client of clients) client.release();
  return pool.totalCount;
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
  options: {
    isolation?: 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';
    readOnly?: boolean;
    /**
     * Opens the transaction in place of the plain BEGIN, for a first statement that goes in the
     * same round trip (see beginCheckout): it must send BEGIN (READ COMMITTED) itself.
     */
    begin?: (client: pg.PoolClient) => Promise<void>;
  } = {},
): Promise<T> {
  const client = await pool.connect();
  try {
    const mode = `ISOLATION LEVEL ${options.isolation ?? 'READ COMMITTED'}${options.readOnly ? ' READ ONLY' : ''}`;
    if (options.begin) await options.begin(client);
    else await client.query(`BEGIN ${mode}`);
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
