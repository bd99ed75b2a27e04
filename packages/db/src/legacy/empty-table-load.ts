import { hasPgCode, PG_ERROR } from '../errors.js';
import type { PoolClient } from '../pool.js';

/**
 * A bulk insert into tables that hold no rows yet (the first import of a shop moving in) without
 * per-row foreign-key checks and per-row index maintenance: with the tables locked, their
 * foreign keys and plain (non-unique) indexes are set aside, the rows inserted, then every index
 * rebuilt in one sort and every foreign key added back from its own definition — which checks
 * all rows in one set-based query instead of one trigger call per row. The schema after the load
 * is the one before it (same names, same definitions, every constraint checked again); unique
 * indexes, primary keys and checks stay in place throughout.
 *
 * Only taken when it is cheap and harmless: `tables` are locked NOWAIT (a shop that is reading or
 * writing them right now keeps the ordinary path) and must be empty, so re-checking the foreign
 * keys and rebuilding the indexes costs no more than the rows being loaded. The locks are held
 * until the caller's transaction ends, as a DDL statement's are. An index or key with a comment or
 * its own tablespace (which its definition does not carry) also keeps the ordinary path. Returns
 * undefined, having done nothing, when the ordinary path must be taken.
 *
 * `keepIndexesOf`: tables whose indexes stay in place during the load, because a statement of the
 * load (a trigger's lookup) needs them. `tables` are the repositories' own constants, never input.
 */
export async function loadIntoEmptyTables<T>(
  client: PoolClient,
  tables: readonly string[],
  load: () => Promise<T>,
  options: { keepIndexesOf?: readonly string[] } = {},
): Promise<T | undefined> {
  const giveUp = async (): Promise<undefined> => {
    // gives back the locks taken below: the ordinary path needs none of them
    await client.query('ROLLBACK TO SAVEPOINT empty_table_load');
    await client.query('RELEASE SAVEPOINT empty_table_load');
    return undefined;
  };
  await client.query('SAVEPOINT empty_table_load');
  try {
    await client.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS EXCLUSIVE MODE NOWAIT`);
  } catch (error) {
    // someone uses the tables right now; anything else is a real failure
    if (!hasPgCode(error, PG_ERROR.LOCK_NOT_AVAILABLE)) throw error;
    return giveUp();
  }
  const { rows: filled } = await client.query<{ has_rows: boolean }>(
    tables.map((table) => `SELECT EXISTS (SELECT 1 FROM ${table}) AS has_rows`).join(' UNION ALL '),
  );
  if (filled.some((row) => row.has_rows)) return giveUp();
  const { rows: aside } = await client.query<{ drop: string; restore: string; has_extras: boolean }>(
    `SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop,
            format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid)) AS restore,
            1 AS kind, c.conname AS name, obj_description(c.oid, 'pg_constraint') IS NOT NULL AS has_extras
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.conrelid = ANY($1::regclass[])
     UNION ALL
     SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid), 0, i.indexrelid::regclass::text,
            obj_description(i.indexrelid, 'pg_class') IS NOT NULL OR x.reltablespace <> 0
       FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
      WHERE i.indrelid = ANY($1::regclass[]) AND NOT (i.indrelid = ANY($2::regclass[])) AND NOT i.indisunique AND NOT i.indisexclusion AND i.indisvalid
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
     ORDER BY kind, name`,
    [tables, options.keepIndexesOf ?? []],
  );
  // a comment or a tablespace, which the definitions above would not carry back
  if (aside.some((item) => item.has_extras)) return giveUp();
  if (aside.length > 0) await client.query(aside.map((item) => item.drop).join(';\n'));
  const loaded = await load();
  // indexes first (kind 0), then the foreign keys, whose checks may use them
  for (const item of aside) await client.query(item.restore);
  await client.query('RELEASE SAVEPOINT empty_table_load');
  return loaded;
}
