import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import type pg from 'pg';

import { beginAndExecute, connectClient, createPool, prewarmPool, withClient, type Pool } from './pool.js';
import { createTestDatabase, type TestDatabase } from './testing/index.js';

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase({ migrate: false });
});
after(async () => {
  await db.close();
});

/** Sessions the server has open for one application name. */
async function serverSessions(applicationName: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
  return rows[0]?.n ?? -1;
}

describe('prewarmPool', () => {
  let pool: Pool | undefined;
  after(async () => {
    await pool?.end();
  });

  it('opens the connections before the first request, and with min they outlast the idle timeout', async () => {
    const name = `prewarm-${randomBytes(4).toString('hex')}`;
    pool = createPool(db.url, { max: 4, min: 3, idleTimeoutMillis: 50, applicationName: name });
    assert.equal(await serverSessions(name), 0, 'a new pool opens nothing by itself');
    assert.equal(await prewarmPool(pool, 3), 3);
    assert.equal(await serverSessions(name), 3);
    // a burst takes the fourth; once idle past the timeout only that one closes
    const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect(), pool.connect()]);
    for (const client of clients) client.release();
    assert.equal(pool.totalCount, 4);
    await sleep(300);
    assert.equal(pool.totalCount, 3);
    assert.equal(await serverSessions(name), 3);
    const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
    assert.deepEqual(rows, [{ one: 1 }]);
  });

  it('never opens more than the pool allows', async () => {
    const name = `prewarm-${randomBytes(4).toString('hex')}`;
    const small = createPool(db.url, { max: 2, applicationName: name });
    try {
      assert.equal(await prewarmPool(small, 10), 2);
      assert.equal(await serverSessions(name), 2);
    } finally {
      await small.end();
    }
  });
});

describe('createPool', () => {
  it('survives a checked-out connection whose socket fails: the query is rejected, the pool drops the client', async () => {
    const pool = createPool(db.url, { max: 2, applicationName: `reset-${randomBytes(4).toString('hex')}` });
    try {
      const client = await pool.connect();
      const pending = client.query('SELECT pg_sleep(30)');
      // what a PostgreSQL killed under a transaction does to the socket (seen in the failover drill:
      // every API replica exited on "Unhandled 'error' event … read ECONNRESET")
      const socket = Reflect.get(Reflect.get(client, 'connection') as object, 'stream') as import('node:net').Socket;
      socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      await assert.rejects(pending, /ECONNRESET/);
      client.release();
      assert.equal(pool.totalCount, 0, 'the broken client is not returned to the pool');
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      assert.deepEqual(rows, [{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });
});

describe('connectClient', () => {
  it('connects a client outside a pool whose socket failing rejects the query in flight instead of ending the process', async () => {
    const client = await connectClient({ connectionString: db.url });
    const pending = client.query('SELECT pg_sleep(30)');
    // the db tier's probes of the primary were such clients: a poll in flight when the primary was killed
    const socket = Reflect.get(Reflect.get(client, 'connection') as object, 'stream') as import('node:net').Socket;
    socket.destroy(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    await assert.rejects(pending, /ECONNRESET/);
    await client.end().catch(() => undefined);
  });

  it('rejects with the server\'s reason when the connect is refused', async () => {
    const url = new URL(db.url);
    url.password = 'not-the-password';
    await assert.rejects(connectClient({ connectionString: url.toString() }), /password authentication failed/);
  });
});

describe('withClient', () => {
  it('returns what the work returns and ends the client afterwards', async () => {
    let used: pg.Client | undefined;
    const answer = await withClient({ connectionString: db.url }, async (client) => {
      used = client;
      const { rows } = await client.query<{ n: number }>('SELECT 41 + 1 AS n');
      return rows[0]?.n;
    });
    assert.equal(answer, 42);
    assert.ok(used);
    await assert.rejects(used.query('SELECT 1'), /not queryable/);
  });

  it('ends the client when the work throws, and rejects with the work\'s error', async () => {
    let used: pg.Client | undefined;
    await assert.rejects(
      withClient({ connectionString: db.url }, async (client) => {
        used = client;
        await client.query('SELECT no_such_column FROM pg_class');
      }),
      /no_such_column/,
    );
    assert.ok(used);
    await assert.rejects(used.query('SELECT 1'), /not queryable/);
  });
});

describe('beginAndExecute', () => {
  const ECHO = { name: 'test_echo', types: ['bigint', 'bytea'], text: 'SELECT $1::bigint AS n, encode($2, \'hex\') AS hex, now() = statement_timestamp() AS fresh' };

  it('opens a transaction and runs the statement in one round trip, preparing it once per connection', async () => {
    const client = await db.pool.connect();
    const sent: string[] = [];
    const query = client.query.bind(client);
    // a probe around the real query method: every statement still runs against PostgreSQL
    client.query = ((...args: Parameters<typeof query>) => {
      const first: unknown = args[0];
      sent.push(typeof first === 'string' ? first : '?');
      return query(...args);
    }) as typeof client.query; // same signature as the method it wraps
    try {
      const bytes = Buffer.from("'\\\u0000x", 'latin1');
      assert.deepEqual(await beginAndExecute(client, ECHO, [42, bytes]), [{ n: 42, hex: bytes.toString('hex'), fresh: true }]);
      const open = await query<{ open: boolean }>('SELECT now() <> statement_timestamp() AS open');
      assert.deepEqual(open.rows, [{ open: true }], 'the transaction is still open');
      await query('ROLLBACK');
      assert.deepEqual(await beginAndExecute(client, ECHO, [7, null]), [{ n: 7, hex: null, fresh: true }]);
      await query('ROLLBACK');
      assert.equal(sent.filter((text) => text.startsWith('PREPARE')).length, 1, sent.join('\n'));
      assert.equal(sent.length, 3);
      // a connection that lost its statements fails once, then prepares again
      await query('DEALLOCATE ALL');
      await assert.rejects(beginAndExecute(client, ECHO, [1, null]), /does not exist/);
      await query('ROLLBACK');
      assert.deepEqual(await beginAndExecute(client, ECHO, [1, null]), [{ n: 1, hex: null, fresh: true }]);
      await query('ROLLBACK');
    } finally {
      client.release(true);
    }
  });

  it('inlines integers and bytes only, and names only identifiers', async () => {
    const client = await db.pool.connect();
    try {
      await assert.rejects(beginAndExecute(client, ECHO, [1.5, null]), /not an integer/);
      await assert.rejects(beginAndExecute(client, { ...ECHO, name: 'x; DROP TABLE y' }, [1, null]), /not a statement name/);
    } finally {
      client.release(true);
    }
  });
});
