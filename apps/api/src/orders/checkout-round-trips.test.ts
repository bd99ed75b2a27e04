import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { foldPendingUnitsSold, type PoolClient } from '@threadline/db';

import { CHECKOUT, createCategory, createHarness, createProduct, json, signedInClient, type Harness } from '../testing/harness.js';

/**
 * Round trips to PostgreSQL per step of a paid order, counted on the pool's connections. Each
 * statement is one network round trip made while the order's locks are held: the checkout
 * benchmark's throughput follows these counts, so they are held here (a count, not a timing).
 */
const CARD = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' };

let harness: Harness;
const statements: string[] = [];
const counted = new WeakSet<PoolClient>();

before(async () => {
  harness = await createHarness();
  harness.db.pool.on('acquire', (client: PoolClient) => {
    if (counted.has(client)) return;
    counted.add(client);
    const query = client.query.bind(client);
    // a probe around the real query method: every statement still runs against PostgreSQL
    client.query = ((...args: Parameters<typeof query>) => {
      const first: unknown = args[0];
      statements.push(typeof first === 'string' ? first : typeof first === 'object' && first !== null && 'text' in first ? String(first.text) : '?');
      return query(...args);
    }) as typeof client.query; // same signature as the method it wraps
  });
});
after(async () => {
  await harness.close();
});

async function counting<T>(step: () => Promise<T>): Promise<{ result: T; count: number; texts: string[] }> {
  statements.length = 0;
  const result = await step();
  const texts = [...statements];
  return { result, count: texts.length, texts };
}

describe('round trips per paid order', () => {
  it('adding to the cart takes at most 2 statements (1 once the session is read), placing an order 4 and paying it 3 (once the connection prepared them), with every effect kept', async () => {
    const { client: seller } = await signedInClient(harness, 'seller');
    const category = await createCategory(harness);
    const product = await createProduct(seller, category.id, { variants: [{ size: 'M', colour: 'Black', price: 1999, stock: 20 }] });
    const variantId = product.variants[0]?.id;
    assert.ok(variantId);
    const { client } = await signedInClient(harness, 'customer');
    // the first add creates the cart, the second adds to the line: both one write (one commit)
    const firstAdd = await counting(() => client.post('/api/cart/items', { variantId, quantity: 1 }));
    assert.equal(firstAdd.result.statusCode, 200, firstAdd.result.body);
    const added = await counting(() => client.post('/api/cart/items', { variantId, quantity: 1 }));
    assert.equal(added.result.statusCode, 200, added.result.body);
    assert.equal(json<{ count: number; items: { quantity: number }[] }>(added.result).items[0]?.quantity, 2);
    // 7 before: the session, the cart upserted, the line's quantity, the variant, the line
    // written, the cart id and its lines read again (two commits); the session is read by the
    // first request only, later ones within THREADLINE_SESSION_CACHE_MS reuse it; the variant
    // check, the line written and the cart read back are one statement (3 before: the variant and
    // its quantity in the cart were read first, in a transaction of their own)
    assert.ok(firstAdd.count <= 2, `adding to the cart took ${firstAdd.count} statements:\n${firstAdd.texts.join('\n')}`);
    assert.ok(added.count <= 1, `adding to the cart again took ${added.count} statements:\n${added.texts.join('\n')}`);

    const placed = await counting(() => client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'rt-1' } }));
    assert.equal(placed.result.statusCode, 201, placed.result.body);
    const order = json<{ id: number; total: number; items: unknown[]; taxLines: unknown[] }>(placed.result);
    assert.equal(order.items.length, 1);
    assert.ok(order.taxLines.length > 0);
    const paid = await counting(() => client.post(`/api/orders/${order.id}/pay`, { card: CARD }, { headers: { 'idempotency-key': 'rt-pay-1' } }));
    assert.equal(paid.result.statusCode, 200, paid.result.body);

    // 30 before (15 + 15): rates read in two statements, five inserts, the idempotency, earlier-order
    // and line reads one by one, the order read again after each commit, the mail's two reads;
    // 6 until the rates of the ship-to place were read with the locked lines; 5 until BEGIN and the
    // cart lock went in one round trip (BEGIN with the cart lock, state with rates, order, COMMIT)
    // a connection prepares the statement that opens a checkout or a payment once (SQL PREPARE): not counted
    const steady = (texts: string[]): string[] => texts.filter((text) => !text.startsWith('PREPARE '));
    assert.ok(steady(placed.texts).length <= 4, `placing took ${placed.count} round trips:\n${placed.texts.join('\n')}`);
    assert.match(steady(placed.texts)[0] ?? '', /^BEGIN ISOLATION LEVEL READ COMMITTED; EXECUTE checkout_lock_user_cart \(\d+\)$/);
    // 4 until BEGIN and the order lock went in one round trip (BEGIN with the cart and order locked
    // and the order read, the payment with its effects, COMMIT)
    assert.ok(steady(paid.texts).length <= 3, `paying took ${paid.count} round trips:\n${paid.texts.join('\n')}`);
    assert.match(steady(paid.texts)[0] ?? '', /^BEGIN ISOLATION LEVEL READ COMMITTED; EXECUTE payment_lock_order \(\d+\)$/);
    assert.ok(placed.count + paid.count <= 9, 'at most one PREPARE each, once per connection');
    for (const step of [added, placed, paid]) assert.ok(!step.texts.some((text) => /FROM sessions/.test(text)), 'the session was read once, by the first request');

    // the payment locked no product row: its units reach units_sold when the worker folds them
    const unfolded = await harness.db.pool.query<{ units_sold: number }>('SELECT units_sold FROM products WHERE id = $1', [product.id]);
    assert.equal(unfolded.rows[0]?.units_sold, 0);
    assert.equal(await foldPendingUnitsSold(harness.db.pool), 1);
    assert.equal(await foldPendingUnitsSold(harness.db.pool), 0, 'a second fold finds nothing left');

    // every effect of the paid order is still there
    const { rows } = await harness.db.pool.query<{ status: string; stock: number; units_sold: number; events: string; payments: number; mails: number; cart: number; line_total_cents: number }>(
      `SELECT o.status, v.stock, p.units_sold, oi.line_total_cents,
              (SELECT string_agg(coalesce(from_status::text, '-') || '>' || to_status::text, ',' ORDER BY id) FROM order_events WHERE order_id = o.id) AS events,
              (SELECT count(*)::integer FROM payments WHERE order_id = o.id AND status = 'succeeded' AND idempotency_key = 'rt-pay-1') AS payments,
              (SELECT count(*)::integer FROM outbox WHERE order_id = o.id AND template = 'order_confirmation') AS mails,
              (SELECT count(*)::integer FROM cart_items ci JOIN carts c ON c.id = ci.cart_id WHERE c.user_id = o.user_id) AS cart
         FROM orders o JOIN order_items oi ON oi.order_id = o.id JOIN product_variants v ON v.id = oi.variant_id JOIN products p ON p.id = v.product_id
        WHERE o.id = $1`,
      [order.id],
    );
    assert.deepEqual(rows, [{ status: 'paid', stock: 18, units_sold: 2, line_total_cents: 3998, events: '->pending,pending>paid', payments: 1, mails: 1, cart: 0 }]);

    // a retried pay with the same key is answered from the recorded payment, without a second charge
    const again = await client.post(`/api/orders/${order.id}/pay`, { card: CARD }, { headers: { 'idempotency-key': 'rt-pay-1' } });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    // and a retried place with the same key answers the same order
    const replay = await client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'rt-1' } });
    assert.equal(json<{ id: number }>(replay).id, order.id);
  });
});
