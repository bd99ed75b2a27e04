import type { Pool } from '@threadline/db';

/** Product ids of the shop, so demo page views point at real products (and join in analyses). */
export async function listDemoProductIds(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>('SELECT id::text AS id FROM products ORDER BY id');
  return rows.map((row) => row.id);
}
