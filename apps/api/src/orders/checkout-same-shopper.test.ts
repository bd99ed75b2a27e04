import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { lockOrderForPayment, markOrderPaid } from '@threadline/db';

import { CHECKOUT, createCategory, createHarness, createProduct, errorOf, json, signedInClient, type Client, type Harness } from '../testing/harness.js';

/**
 * One shopper running two checkouts at once (two tabs; the soak benchmark's shared shoppers do it
 * too): the second order replaces the first, unpaid one, so paying the first is refused. This is
 * the answer the soak saw as INVALID_STATE_TRANSITION; it is the shop being right, and nothing is
 * charged twice or held twice.
 */
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' };

let harness: Harness;
before(async () => {
  harness = await createHarness();
});
after(async () => {
  await harness.close();
});

/** A product with two variants (10.00 and 20.00, 5 of each) and a signed-in customer. */
async function shopperWithTwoVariants(): Promise<{ first: number; second: number; client: Client; userId: number }> {
  const { client: seller } = await signedInClient(harness, 'seller');
  const category = await createCategory(harness);
  const product = await createProduct(seller, category.id, {
    variants: [
      { size: 'S', colour: 'Black', price: 1000, stock: 5 },
      { size: 'M', colour: 'Black', price: 2000, stock: 5 },
    ],
  });
  const [first, second] = product.variants.map((variant) => variant.id);
  assert.ok(first !== undefined && second !== undefined);
  const { client, userId } = await signedInClient(harness, 'customer');
  return { first, second, client, userId };
}

describe('two checkouts of one shopper at once', () => {
  it('the newer order replaces the unpaid older one: paying the older is a 409 naming the cancellation, the newer pays for everything once', async () => {
    const { first, second, client } = await shopperWithTwoVariants();

    // tab 1: adds a shirt and places its order; tab 2: adds another and places its order
    assert.equal((await client.post('/api/cart/items', { variantId: first, quantity: 1 })).statusCode, 200);
    const older = await client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'tab-1' } });
    assert.equal(older.statusCode, 201, older.body);
    assert.equal((await client.post('/api/cart/items', { variantId: second, quantity: 1 })).statusCode, 200);
    const newer = await client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'tab-2' } });
    assert.equal(newer.statusCode, 201, newer.body);
    const olderId = json<{ id: number }>(older).id;
    const newerOrder = json<{ id: number; items: { quantity: number }[]; subtotal: number }>(newer);
    assert.equal(newerOrder.items.length, 2, 'the newer order holds the whole cart');
    assert.equal(newerOrder.subtotal, 3000);

    // tab 1 now pays its order: refused, as the order was replaced (this is what the soak counted)
    const stale = await client.post(`/api/orders/${olderId}/pay`, { card: CARD }, { headers: { 'idempotency-key': 'pay-1' } });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.equal(errorOf(stale).code, 'INVALID_STATE_TRANSITION');
    assert.match(errorOf(stale).message, /cancelled/);
    // tab 2 pays its order
    const paid = await client.post(`/api/orders/${newerOrder.id}/pay`, { card: CARD }, { headers: { 'idempotency-key': 'pay-2' } });
    assert.equal(paid.statusCode, 200, paid.body);

    const { rows } = await harness.db.pool.query<{ id: number; status: string; payments: number; reason: string | null }>(
      `SELECT o.id, o.status::text AS status,
              (SELECT count(*)::integer FROM payments p WHERE p.order_id = o.id) AS payments,
              (SELECT e.reason FROM order_events e WHERE e.order_id = o.id AND e.to_status = 'cancelled') AS reason
         FROM orders o WHERE o.id = ANY($1::bigint[]) ORDER BY o.id`,
      [[olderId, newerOrder.id]],
    );
    assert.deepEqual(rows, [
      { id: olderId, status: 'cancelled', payments: 0, reason: 'replaced by a new checkout of the same cart' },
      { id: newerOrder.id, status: 'paid', payments: 1, reason: null },
    ]);
    // each unit held once: the replaced order gave its unit back
    const stock = await harness.db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = ANY($1::bigint[]) ORDER BY id', [[first, second]]);
    assert.deepEqual(stock.rows.map((row) => row.stock), [4, 4]);
  });

  it('a payment in flight for the older order holds the cart: the newer checkout waits for it, then orders only what the payment left in the cart', async () => {
    const { first, second, client, userId } = await shopperWithTwoVariants();
    assert.equal((await client.post('/api/cart/items', { variantId: first, quantity: 1 })).statusCode, 200);
    const older = await client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'race-1' } });
    assert.equal(older.statusCode, 201, older.body);
    const olderId = json<{ id: number }>(older).id;
    assert.equal((await client.post('/api/cart/items', { variantId: second, quantity: 1 })).statusCode, 200);

    // tab 1's payment, caught between its writes and its commit (as payOrder runs it)
    const paying = await harness.db.pool.connect();
    try {
      await paying.query('BEGIN');
      assert.ok(await lockOrderForPayment(paying, olderId));
      await markOrderPaid(paying, { orderId: olderId, from: 'pending', actorId: userId, reason: null, charge: null, mail: null });
      // tab 2 places its order meanwhile: it must wait for the payment, whatever it waits on
      const placing = client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'race-2' } });
      for (let tries = 0; tries < 200; tries += 1) {
        const waiting = await harness.db.pool.query<{ n: number }>(
          "SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        if ((waiting.rows[0]?.n ?? 0) > 0) break;
        await sleep(25);
      }
      await paying.query('COMMIT');
      const newer = await placing;
      assert.equal(newer.statusCode, 201, newer.body);
      const order = json<{ items: { productName: string; quantity: number }[]; subtotal: number }>(newer);
      // before the fix the newer order read the cart as it was before the payment, and bought the paid shirt again
      assert.equal(order.subtotal, 2000, `the newer order holds only the line added after the first: ${newer.body}`);
      assert.equal(order.items.length, 1);
    } finally {
      paying.release();
    }
    const stock = await harness.db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = ANY($1::bigint[]) ORDER BY id', [[first, second]]);
    assert.deepEqual(stock.rows.map((row) => row.stock), [4, 4], 'each unit is held once');
  });
});

