import type { Queryable } from '../pool.js';

export interface CategoryRecord {
  id: number;
  slug: string;
  name: string;
  parentId: number | null;
}

export async function listCategories(db: Queryable): Promise<CategoryRecord[]> {
  const { rows } = await db.query<{ id: number; slug: string; name: string; parent_id: number | null }>(
    'SELECT id, slug, name, parent_id FROM categories ORDER BY parent_id NULLS FIRST, name',
  );
  return rows.map((row) => ({ id: row.id, slug: row.slug, name: row.name, parentId: row.parent_id }));
}

export async function findCategory(db: Queryable, ref: { id?: number | undefined; slug?: string | undefined }): Promise<CategoryRecord | null> {
  const { rows } = await db.query<{ id: number; slug: string; name: string; parent_id: number | null }>(
    'SELECT id, slug, name, parent_id FROM categories WHERE id = $1 OR slug = $2',
    [ref.id ?? null, ref.slug ?? null],
  );
  const row = rows[0];
  return row ? { id: row.id, slug: row.slug, name: row.name, parentId: row.parent_id } : null;
}

export async function insertCategory(db: Queryable, category: { slug: string; name: string; parentId?: number | null }): Promise<CategoryRecord> {
  const { rows } = await db.query<{ id: number }>('INSERT INTO categories (slug, name, parent_id) VALUES ($1, $2, $3) RETURNING id', [
    category.slug,
    category.name,
    category.parentId ?? null,
  ]);
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('INSERT … RETURNING returned no row');
  return { id, slug: category.slug, name: category.name, parentId: category.parentId ?? null };
}
