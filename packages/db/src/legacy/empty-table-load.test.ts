import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';

import { hasPgCode, PG_ERROR } from '../errors.js';
import type { PoolClient } from '../pool.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { loadIntoEmptyTables } from './empty-table-load.js';

describe('loadIntoEmptyTables', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(() => db.close());
  beforeEach(async () => {
    await db.pool.query(`
      DROP TABLE IF EXISTS load_child, load_parent;
      CREATE TABLE load_parent (id int PRIMARY KEY, code text UNIQUE);
      CREATE TABLE load_child (
        id int PRIMARY KEY,
        parent_id int NOT NULL REFERENCES load_parent (id) ON DELETE CASCADE,
        parent_code text REFERENCES load_parent (code) DEFERRABLE INITIALLY DEFERRED,
        note text NOT NULL CHECK (note <> ''),
        UNIQUE (note)
      );
      CREATE INDEX load_child_parent_idx ON load_child (parent_id, id DESC);
      CREATE INDEX load_child_note_idx ON load_child (lower(note)) WHERE note <> 'x'`);
  });

  /** The empty-table path declines both tables: nothing returned, and the load never ran. */
  async function assertOrdinaryPath(client: PoolClient): Promise<void> {
    let isRun = false;
    const loaded = await loadIntoEmptyTables(client, ['load_parent', 'load_child'], async () => {
      isRun = true;
    });
    assert.equal(loaded, undefined);
    assert.equal(isRun, false);
  }

  /** Every constraint and index of the two tables, as PostgreSQL spells them. */
  const schemaOf = async (client: PoolClient | TestDatabase['pool']): Promise<string[]> => {
    const { rows } = await client.query<{ def: string }>(`
      SELECT conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS def
        FROM pg_constraint WHERE conrelid IN ('load_parent'::regclass, 'load_child'::regclass)
      UNION ALL
      SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN ('load_parent'::regclass, 'load_child'::regclass)
      ORDER BY 1`);
    return rows.map((row) => row.def);
  };
  const foreignKeysOf = async (client: PoolClient): Promise<number> =>
    Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_constraint WHERE conrelid = 'load_child'::regclass AND contype = 'f'`)).rows[0]!.n);

  it('loads into empty tables with the foreign keys and plain indexes set aside, then restores exactly the same schema', async () => {
    const schema = await schemaOf(db.pool);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const loaded = await loadIntoEmptyTables(client, ['load_parent', 'load_child'], async () => {
        assert.equal(await foreignKeysOf(client), 0);
        const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_indexes WHERE tablename = 'load_child'`);
        assert.equal(Number(rows[0]!.n), 2, 'only the primary key and the unique index stay during the load');
        await client.query(`INSERT INTO load_parent VALUES (1, 'a'), (2, 'b')`);
        await client.query(`INSERT INTO load_child SELECT g, 1 + g % 2, 'a', 'note ' || g FROM generate_series(1, 1000) g`);
        return 'loaded';
      });
      assert.equal(loaded, 'loaded');
      assert.deepEqual(await schemaOf(client), schema);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    assert.deepEqual(await schemaOf(db.pool), schema);
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM load_child');
    assert.equal(Number(rows[0]!.n), 1000);
    // the restored keys act as before: a parent's delete cascades, an unknown parent is refused
    await db.pool.query('DELETE FROM load_parent WHERE id = 2');
    assert.equal(Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM load_child')).rows[0]!.n), 500);
    await assert.rejects(db.pool.query(`INSERT INTO load_child VALUES (5000, 9, NULL, 'orphan')`), (error) => hasPgCode(error, PG_ERROR.FOREIGN_KEY_VIOLATION));
  });

  it('refuses a load whose rows break a foreign key, as the per-row check would', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await assert.rejects(
        loadIntoEmptyTables(client, ['load_parent', 'load_child'], async () => {
          await client.query(`INSERT INTO load_parent VALUES (1, 'a')`);
          await client.query(`INSERT INTO load_child VALUES (1, 1, 'a', 'fine'), (2, 7, NULL, 'no such parent')`);
        }),
        (error) => hasPgCode(error, PG_ERROR.FOREIGN_KEY_VIOLATION),
      );
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const { rows } = await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM load_child');
    assert.equal(Number(rows[0]!.n), 0);
  });

  it('takes the ordinary path, schema untouched and load not run, when a table has rows', async () => {
    await db.pool.query(`INSERT INTO load_parent VALUES (1, 'a')`);
    const schema = await schemaOf(db.pool);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await assertOrdinaryPath(client);
      assert.equal(await foreignKeysOf(client), 2);
      // the locks were given back with the savepoint: another session can still write
      await db.pool.query(`INSERT INTO load_parent VALUES (2, 'b')`);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    assert.deepEqual(await schemaOf(db.pool), schema);
  });

  it('takes the ordinary path when an index carries a comment its definition would not bring back', async () => {
    await db.pool.query(`COMMENT ON INDEX load_child_parent_idx IS 'kept for the parent page'`);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await assertOrdinaryPath(client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const { rows } = await db.pool.query<{ comment: string | null }>(`SELECT obj_description('load_child_parent_idx'::regclass, 'pg_class') AS comment`);
    assert.equal(rows[0]!.comment, 'kept for the parent page');
  });

  it('takes the ordinary path at once, without waiting, when another session is using a table', async () => {
    const other = await db.pool.connect();
    const client = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT count(*) FROM load_child');
      await client.query('BEGIN');
      const started = performance.now();
      const loaded = await loadIntoEmptyTables(client, ['load_parent', 'load_child'], async () => 'loaded');
      assert.equal(loaded, undefined);
      assert.ok(performance.now() - started < 2000, 'no wait for the other session');
      // the transaction goes on as usual
      await client.query(`INSERT INTO load_parent VALUES (1, 'a')`);
      await client.query('COMMIT');
      await other.query('COMMIT');
    } finally {
      client.release();
      other.release();
    }
  });

  it('keeps the indexes of the tables named in keepIndexesOf during the load', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const indexes = await loadIntoEmptyTables(
        client,
        ['load_parent', 'load_child'],
        async () => (await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'load_child' ORDER BY 1`)).rows.map((row) => row.indexname),
        { keepIndexesOf: ['load_child'] },
      );
      assert.deepEqual(indexes, ['load_child_note_idx', 'load_child_note_key', 'load_child_parent_idx', 'load_child_pkey']);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
