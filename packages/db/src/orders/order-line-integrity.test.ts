import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { insertCategory } from '../catalog/categories.repo.js';
import { insertProduct, insertVariants } from '../catalog/products.repo.js';
import { hasPgCode, PG_ERROR } from '../errors.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { insertUser } from '../users/users.repo.js';

/** What the schema itself guarantees of an order line's product and variant, whoever writes it. */
describe('order line product and variant (schema)', () => {
  let db: TestDatabase;
  let sellerId: number;
  let orderId: number;
  const products: { id: number; variantId: number }[] = [];
  before(async () => {
    db = await createTestDatabase();
    sellerId = (await insertUser(db.pool, { email: 'seller@example.com', passwordHash: 'x', name: 'Seller', role: 'seller' })).id;
    const categoryId = (await insertCategory(db.pool, { slug: 'tops', name: 'Tops' })).id;
    for (const name of ['Tee', 'Shirt', 'Spare']) {
      const id = await insertProduct(db.pool, { sellerId, categoryId, name, description: `A ${name}.`, status: 'published' });
      await insertVariants(db.pool, id, [{ sku: `${name}-M`, size: 'M', colour: 'Navy', priceCents: 1000, stock: 5 }]);
      const variant = await db.pool.query<{ id: number }>('SELECT id FROM product_variants WHERE product_id = $1', [id]);
      products.push({ id, variantId: variant.rows[0]!.id });
    }
    const order = await db.pool.query<{ id: number }>(
      `INSERT INTO orders (user_id, status, subtotal_cents, total_cents) VALUES ($1, 'paid', 1000, 1000) RETURNING id`,
      [sellerId],
    );
    orderId = order.rows[0]!.id;
  });
  after(() => db.close());

  const insertLine = (productId: number, variantId: number) => db.pool.query(
    `INSERT INTO order_items (order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, product_name, size, colour)
     VALUES ($1, $2, $3, $4, 1, 1000, 'Tee', 'M', 'Navy')`,
    [orderId, productId, variantId, sellerId],
  );
  const refusedAsMissingParent = (error: unknown): boolean => hasPgCode(error, PG_ERROR.FOREIGN_KEY_VIOLATION);

  it('takes a line whose variant is a variant of its product', async () => {
    const [tee] = products;
    await insertLine(tee!.id, tee!.variantId);
    const { rows } = await db.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM order_items WHERE order_id = $1', [orderId]);
    assert.equal(rows[0]!.count, 1);
  });

  it('refuses a line naming one product and a variant of another', async () => {
    const [tee, shirt] = products;
    await assert.rejects(insertLine(tee!.id, shirt!.variantId), refusedAsMissingParent);
  });

  it('refuses a line naming a variant or a product that does not exist', async () => {
    const [tee] = products;
    await assert.rejects(insertLine(tee!.id, 999_999), refusedAsMissingParent);
    await assert.rejects(insertLine(999_999, tee!.variantId), refusedAsMissingParent);
  });

  it('refuses to delete a sold variant or a sold product, and deletes an unsold one', async () => {
    const [tee, , spare] = products;
    await assert.rejects(db.pool.query('DELETE FROM product_variants WHERE id = $1', [tee!.variantId]), refusedAsMissingParent);
    await assert.rejects(db.pool.query('DELETE FROM products WHERE id = $1', [tee!.id]), refusedAsMissingParent);
    await db.pool.query('DELETE FROM products WHERE id = $1', [spare!.id]);
    const { rows } = await db.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM product_variants WHERE product_id = $1', [spare!.id]);
    assert.equal(rows[0]!.count, 0);
  });
});
