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
  // Nor a checked-out one (in a transaction, between two statements, or in a query) when its
  // server goes away with a socket error (ECONNRESET from a killed or failed-over PostgreSQL):
  // pg emits that as an 'error' event on the client, which the pool listens to only while the
  // client is idle, and an 'error' event without a listener ends the process. The query in flight
  // is rejected all the same, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Connects one client outside a pool (admin, probe and drill sessions). Like the pool's clients it
 * listens for 'error': a server that goes away under it (killed, failed over) rejects the query in
 * flight instead of ending the process with an unhandled 'error' event. A failed connect leaves
 * nothing open.
 *
 * @example
 * // a client kept open across many queries (one piece of work and done: withClient)
 * const client = await connectClient({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
 */
export async function connectClient(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client(config);
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/**
 * Runs `work` on one client outside a pool (connectClient) and ends the client afterwards, whether
 * the work succeeded or threw; an error while ending it is dropped, so the work's own result or
 * error is what comes back.
 *
 * @example
 * const size = await withClient({ connectionString: url }, async (client) => (await client.query('SELECT 1')).rowCount);
 */
export async function withClient<T>(config: pg.ClientConfig, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await connectClient(config);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
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

/** A value inlined into an EXECUTE (beginAndExecute): a safe integer, bytes (a hex bytea literal) or null. Never text. */
export type InlineValue = number | Buffer | null;

function inlineValue(value: InlineValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${String(value)}`);
    return String(value);
  }
  return `'\\x${value.toString('hex')}'::bytea`;
}

/** The answers of a simple query of several statements: one result per statement. */
function isResultList(answer: unknown): answer is { rows: unknown[] }[] {
  return Array.isArray(answer) && answer.every((result: unknown) => typeof result === 'object' && result !== null && 'rows' in result && Array.isArray(result.rows));
}

/** The statements each pooled connection has prepared with SQL PREPARE (they live as long as it does). */
const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();

/** A statement for beginAndExecute: its name (an SQL identifier), parameter types and text ($1…). */
export interface InlinePrepared {
  name: string;
  types: readonly string[];
  text: string;
}

/**
 * Opens a READ COMMITTED transaction and runs a prepared statement in the same round trip: BEGIN
 * and EXECUTE go as one simple query of two statements (the statement waits for its locks and
 * takes its snapshot as a statement of its own), so a transaction whose first statement is this
 * one costs one message to the server and one answer fewer than a BEGIN of its own. The statement
 * is prepared on the connection the first time (SQL PREPARE, a round trip once per connection)
 * and keeps its cached plan; its values are inlined, so they are integers or bytes only. Pass it
 * to withTransaction as `begin`. Returns the statement's rows.
 */
export async function beginAndExecute(client: pg.PoolClient, statement: InlinePrepared, values: readonly InlineValue[]): Promise<unknown[]> {
  if (!/^[a-z_][a-z0-9_]*$/.test(statement.name)) throw new Error(`not a statement name: ${statement.name}`);
  let prepared = preparedOn.get(client);
  if (!prepared) {
    prepared = new Set();
    preparedOn.set(client, prepared);
  }
  if (!prepared.has(statement.name)) {
    await client.query(`PREPARE ${statement.name} (${statement.types.join(', ')}) AS ${statement.text}`);
    prepared.add(statement.name);
  }
  const answer: unknown = await client
    .query(`BEGIN ISOLATION LEVEL READ COMMITTED; EXECUTE ${statement.name} (${values.map(inlineValue).join(', ')})`)
    .catch((error: unknown) => {
      // 26000: the connection lost its prepared statements (DEALLOCATE / DISCARD): prepare again next time
      if (typeof error === 'object' && error !== null && 'code' in error && error.code === '26000') prepared.delete(statement.name);
      throw error;
    });
  if (!isResultList(answer) || answer.length !== 2) throw new Error(`${statement.name} answered in an unexpected shape`);
  return answer[1]?.rows ?? [];
}
