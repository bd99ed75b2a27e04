import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { from as copyFrom } from 'pg-copy-streams';

import type { PoolClient, Queryable } from '@threadline/db';

/** The shop tables the seed writes, in foreign-key order. */
export const SEEDED_TABLES = [
  'users',
  'addresses',
  'categories',
  'products',
  'product_variants',
  'product_images',
  'orders',
  'order_items',
  'order_events',
  'payments',
  'reviews',
] as const;
export type SeededTable = (typeof SEEDED_TABLES)[number];

/** Key of the marker row in app_meta that says demo data was loaded. */
export const SEED_META_KEY = 'seed';

export type CopyValue = string | number | boolean | Date | null;

/** One value in PostgreSQL's COPY text format. */
function copyText(value: CopyValue): string {
  if (value === null) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (char) => (char === '\\' ? '\\\\' : char === '\t' ? '\\t' : char === '\n' ? '\\n' : '\\r'));
}

/**
 * Bulk-loads rows with `COPY … FROM STDIN`: one round trip per ~256 KB instead of one per row.
 * Identity columns take the given ids (COPY writes them like OVERRIDING SYSTEM VALUE).
 */
export async function copyRows(client: PoolClient, table: SeededTable, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<number> {
  let count = 0;
  function* chunks(): Generator<string> {
    let buffer = '';
    for (const row of rows) {
      buffer += `${row.map(copyText).join('\t')}\n`;
      count += 1;
      if (buffer.length > 262_144) {
        yield buffer;
        buffer = '';
      }
    }
    if (buffer) yield buffer;
  }
  // table and column names come from the constants above, never from input
  const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks()), stream);
  return count;
}

/** Highest id in each seeded table, so generated ids continue after existing rows. */
export async function readIdBases(db: Queryable): Promise<Record<SeededTable, number>> {
  const parts = SEEDED_TABLES.filter((table) => table !== 'categories').map((table) => `(SELECT coalesce(max(id), 0) FROM ${table}) AS ${table}`);
  const { rows } = await db.query<Record<string, number>>(`SELECT ${parts.join(', ')}`);
  const row = rows[0] ?? {};
  return Object.fromEntries(SEEDED_TABLES.map((table) => [table, Number(row[table] ?? 0)])) as Record<SeededTable, number>; // one key per table
}

/** Moves each identity sequence past the ids the seed wrote. */
export async function syncIdentitySequences(db: Queryable): Promise<void> {
  for (const table of SEEDED_TABLES) {
    await db.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), max(id)) FROM ${table} HAVING max(id) IS NOT NULL`);
  }
}

/** Serialises concurrent seeds (two `npm start` at once): held until the transaction ends. */
export async function lockSeed(db: Queryable): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('threadline:seed'))`);
}

export interface SeedMarker {
  seed: number;
  counts: Record<string, number>;
  generatedAt: string;
  [key: string]: unknown;
}

export async function readSeedMarker(db: Queryable): Promise<SeedMarker | undefined> {
  const { rows } = await db.query<{ value: SeedMarker }>(`SELECT value FROM app_meta WHERE key = $1`, [SEED_META_KEY]);
  return rows[0]?.value;
}

export async function writeSeedMarker(db: Queryable, marker: SeedMarker): Promise<void> {
  await db.query(
    `INSERT INTO app_meta (key, value, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [SEED_META_KEY, JSON.stringify(marker)],
  );
}

/** True when the shop holds no catalogue and no orders (a fresh database). */
export async function isShopEmpty(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ has_data: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM products) OR EXISTS (SELECT 1 FROM orders) AS has_data`,
  );
  return rows[0]?.has_data === false;
}

/**
 * Empties every shop table (and, through CASCADE, the tables that reference them) and restarts
 * the ids, so a reseed reproduces the same rows. Destroys all shop data: demo use only.
 */
export async function resetShop(db: Queryable): Promise<void> {
  await db.query(`TRUNCATE ${SEEDED_TABLES.join(', ')}, sessions, carts, cart_items, idempotency_keys, payment_webhook_events RESTART IDENTITY CASCADE`);
  await db.query(`DELETE FROM app_meta WHERE key = $1`, [SEED_META_KEY]);
}

/** Creates the categories by slug (keeping any that exist) and returns their ids by slug. */
export async function upsertCategories(db: Queryable, categories: readonly { slug: string; name: string; createdAt: Date }[]): Promise<Map<string, number>> {
  const { rows } = await db.query<{ id: number; slug: string }>(
    `INSERT INTO categories (slug, name, created_at, updated_at)
     SELECT slug, name, created_at, created_at FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS c(slug, name, created_at)
     ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name
     RETURNING id, slug`,
    [categories.map((c) => c.slug), categories.map((c) => c.name), categories.map((c) => c.createdAt)],
  );
  return new Map(rows.map((row) => [row.slug, row.id]));
}

/** Recomputes the planner statistics after a bulk load, so the first queries get good plans. */
export async function analyseSeededTables(db: Queryable): Promise<void> {
  await db.query(`ANALYZE ${SEEDED_TABLES.join(', ')}`);
}
