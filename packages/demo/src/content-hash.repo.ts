import { createHash } from 'node:crypto';

import type { Queryable } from '@threadline/db';

import { SEEDED_TABLES } from './seed.repo.js';

/**
 * A SHA-256 over every row of the shop tables, in id order. Two databases seeded with the same seed
 * number and the same end time hash the same. Left out: password hashes (argon2id salts them
 * randomly) and `updated_at`, which is bookkeeping kept by triggers (e.g. the listing migration
 * refreshes products.min_price_cents when variants are inserted, stamping the load time).
 */
export async function hashShopContent(db: Queryable): Promise<string> {
  const digest = createHash('sha256');
  for (const table of SEEDED_TABLES) {
    // table names come from the constant list, never from input
    const { rows } = await db.query<{ hash: string | null; count: number }>(
      `SELECT md5(string_agg((to_jsonb(t) - 'password_hash' - 'updated_at')::text, E'\\n' ORDER BY t.id)) AS hash, count(*)::int AS count FROM ${table} t`,
    );
    digest.update(`${table}:${rows[0]?.count ?? 0}:${rows[0]?.hash ?? ''}\n`);
  }
  return digest.digest('hex');
}
