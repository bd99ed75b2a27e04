import type { Queryable } from '../pool.js';

export interface ReviewRecord {
  id: number;
  productId: number;
  orderItemId: number;
  rating: number;
  title: string | null;
  body: string | null;
  authorName: string;
  createdAt: Date;
}

/**
 * An order line of this product that the user bought (order paid, shipped or delivered) and
 * has not reviewed yet; with `orderItemId`, exactly that line. Null when there is none.
 */
export async function findReviewableOrderItem(db: Queryable, userId: number, productId: number, orderItemId?: number): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(
    `SELECT oi.id FROM order_items oi JOIN orders o ON o.id = oi.order_id
      WHERE o.user_id = $1 AND oi.product_id = $2 AND o.status IN ('paid', 'shipped', 'delivered')
        AND ($3::bigint IS NULL OR oi.id = $3)
        AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.order_item_id = oi.id)
      ORDER BY oi.id LIMIT 1`,
    [userId, productId, orderItemId ?? null],
  );
  return rows[0]?.id ?? null;
}

/** True when the user bought this product in a completed order (reviewed or not). */
export async function hasBought(db: Queryable, userId: number, productId: number): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM order_items oi JOIN orders o ON o.id = oi.order_id
      WHERE o.user_id = $1 AND oi.product_id = $2 AND o.status IN ('paid', 'shipped', 'delivered') LIMIT 1`,
    [userId, productId],
  );
  return rows.length > 0;
}

/** Inserts a review and updates the product's rating counters in the same statement batch (call in a transaction). */
export async function insertReview(
  db: Queryable,
  review: { orderItemId: number; productId: number; userId: number; rating: number; title: string | null; body: string | null },
): Promise<{ id: number; createdAt: Date }> {
  const { rows } = await db.query<{ id: number; created_at: Date }>(
    `INSERT INTO reviews (order_item_id, product_id, user_id, rating, title, body) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING id, created_at`,
    [review.orderItemId, review.productId, review.userId, review.rating, review.title, review.body],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  await db.query('UPDATE products SET rating_count = rating_count + 1, rating_sum = rating_sum + $2 WHERE id = $1', [review.productId, review.rating]);
  return { id: row.id, createdAt: row.created_at };
}

/** A product's reviews, newest first, keyset-paged. */
export async function listReviews(
  db: Queryable,
  productId: number,
  page: { after?: [string, number] | undefined; limit: number },
): Promise<{ reviews: (ReviewRecord & { createdKey: string })[]; hasMore: boolean }> {
  const params: unknown[] = [productId];
  let cursor = '';
  if (page.after) {
    params.push(page.after[0], page.after[1]);
    cursor = 'AND (r.created_at, r.id) < ($2::timestamptz, $3)';
  }
  params.push(page.limit + 1);
  const { rows } = await db.query<{
    id: number;
    product_id: number;
    order_item_id: number;
    rating: number;
    title: string | null;
    body: string | null;
    author_name: string | null;
    created_at: Date;
    created_key: string;
  }>(
    `SELECT r.id, r.product_id, r.order_item_id, r.rating, r.title, r.body, u.name AS author_name, r.created_at, r.created_at::text AS created_key
       FROM reviews r LEFT JOIN users u ON u.id = r.user_id
      WHERE r.product_id = $1 ${cursor}
      ORDER BY r.created_at DESC, r.id DESC LIMIT $${params.length}`,
    params,
  );
  return {
    reviews: rows.slice(0, page.limit).map((row) => ({
      id: row.id,
      productId: row.product_id,
      orderItemId: row.order_item_id,
      rating: row.rating,
      title: row.title,
      body: row.body,
      authorName: row.author_name ?? 'former customer',
      createdAt: row.created_at,
      createdKey: row.created_key,
    })),
    hasMore: rows.length > page.limit,
  };
}
