import type { PoolClient } from '../pool.js';
import { copyIntoStage, type StageValue } from './copy-stage.js';
import { ensureLegacySeller } from './legacy-import.repo.js';

/**
 * Set-based import of a legacy product export (one row per variant): the parsed rows are COPYed
 * into a staging table; rows whose references fail (unknown seller, a SKU another product owns)
 * are reported and dropped with their product; then categories, products, name history and
 * variants are upserted with a handful of statements. Runs inside the caller's transaction.
 */

/** One variant row as staged; the product fields are the same on every row of a product. */
export interface StagedProductRow {
  rowNumber: number;
  legacyId: string;
  name: string;
  categorySlug: string;
  categoryName: string;
  description: string;
  sellerEmail: string | null;
  sku: string;
  size: string;
  colour: string;
  priceCents: number;
  stock: number;
  createdAt: Date | null;
}

const STAGE = 'legacy_stage_products';
const STAGE_COLUMNS = [
  'row_number', 'legacy_id', 'name', 'category_slug', 'category_name', 'description', 'seller_email', 'sku', 'size',
  'colour', 'price_cents', 'stock', 'created_at',
] as const;

/** one row per product: its first row's fields (its rows agree on them) and its cheapest variant */
const FIRSTS = 'legacy_stage_product_firsts';

/**
 * Creates the staging tables (dropped at commit or rollback) and COPYs the rows in, with one row
 * per product made here in one pass (its first row, its cheapest price), so the upserts read that
 * small table instead of sorting every variant row by product.
 */
export async function stageProducts(client: PoolClient, rows: readonly StagedProductRow[]): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE ${STAGE} (
      row_number int PRIMARY KEY, legacy_id text NOT NULL, name text NOT NULL, category_slug text NOT NULL,
      category_name text NOT NULL, description text NOT NULL, seller_email text, sku text NOT NULL, size text NOT NULL,
      colour text NOT NULL, price_cents int NOT NULL, stock int NOT NULL, created_at timestamptz
    ) ON COMMIT DROP;
    CREATE TEMP TABLE ${FIRSTS} (
      legacy_id text PRIMARY KEY, first_row int NOT NULL, name text NOT NULL, category_slug text NOT NULL, category_name text NOT NULL,
      description text NOT NULL, seller_email text, created_at timestamptz, min_price_cents int NOT NULL
    ) ON COMMIT DROP`);
  const firsts = new Map<string, { first: StagedProductRow; minPriceCents: number }>();
  for (const row of rows) {
    const seen = firsts.get(row.legacyId);
    if (seen === undefined) firsts.set(row.legacyId, { first: row, minPriceCents: row.priceCents });
    else {
      if (row.rowNumber < seen.first.rowNumber) seen.first = row;
      seen.minPriceCents = Math.min(seen.minPriceCents, row.priceCents);
    }
  }
  await copyIntoStage(client, STAGE, STAGE_COLUMNS, rows.map((row): StageValue[] => [
    row.rowNumber, row.legacyId, row.name, row.categorySlug, row.categoryName, row.description, row.sellerEmail, row.sku,
    row.size, row.colour, row.priceCents, row.stock, row.createdAt,
  ]), { analysed: ['row_number', 'legacy_id', 'sku', 'seller_email', 'colour'] });
  await copyIntoStage(
    client, FIRSTS,
    ['legacy_id', 'first_row', 'name', 'category_slug', 'category_name', 'description', 'seller_email', 'created_at', 'min_price_cents'],
    [...firsts.values()].map(({ first, minPriceCents }): StageValue[] => [
      first.legacyId, first.rowNumber, first.name, first.categorySlug, first.categoryName, first.description, first.sellerEmail,
      first.createdAt, minPriceCents,
    ]),
    { analysed: ['legacy_id', 'category_slug', 'seller_email'] },
  );
}

export interface ProductFault {
  rowNumber: number;
  legacyId: string;
  column: 'seller_email' | 'sku';
  reason: string;
}

/**
 * Rows whose references fail: a seller e-mail with no seller account, or a SKU that belongs to a
 * product of another legacy id or to one of the shop's own products (never moved silently).
 */
export async function findProductFaults(client: PoolClient): Promise<ProductFault[]> {
  const { rows } = await client.query<{ row_number: number; legacy_id: string; column: 'seller_email' | 'sku'; reason: string }>(`
    SELECT s.row_number, s.legacy_id, 'seller_email' AS column, 'no seller account ' || s.seller_email AS reason
      FROM ${STAGE} s
     WHERE s.seller_email IS NOT NULL AND NOT EXISTS (
       SELECT 1 FROM users u WHERE lower(u.email) = lower(s.seller_email) AND u.role IN ('seller', 'admin') AND u.deleted_at IS NULL)
    UNION ALL
    SELECT s.row_number, s.legacy_id, 'sku', 'sku ' || s.sku || ' belongs to ' ||
           CASE WHEN p.legacy_id IS NULL THEN 'the shop''s product ' || p.id ELSE 'product ' || p.legacy_id END
      FROM ${STAGE} s JOIN product_variants v ON v.sku = s.sku JOIN products p ON p.id = v.product_id
     WHERE p.legacy_id IS DISTINCT FROM s.legacy_id
     ORDER BY 1`);
  return rows.map((row) => ({ rowNumber: row.row_number, legacyId: row.legacy_id, column: row.column, reason: row.reason }));
}

/** Drops whole products from staging (one bad variant row rejects its product's rows). */
export async function dropStagedProducts(client: PoolClient, legacyIds: readonly string[]): Promise<void> {
  if (legacyIds.length > 0) {
    await client.query(`DELETE FROM ${STAGE} WHERE legacy_id = ANY($1)`, [legacyIds]);
    await client.query(`DELETE FROM ${FIRSTS} WHERE legacy_id = ANY($1)`, [legacyIds]);
  }
}

/**
 * Upserts categories, products (a rename keeps the earlier name in product_name_history) and
 * variants (by SKU) from staging. Returns the products created and updated, and their ids.
 */
export async function writeStagedProducts(client: PoolClient): Promise<{ created: number; updated: number; productIds: number[] }> {
  const { rows: needsLegacySeller } = await client.query<{ is_needed: boolean }>(`SELECT bool_or(seller_email IS NULL) AS is_needed FROM ${FIRSTS}`);
  const legacySellerId = needsLegacySeller[0]?.is_needed ? await ensureLegacySeller(client) : null;
  await client.query(`
    INSERT INTO categories (slug, name)
    SELECT DISTINCT ON (category_slug) category_slug, category_name FROM ${FIRSTS} ORDER BY category_slug, first_row
    ON CONFLICT (slug) DO NOTHING`);
  await client.query(`
    CREATE TEMP TABLE legacy_stage_product_heads ON COMMIT DROP AS
    SELECT f.legacy_id, f.name, f.description, f.created_at, c.id AS category_id, coalesce(seller.id, $1::bigint) AS seller_id,
           f.min_price_cents
      FROM ${FIRSTS} f
      JOIN categories c ON c.slug = f.category_slug
      LEFT JOIN LATERAL (
        SELECT u.id FROM users u
         WHERE f.seller_email IS NOT NULL AND lower(u.email) = lower(f.seller_email) AND u.role IN ('seller', 'admin') AND u.deleted_at IS NULL
         ORDER BY u.id LIMIT 1) seller ON true`, [legacySellerId]);
  await client.query('ANALYZE legacy_stage_product_heads');
  // a rename through a re-import keeps the earlier name listed, never silently replaced
  await client.query(`
    INSERT INTO product_name_history (product_id, name, first_seen, last_seen)
    SELECT p.id, p.name, p.created_at, now()
      FROM products p JOIN legacy_stage_product_heads h ON h.legacy_id = p.legacy_id AND p.name <> h.name
    ON CONFLICT (product_id, name) DO UPDATE SET last_seen = EXCLUDED.last_seen`);
  await client.query('CREATE TEMP TABLE legacy_stage_product_ids (id bigint PRIMARY KEY, legacy_id text NOT NULL UNIQUE, is_new boolean NOT NULL) ON COMMIT DROP');
  // a product that did not change is not rewritten (each rewrite also rewrites its search entries);
  // a new product carries its cheapest price already, so its variants' insert leaves it alone
  await client.query(`
    WITH upserted AS (
      INSERT INTO products (legacy_id, seller_id, category_id, name, description, status, published_at, created_at, min_price_cents)
      SELECT legacy_id, seller_id, category_id, name, description, 'published', coalesce(created_at, now()), coalesce(created_at, now()),
             min_price_cents
        FROM legacy_stage_product_heads ORDER BY legacy_id
      ON CONFLICT (legacy_id) DO UPDATE
        SET seller_id = EXCLUDED.seller_id, category_id = EXCLUDED.category_id,
            name = EXCLUDED.name, description = EXCLUDED.description
        WHERE (products.seller_id, products.category_id, products.name, products.description)
              IS DISTINCT FROM (EXCLUDED.seller_id, EXCLUDED.category_id, EXCLUDED.name, EXCLUDED.description)
      RETURNING id, legacy_id, (xmax = 0) AS is_new
    ) INSERT INTO legacy_stage_product_ids (id, legacy_id, is_new) SELECT id, legacy_id, is_new FROM upserted`);
  // the products that were already there as imported (unchanged, so not returned above)
  await client.query(`
    INSERT INTO legacy_stage_product_ids (id, legacy_id, is_new)
    SELECT p.id, p.legacy_id, false FROM products p JOIN legacy_stage_product_heads h USING (legacy_id)
    ON CONFLICT DO NOTHING`);
  // a re-import with the creation date mapped corrects it (earlier imports may have used today)
  await client.query(`
    UPDATE products p SET created_at = h.created_at, published_at = h.created_at
      FROM legacy_stage_product_heads h
     WHERE h.created_at IS NOT NULL AND p.legacy_id = h.legacy_id AND p.created_at IS DISTINCT FROM h.created_at`);
  // variants already there are updated only when they changed; the others are inserted with their
  // colour family looked up once per distinct colour, not once per row
  await client.query(`
    UPDATE product_variants v
       SET product_id = p.id, size = s.size, colour = s.colour, price_cents = s.price_cents, stock = s.stock
      FROM ${STAGE} s JOIN legacy_stage_product_ids p USING (legacy_id)
     WHERE v.sku = s.sku
       AND (v.product_id, v.size, v.colour, v.price_cents, v.stock) IS DISTINCT FROM (p.id, s.size, s.colour, s.price_cents, s.stock)`);
  await client.query(`
    -- MATERIALIZED: inlined, the subquery's colour_family_of(colour) ran once per joined row, not per colour
    WITH families AS MATERIALIZED (
      SELECT colour, colour_family_of(colour) AS family FROM (SELECT DISTINCT colour FROM ${STAGE}) c
    )
    INSERT INTO product_variants (product_id, sku, size, colour, price_cents, stock, colour_family)
    SELECT p.id, s.sku, s.size, s.colour, s.price_cents, s.stock, f.family
      FROM ${STAGE} s JOIN legacy_stage_product_ids p USING (legacy_id) JOIN families f USING (colour)
     WHERE NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.sku = s.sku)
     ORDER BY s.row_number
    ON CONFLICT (sku) DO UPDATE
      SET product_id = EXCLUDED.product_id, size = EXCLUDED.size, colour = EXCLUDED.colour,
          price_cents = EXCLUDED.price_cents, stock = EXCLUDED.stock`);
  const { rows } = await client.query<{ id: string; is_new: boolean }>('SELECT id, is_new FROM legacy_stage_product_ids');
  return {
    created: rows.filter((row) => row.is_new).length,
    updated: rows.filter((row) => !row.is_new).length,
    productIds: rows.map((row) => Number(row.id)),
  };
}
