import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { insertCategory } from '../catalog/categories.repo.js';
import { insertProduct, insertVariants } from '../catalog/products.repo.js';
import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { insertUser } from '../users/users.repo.js';
import { prepareBulkImport } from './legacy-import.repo.js';

describe('prepareBulkImport', () => {
  let db: TestDatabase;
  let productId: number;
  before(async () => {
    db = await createTestDatabase();
    const sellerId = (await insertUser(db.pool, { email: 'seller@example.com', passwordHash: 'x', name: 'Seller', role: 'seller' })).id;
    const categoryId = (await insertCategory(db.pool, { slug: 'tops', name: 'Tops' })).id;
    productId = await insertProduct(db.pool, { sellerId, categoryId, name: 'Tee', description: 'A tee.', status: 'published' });
  });
  after(() => db.close());

  const familyOf = async (sku: string): Promise<string | null> =>
    (await db.pool.query<{ colour_family: string | null }>('SELECT colour_family FROM product_variants WHERE sku = $1', [sku])).rows[0]!.colour_family;

  it('leaves the families an import looked up itself alone, for its own transaction only, with sorts in memory', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await prepareBulkImport(client);
      const { rows } = await client.query<{ work_mem: string }>('SHOW work_mem');
      assert.equal(rows[0]!.work_mem, '128MB');
      // the import inserts a colour with no known family as NULL, after colour_family_of said so:
      // the trigger does not look it up again (here a known colour shows that it really did not run)
      await client.query(`INSERT INTO product_variants (product_id, sku, size, colour, price_cents, stock, colour_family)
                          VALUES ($1, 'BULK-1', 'M', 'Navy', 1000, 1, NULL)`, [productId]);
      await client.query('COMMIT');
      const { rows: reverted } = await client.query<{ work_mem: string }>('SHOW work_mem');
      assert.equal(reverted[0]!.work_mem, '4MB');
    } finally {
      client.release();
    }
    assert.equal(await familyOf('BULK-1'), null);
    // any other insert, on the same connection after the import's commit or elsewhere, is looked up as before
    await insertVariants(db.pool, productId, [{ size: 'L', colour: 'Navy', priceCents: 1000, stock: 1 }]);
    const { rows } = await db.pool.query<{ colour_family: string | null }>(`SELECT colour_family FROM product_variants WHERE product_id = $1 AND size = 'L'`, [productId]);
    assert.equal(rows[0]!.colour_family, 'blue');
    const reused = await db.pool.connect();
    try {
      await reused.query(`INSERT INTO product_variants (product_id, sku, size, colour, price_cents, stock) VALUES ($1, 'PLAIN-1', 'S', 'Navy', 1000, 1)`, [productId]);
    } finally {
      reused.release();
    }
    assert.equal(await familyOf('PLAIN-1'), 'blue');
  });
});
