import type { PoolClient } from '../pool.js';
import { copyIntoStage, type StageValue } from './copy-stage.js';

/**
 * Set-based import of legacy reviews: COPY into staging, resolve every review to the order line it
 * is about in one statement, report the ones that cannot be placed (unknown SKU or product, an
 * order without such a line, a line that already has another review), then upsert the rest by
 * legacy id. Runs inside the caller's transaction.
 */

export interface StagedReview {
  rowNumber: number;
  legacyId: string;
  orderLegacyId: string;
  sku: string | null;
  productLegacyId: string | null;
  rating: number;
  title: string | null;
  body: string | null;
  createdAt: Date | null;
}

const STAGE = 'legacy_stage_reviews';
const RESOLVED = 'legacy_stage_reviews_resolved';
const STAGE_COLUMNS = ['row_number', 'legacy_id', 'order_legacy_id', 'sku', 'product_legacy_id', 'rating', 'title', 'body', 'created_at'] as const;

export interface ReviewFault {
  rowNumber: number;
  column: 'sku' | 'product_legacy_id' | 'order_legacy_id';
  reason: string;
}

/** Stages the reviews, places each on its order line, and returns those that cannot be placed. */
export async function stageReviews(client: PoolClient, reviews: readonly StagedReview[]): Promise<ReviewFault[]> {
  await client.query(`
    CREATE TEMP TABLE ${STAGE} (
      row_number int PRIMARY KEY, legacy_id text NOT NULL, order_legacy_id text NOT NULL, sku text, product_legacy_id text,
      rating smallint NOT NULL, title text, body text, created_at timestamptz
    ) ON COMMIT DROP`);
  await copyIntoStage(client, STAGE, STAGE_COLUMNS, reviews.map((review): StageValue[] => [
    review.rowNumber, review.legacyId, review.orderLegacyId, review.sku, review.productLegacyId, review.rating, review.title,
    review.body, review.createdAt,
  ]));
  await client.query(`
    CREATE TEMP TABLE ${RESOLVED} ON COMMIT DROP AS
    SELECT s.*, v.id AS variant_id, p.id AS ref_product_id, item.id AS order_item_id, item.product_id, item.user_id,
           taken.legacy_id AS taken_by, taken.id IS NOT NULL AS is_taken,
           -- two rows of the file about one line: the first keeps it
           min(s.row_number) OVER (PARTITION BY item.id) AS first_row
      FROM ${STAGE} s
      LEFT JOIN product_variants v ON s.sku IS NOT NULL AND v.sku = s.sku
      LEFT JOIN products p ON s.sku IS NULL AND s.product_legacy_id IS NOT NULL AND p.legacy_id = s.product_legacy_id
      LEFT JOIN LATERAL (
        SELECT i.id, i.product_id, o.user_id FROM orders o JOIN order_items i ON i.order_id = o.id
         WHERE o.legacy_id = s.order_legacy_id
           AND (s.sku IS NULL OR i.variant_id = v.id)
           AND (s.sku IS NOT NULL OR s.product_legacy_id IS NULL OR i.product_id = p.id)
         ORDER BY i.id LIMIT 1
      ) item ON (s.sku IS NULL OR v.id IS NOT NULL) AND (s.sku IS NOT NULL OR s.product_legacy_id IS NULL OR p.id IS NOT NULL)
      LEFT JOIN reviews taken ON taken.order_item_id = item.id`);
  const { rows } = await client.query<{ row_number: number; column: ReviewFault['column']; reason: string }>(`
    SELECT row_number, column_name AS column, reason FROM (
      SELECT row_number,
             CASE WHEN sku IS NOT NULL AND variant_id IS NULL THEN 'sku'
                  WHEN sku IS NULL AND product_legacy_id IS NOT NULL AND ref_product_id IS NULL THEN 'product_legacy_id'
                  WHEN order_item_id IS NULL OR (is_taken AND taken_by IS DISTINCT FROM legacy_id) OR row_number > first_row THEN 'order_legacy_id'
             END AS column_name,
             CASE WHEN sku IS NOT NULL AND variant_id IS NULL THEN 'unknown sku ' || sku
                  WHEN sku IS NULL AND product_legacy_id IS NOT NULL AND ref_product_id IS NULL THEN 'unknown product ' || product_legacy_id
                  WHEN order_item_id IS NULL THEN 'order ' || order_legacy_id || ' has no such line; only buyers review'
                  WHEN is_taken AND taken_by IS DISTINCT FROM legacy_id THEN 'this order line already has a review'
                  WHEN row_number > first_row THEN 'this order line already has a review (row ' || first_row || ')'
             END AS reason
        FROM ${RESOLVED}
    ) f WHERE column_name IS NOT NULL ORDER BY row_number`);
  return rows.map((row) => ({ rowNumber: row.row_number, column: row.column, reason: row.reason }));
}

/** Writes the staged reviews except `skipRows` (rejected); returns counts and the products touched. */
export async function writeStagedReviews(
  client: PoolClient,
  skipRows: readonly number[],
): Promise<{ created: number; updated: number; productIds: number[] }> {
  // the rejected rows as a set joined by hash (`= ANY(array)` would compare every row with every one);
  // a review that did not change is not rewritten, and counts as updated (matched)
  const { rows } = await client.query<{ created: number; matched: number; product_ids: string[] | null }>(
    `WITH kept AS (
       SELECT r.* FROM ${RESOLVED} r LEFT JOIN unnest($1::int[]) AS skip(row_number) USING (row_number)
        WHERE skip.row_number IS NULL
     ), written AS (
       INSERT INTO reviews (legacy_id, order_item_id, product_id, user_id, rating, title, body, created_at)
       SELECT legacy_id, order_item_id, product_id, user_id, rating, title, body, coalesce(created_at, now())
         FROM kept ORDER BY row_number
       ON CONFLICT (legacy_id) DO UPDATE
         SET order_item_id = EXCLUDED.order_item_id, product_id = EXCLUDED.product_id, user_id = EXCLUDED.user_id,
             rating = EXCLUDED.rating, title = EXCLUDED.title, body = EXCLUDED.body,
             -- now() is the transaction's start: a review the export gives no date keeps the date it has
             created_at = CASE WHEN EXCLUDED.created_at = now() THEN reviews.created_at ELSE EXCLUDED.created_at END
         WHERE (reviews.order_item_id, reviews.product_id, reviews.user_id, reviews.rating, reviews.title, reviews.body, reviews.created_at)
               IS DISTINCT FROM (EXCLUDED.order_item_id, EXCLUDED.product_id, EXCLUDED.user_id, EXCLUDED.rating, EXCLUDED.title,
                                 EXCLUDED.body, CASE WHEN EXCLUDED.created_at = now() THEN reviews.created_at ELSE EXCLUDED.created_at END)
       RETURNING (xmax = 0) AS is_new
     )
     SELECT (SELECT count(*) FROM written WHERE is_new)::int AS created, (SELECT count(*) FROM kept)::int AS matched,
            (SELECT array_agg(DISTINCT product_id) FROM kept) AS product_ids`,
    [skipRows],
  );
  const counts = rows[0]!; // an aggregate always yields one row
  return {
    created: counts.created,
    updated: counts.matched - counts.created,
    productIds: (counts.product_ids ?? []).map(Number),
  };
}
