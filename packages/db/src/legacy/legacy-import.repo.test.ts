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

  it('adds the words of every name and description a bulk insert of products brings, the same as joined per product', async () => {
    const { rows: ids } = await db.pool.query<{ seller_id: number; category_id: number }>('SELECT seller_id, category_id FROM products WHERE id = $1', [productId]);
    const { seller_id: sellerId, category_id: categoryId } = ids[0]!;
    const long = 'Supercalifragilisticexpialidociousnessesxyzabc'; // 46 letters: split in two runs by the word rule
    const products = [
      ['Zephyr anorak', 'Shared blurb'],
      ['Quokka fleece', 'Shared blurb'],
      [`Umber ${long}`, ''],
      ['Xo', `Tundra-proof ${long.toLowerCase()}`],
    ];
    await db.pool.query(
      `INSERT INTO products (seller_id, category_id, name, description, status)
       SELECT $1, $2, n, d, 'published' FROM unnest($3::text[], $4::text[]) AS t(n, d)`,
      [sellerId, categoryId, products.map(([name]) => name), products.map(([, description]) => description)],
    );
    const { rows } = await db.pool.query<{ missing: string[] | null }>(
      `SELECT array_agg(w ORDER BY w) AS missing
         FROM unnest($1::text[], $2::text[]) AS t(n, d), search_words_of(n || ' ' || d) AS w
        WHERE NOT EXISTS (SELECT 1 FROM search_words s WHERE s.word = w)`,
      [products.map(([name]) => name), products.map(([, description]) => description)],
    );
    assert.equal(rows[0]!.missing, null);
    const { rows: found } = await db.pool.query<{ word: string }>(
      `SELECT word FROM search_words WHERE word IN ('zephyr', 'quokka', 'blurb', 'umber', 'tundra', 'proof', 'xyzabc') ORDER BY word`,
    );
    assert.deepEqual(found.map((row) => row.word), ['blurb', 'proof', 'quokka', 'tundra', 'umber', 'xyzabc', 'zephyr']);
  });

  it('adds exactly the words search_words_of finds per text, also when a statement brings more texts than one batch', async () => {
    const { rows: ids } = await db.pool.query<{ seller_id: number; category_id: number }>('SELECT seller_id, category_id FROM products WHERE id = $1', [productId]);
    const { seller_id: sellerId, category_id: categoryId } = ids[0]!;
    // 1,300 distinct names (three batches), runs longer than 40 letters, accents, digits, punctuation
    // and runs too short to count, at the start and end of texts: every word starts with "zq"
    const names = Array.from({ length: 1_300 }, (_, index) => {
      const letters = [...String(index)].map((digit) => 'abcdefghij'[Number(digit)]).join('');
      return `zq${letters}é-zqx ${index % 7 === 0 ? `zq${'l'.repeat(45)}${letters}` : 'zq 42'} zqend${letters}`;
    });
    const descriptions = names.map((_, index) => (index % 2 === 0 ? 'ZQShared, blurb.' : `Zqdesc${index % 11}zq`));
    await db.pool.query(
      `INSERT INTO products (seller_id, category_id, name, description, status)
       SELECT $1, $2, n, d, 'published' FROM unnest($3::text[], $4::text[]) AS t(n, d)`,
      [sellerId, categoryId, names, descriptions],
    );
    const { rows } = await db.pool.query<{ expected: string[]; actual: string[] }>(
      `SELECT (SELECT array_agg(DISTINCT w ORDER BY w) FROM unnest($1::text[], $2::text[]) AS t(n, d), search_words_of(n || ' ' || d) AS w
                WHERE w LIKE 'zq%') AS expected,
              (SELECT array_agg(word ORDER BY word) FROM search_words WHERE word LIKE 'zq%') AS actual`,
      [names, descriptions],
    );
    assert.ok(rows[0]!.expected.length > 2_600);
    assert.deepEqual(rows[0]!.actual, rows[0]!.expected);
  });
});
