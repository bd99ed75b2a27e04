import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { foldPendingUnitsSold } from '@threadline/db';
import { freePort } from '@threadline/db/testing';

import { CHECKOUT, createCategory, createHarness, createProduct, signedInClient, type Harness } from '../testing/harness.js';

const BUYERS = 200;
const STOCK = 50;
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' };

let harness: Harness;
let baseUrl: string;

before(async () => {
  harness = await createHarness();
  const port = await freePort();
  await harness.app.listen({ port, host: '127.0.0.1' });
  baseUrl = `http://127.0.0.1:${port}`;
});
after(async () => {
  await harness.close();
});

/** One buyer's checkout over real HTTP: place the order, then pay it. */
async function checkout(cookie: string, csrf: string, key: string): Promise<{ order: number; pay: number | null }> {
  const headers = { cookie: `tl_session=${cookie}`, 'x-csrf-token': csrf, 'idempotency-key': key, 'content-type': 'application/json' };
  const order = await fetch(`${baseUrl}/api/orders`, { method: 'POST', headers, body: JSON.stringify(CHECKOUT) });
  const body: unknown = await order.json();
  if (order.status !== 201) return { order: order.status, pay: null };
  const id = typeof body === 'object' && body !== null && 'id' in body ? Number(body.id) : NaN;
  const pay = await fetch(`${baseUrl}/api/orders/${id}/pay`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ card: CARD }),
  });
  await pay.arrayBuffer();
  return { order: order.status, pay: pay.status };
}

describe('checkout under concurrency', () => {
  it(`${BUYERS} simultaneous checkouts of one variant with stock ${STOCK}: exactly ${STOCK} paid orders, stock 0, never negative`, async () => {
    const { client: seller } = await signedInClient(harness, 'seller');
    const category = await createCategory(harness);
    const product = await createProduct(seller, category.id, { variants: [{ size: 'M', colour: 'Black', price: 1999, stock: STOCK }] });
    const variantId = product.variants[0]?.id;
    assert.ok(variantId);

    const buyers = [];
    for (let index = 0; index < BUYERS; index += 1) {
      const { client } = await signedInClient(harness, 'customer');
      const added = await client.post('/api/cart/items', { variantId, quantity: 1 });
      assert.equal(added.statusCode, 200);
      assert.ok(client.cookie && client.csrf);
      buyers.push({ cookie: client.cookie, csrf: client.csrf });
    }

    const results = await Promise.all(buyers.map((buyer, index) => checkout(buyer.cookie, buyer.csrf, `concurrent-${index}`)));

    const created = results.filter((result) => result.order === 201);
    const refused = results.filter((result) => result.order === 409);
    assert.equal(created.length, STOCK, `exactly as many orders as units (answers: ${JSON.stringify(results.map((result) => result.order))})`);
    assert.equal(refused.length, BUYERS - STOCK, 'everyone else gets 409 OUT_OF_STOCK');
    assert.ok(created.every((result) => result.pay === 200), 'every created order is paid');

    const { rows: stock } = await harness.db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = $1', [variantId]);
    assert.equal(stock[0]?.stock, 0);
    const { rows: paid } = await harness.db.pool.query<{ orders: number; units: number }>(
      `SELECT count(DISTINCT o.id)::int AS orders, coalesce(sum(oi.quantity), 0)::int AS units
         FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE oi.variant_id = $1 AND o.status = 'paid'`,
      [variantId],
    );
    assert.deepEqual(paid[0], { orders: STOCK, units: STOCK });
    await foldPendingUnitsSold(harness.db.pool); // the worker's pass: units sold reach the product
    const { rows: sold } = await harness.db.pool.query<{ units_sold: number }>('SELECT units_sold FROM products WHERE id = $1', [product.id]);
    assert.equal(sold[0]?.units_sold, STOCK);
  });

  it('the same Idempotency-Key sent twice at once over HTTP creates one order', async () => {
    const { client: seller } = await signedInClient(harness, 'seller');
    const category = await createCategory(harness);
    const product = await createProduct(seller, category.id, { variants: [{ size: 'S', colour: 'Red', price: 500, stock: 10 }] });
    const { client, userId } = await signedInClient(harness, 'customer');
    await client.post('/api/cart/items', { variantId: product.variants[0]?.id, quantity: 2 });
    assert.ok(client.cookie && client.csrf);
    const headers = { cookie: `tl_session=${client.cookie}`, 'x-csrf-token': client.csrf, 'idempotency-key': 'double-click', 'content-type': 'application/json' };
    const responses = await Promise.all([0, 1].map(() => fetch(`${baseUrl}/api/orders`, { method: 'POST', headers, body: JSON.stringify(CHECKOUT) })));
    assert.deepEqual(responses.map((response) => response.status), [201, 201]);
    const ids = await Promise.all(responses.map(async (response) => ((await response.json()) as { id: number }).id)); // shape fixed by the route schema
    assert.equal(ids[0], ids[1]);
    const { rows } = await harness.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE user_id = $1', [userId]);
    assert.equal(rows[0]?.n, 1);
    const { rows: stock } = await harness.db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = $1', [product.variants[0]?.id]);
    assert.equal(stock[0]?.stock, 8);
  });
});
