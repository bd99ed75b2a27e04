import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { createPendingOrder, returnOrderStock, type CheckoutLine } from './orders.repo.js';

/**
 * A sale's stock decrement (and a cancellation's return) writes no index entry: stock and
 * updated_at are in no index of product_variants (migration 3700), so the update is HOT. Counted
 * with this transaction's own statistics, which are exact and need no wait for the stats flush.
 */
describe('stock updates at checkout', () => {
  let db: TestDatabase;
  let line: CheckoutLine;
  before(async () => {
    db = await createTestDatabase();
    const seller = await db.pool.query<{ id: number }>(`INSERT INTO users (email, name, role) VALUES ('seller@example.com', 'Seller', 'seller') RETURNING id`);
    const category = await db.pool.query<{ id: number }>(`INSERT INTO categories (slug, name) VALUES ('shirts', 'Shirts') RETURNING id`);
    const sellerId = seller.rows[0]?.id ?? 0;
    const product = await db.pool.query<{ id: number }>(`INSERT INTO products (seller_id, category_id, name, status) VALUES ($1, $2, 'Oxford Shirt', 'published') RETURNING id`, [
      sellerId,
      category.rows[0]?.id,
    ]);
    const productId = product.rows[0]?.id ?? 0;
    const variant = await db.pool.query<{ id: number }>(`INSERT INTO product_variants (product_id, sku, size, colour, price_cents, stock) VALUES ($1, 'OX-M-BLUE', 'M', 'Blue', 4000, 10) RETURNING id`, [productId]);
    line = { variantId: variant.rows[0]?.id ?? 0, productId, sellerId, productName: 'Oxford Shirt', productStatus: 'published', size: 'M', colour: 'Blue', unitPriceCents: 4000, quantity: 2, stock: 10 };
  });
  after(() => db.close());

  it('decrements and returns stock as HOT updates, keeping updated_at', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const created = await createPendingOrder(client, {
        userId: null,
        guest: { email: 'guest@example.com', tokenHash: randomBytes(32), sessionIdHash: randomBytes(32) },
        subtotalCents: 8000,
        shippingCents: 0,
        taxCents: 0,
        totalCents: 8000,
        currency: 'USD',
        idempotencyKey: null,
        shippingMethod: 'Standard',
        shipTo: { name: 'Guest', line1: '1 Main Street', line2: null, city: 'Austin', region: 'TX', postalCode: '73301', country: 'US', phone: null },
        taxLines: [],
        lines: [line],
        actorId: null,
      });
      assert.equal(created?.reserved, 1);
      const orderId = created?.order.id ?? 0;
      await returnOrderStock(client, orderId);
      const { rows } = await client.query<{ updated: string; hot: string; stock: number; is_touched: boolean }>(
        `SELECT pg_stat_get_xact_tuples_updated('product_variants'::regclass) AS updated,
                pg_stat_get_xact_tuples_hot_updated('product_variants'::regclass) AS hot,
                v.stock, v.updated_at = now() AS is_touched
           FROM product_variants v WHERE v.id = $1`,
        [line.variantId],
      );
      const row = rows[0];
      assert.ok(row);
      assert.equal(row.stock, 10, 'the returned units are back on the shelf');
      assert.equal(Number(row.updated), 2, 'one update to reserve, one to return');
      assert.equal(Number(row.hot), 2, 'both were HOT: no index entry written');
      assert.equal(row.is_touched, true, 'updated_at is still kept by the trigger');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});
