import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { foldPendingUnitsSold } from '@threadline/db';

import { CHECKOUT, Client, createCategory, createHarness, createProduct, errorOf, json, signedInClient, type CreatedProduct, type Harness } from '../testing/harness.js';

interface OrderBody {
  id: number;
  status: string;
  total: number;
  subtotal: number;
  shipping: number;
  items: { variantId: number; quantity: number; unitPrice: number }[];
  buyer?: { name: string; email: string };
}

const GOOD_CARD = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' };
const DECLINED_CARD = { ...GOOD_CARD, number: '4000000000000002' };
const RETRY_CARD = { ...GOOD_CARD, number: '4000000000009995' };

let harness: Harness;
let seller: Client;
let otherSeller: Client;
let admin: Client;
let product: CreatedProduct;

before(async () => {
  harness = await createHarness();
  seller = (await signedInClient(harness, 'seller')).client;
  otherSeller = (await signedInClient(harness, 'seller')).client;
  admin = (await signedInClient(harness, 'admin')).client;
  const category = await createCategory(harness);
  product = await createProduct(seller, category.id, {
    variants: [
      { size: 'M', colour: 'Blue', price: 2500, stock: 20 },
      { size: 'L', colour: 'Blue', price: 2500, stock: 2 },
    ],
  });
});
after(async () => {
  await harness.close();
});

function variantId(index: number): number {
  const found = product.variants[index];
  assert.ok(found);
  return found.id;
}

async function stockOf(id: number): Promise<number> {
  const { rows } = await harness.db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = $1', [id]);
  return rows[0]?.stock ?? -1;
}

async function customerWithCart(lines: [number, number][]): Promise<Client> {
  const { client } = await signedInClient(harness, 'customer');
  for (const [id, quantity] of lines) {
    const response = await client.post('/api/cart/items', { variantId: id, quantity });
    assert.equal(response.statusCode, 200, response.body);
  }
  return client;
}

async function placeOrder(client: Client, key?: string): Promise<OrderBody> {
  const response = await client.post('/api/orders', CHECKOUT, key ? { headers: { 'idempotency-key': key } } : {});
  assert.equal(response.statusCode, 201, response.body);
  return json<OrderBody>(response);
}

describe('POST /api/orders', () => {
  it('creates a pending order from the cart and reserves stock; the cart stays until the order is paid', async () => {
    const before = await stockOf(variantId(0));
    const client = await customerWithCart([[variantId(0), 2]]);
    const order = await placeOrder(client, 'checkout-1');
    assert.equal(order.status, 'pending');
    assert.equal(order.subtotal, 5000);
    // New York: standard shipping $6.95 under $75, 4 % state sales tax on goods and shipping
    assert.equal(order.total, 5000 + 695 + Math.round((5000 + 695) * 0.04));
    assert.deepEqual(order.items.map((item) => [item.variantId, item.quantity, item.unitPrice]), [[variantId(0), 2, 2500]]);
    assert.equal(await stockOf(variantId(0)), before - 2);
    assert.equal(json<{ count: number }>(await client.get('/api/cart')).count, 2, 'a declined card must not lose the cart');
    await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD });
    assert.equal(json<{ count: number }>(await client.get('/api/cart')).count, 0, 'paid: the cart is empty');
  });

  it('returns the same order for the same Idempotency-Key (no second order, no second reservation)', async () => {
    const client = await customerWithCart([[variantId(0), 1]]);
    const first = await placeOrder(client, 'same-key');
    const stockAfterFirst = await stockOf(variantId(0));
    await client.post('/api/cart/items', { variantId: variantId(0), quantity: 1 });
    const replay = await client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'same-key' } });
    assert.equal(replay.statusCode, 201);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.equal(json<OrderBody>(replay).id, first.id);
    assert.equal(await stockOf(variantId(0)), stockAfterFirst);
    const { rows } = await harness.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE idempotency_key = 'same-key'");
    assert.equal(rows[0]?.n, 1);
  });

  it('sends the same key twice at once and still creates one order', async () => {
    const client = await customerWithCart([[variantId(0), 1]]);
    const [a, b] = await Promise.all([
      client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'parallel-key' } }),
      client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'parallel-key' } }),
    ]);
    assert.equal(a.statusCode, 201, a.body);
    assert.equal(b.statusCode, 201, b.body);
    assert.equal(json<OrderBody>(a).id, json<OrderBody>(b).id);
  });

  it('refuses an empty cart (409 CART_EMPTY) and more than the stock (409 OUT_OF_STOCK, nothing written)', async () => {
    const { client: empty } = await signedInClient(harness, 'customer');
    const response = await empty.post('/api/orders', CHECKOUT);
    assert.equal(response.statusCode, 409);
    assert.equal(errorOf(response).code, 'CART_EMPTY');

    const greedy = await customerWithCart([
      [variantId(0), 1],
      [variantId(1), 2],
    ]);
    // someone else buys the last L units after our cart was filled
    const other = await customerWithCart([[variantId(1), 1]]);
    await placeOrder(other);
    const stockBefore = await stockOf(variantId(0));
    const { rows: countBefore } = await harness.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    const outOfStock = await greedy.post('/api/orders', CHECKOUT);
    assert.equal(outOfStock.statusCode, 409);
    assert.equal(errorOf(outOfStock).code, 'OUT_OF_STOCK');
    assert.equal(errorOf(outOfStock).field, 'variantId');
    assert.equal(await stockOf(variantId(0)), stockBefore, 'the other line was not reserved either');
    const { rows: countAfter } = await harness.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders');
    assert.equal(countAfter[0]?.n, countBefore[0]?.n);
  });

  it('needs an e-mail from a guest, an address, and a valid Idempotency-Key header', async () => {
    const anonymous = await new Client(harness.app).init();
    const response = await anonymous.post('/api/orders', CHECKOUT);
    assert.equal(response.statusCode, 400);
    assert.equal(errorOf(response).field, 'email');
    const { client: noAddress } = await signedInClient(harness, 'customer');
    const missing = await noAddress.post('/api/orders', { shippingMethod: 'standard' });
    assert.equal(missing.statusCode, 400);
    assert.equal(errorOf(missing).field, 'address');
    const client = await customerWithCart([[variantId(0), 1]]);
    const bad = await client.post('/api/orders', CHECKOUT, { headers: { 'idempotency-key': 'x'.repeat(256) } });
    assert.equal(bad.statusCode, 400);
    assert.equal(errorOf(bad).field, 'idempotency-key');
  });
});

describe('POST /api/orders/:id/pay', () => {
  it('pays with the success card, stores only brand and last 4, and counts units sold', async () => {
    const client = await customerWithCart([[variantId(0), 3]]);
    const order = await placeOrder(client);
    const response = await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(json<unknown>(response), { status: 'paid', orderId: order.id, payment: { brand: 'visa', last4: '4242' } });
    const { rows } = await harness.db.pool.query<Record<string, unknown>>('SELECT * FROM payments WHERE order_id = $1', [order.id]);
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes('4242424242424242'), 'the card number is never stored');
    assert.ok(!JSON.stringify(rows).includes('"123"'), 'the CVC is never stored');
    await foldPendingUnitsSold(harness.db.pool); // the worker's pass: units sold reach the product
    const { rows: products } = await harness.db.pool.query<{ units_sold: number }>('SELECT units_sold FROM products WHERE id = $1', [product.id]);
    assert.ok((products[0]?.units_sold ?? 0) >= 3);
    const again = await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD });
    assert.equal(again.statusCode, 409);
    assert.equal(errorOf(again).code, 'INVALID_STATE_TRANSITION');
  });

  it('declines with 402 PAYMENT_DECLINED, asks to retry with 402 PAYMENT_RETRY, then accepts another card', async () => {
    const client = await customerWithCart([[variantId(0), 1]]);
    const order = await placeOrder(client);
    const declined = await client.post(`/api/orders/${order.id}/pay`, { card: DECLINED_CARD }, { headers: { 'idempotency-key': 'pay-1' } });
    assert.equal(declined.statusCode, 402);
    assert.equal(errorOf(declined).code, 'PAYMENT_DECLINED');
    const retry = await client.post(`/api/orders/${order.id}/pay`, { card: RETRY_CARD }, { headers: { 'idempotency-key': 'pay-1' } });
    assert.equal(retry.statusCode, 402);
    assert.equal(errorOf(retry).code, 'PAYMENT_RETRY');
    const ok = await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD }, { headers: { 'idempotency-key': 'pay-1' } });
    assert.equal(ok.statusCode, 200, ok.body);
    const replay = await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD }, { headers: { 'idempotency-key': 'pay-1' } });
    assert.equal(replay.statusCode, 200);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    const { rows } = await harness.db.pool.query<{ status: string }>('SELECT status FROM payments WHERE order_id = $1 ORDER BY id', [order.id]);
    assert.deepEqual(rows.map((row) => row.status), ['declined', 'requires_retry', 'succeeded']);
  });

  it('validates the card and names the field', async () => {
    const client = await customerWithCart([[variantId(0), 1]]);
    const order = await placeOrder(client);
    for (const [card, field] of [
      [{ ...GOOD_CARD, number: '4242424242424241' }, 'card.number'],
      [{ ...GOOD_CARD, number: 'abcd' }, 'card.number'],
      [{ ...GOOD_CARD, expMonth: 13 }, 'card.expMonth'],
      [{ ...GOOD_CARD, expYear: 2001 }, 'card.expYear'],
      [{ ...GOOD_CARD, cvc: '1' }, 'card.cvc'],
      [{ ...GOOD_CARD, expMonth: '12' }, 'card.expMonth'],
      [{ number: GOOD_CARD.number }, 'card.expMonth'],
    ] as const) {
      const response = await client.post(`/api/orders/${order.id}/pay`, { card });
      assert.equal(response.statusCode, 400, `${JSON.stringify(card)} ${response.body}`);
      assert.equal(errorOf(response).field, field, JSON.stringify(card));
    }
    assert.equal((await client.post(`/api/orders/${order.id}/pay`, {})).statusCode, 400);
  });

  it("answers 404 for someone else's order and for unknown ids", async () => {
    const owner = await customerWithCart([[variantId(0), 1]]);
    const order = await placeOrder(owner);
    const { client: stranger } = await signedInClient(harness, 'customer');
    assert.equal((await stranger.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD })).statusCode, 404);
    assert.equal((await stranger.get(`/api/orders/${order.id}`)).statusCode, 404);
    assert.equal((await stranger.post(`/api/orders/${order.id}/cancel`)).statusCode, 404);
    assert.equal((await owner.post('/api/orders/99999999/pay', { card: GOOD_CARD })).statusCode, 404);
  });
});

describe('order history, cancel and fulfilment', () => {
  it('lists the customer orders newest first with paging', async () => {
    const client = await customerWithCart([[variantId(0), 1]]);
    const first = await placeOrder(client);
    await client.post('/api/cart/items', { variantId: variantId(0), quantity: 1 });
    const second = await placeOrder(client);
    const page1 = json<{ items: OrderBody[]; nextCursor: string | null }>(await client.get('/api/orders?limit=1'));
    assert.deepEqual(page1.items.map((order) => order.id), [second.id]);
    assert.ok(page1.nextCursor);
    const page2 = json<{ items: OrderBody[]; nextCursor: string | null }>(await client.get(`/api/orders?limit=1&cursor=${page1.nextCursor}`));
    assert.deepEqual(page2.items.map((order) => order.id), [first.id]);
    assert.equal(page2.nextCursor, null);
    assert.equal((await client.get(`/api/orders/${first.id}`)).statusCode, 200);
  });

  it('cancels a pending order and puts the stock back; a cancelled order cannot be paid', async () => {
    const client = await customerWithCart([[variantId(0), 4]]);
    const before = await stockOf(variantId(0));
    const order = await placeOrder(client);
    assert.equal(await stockOf(variantId(0)), before - 4);
    const cancelled = await client.post(`/api/orders/${order.id}/cancel`);
    assert.equal(cancelled.statusCode, 200);
    assert.equal(json<OrderBody>(cancelled).status, 'cancelled');
    assert.equal(await stockOf(variantId(0)), before);
    const pay = await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD });
    assert.equal(pay.statusCode, 409);
    assert.equal((await client.post(`/api/orders/${order.id}/cancel`)).statusCode, 409);
  });

  it('cancelling a paid order refunds the payment, returns the stock and takes its units sold back', async () => {
    const client = await customerWithCart([[variantId(0), 1]]);
    const before = await stockOf(variantId(0));
    await foldPendingUnitsSold(harness.db.pool);
    const unitsSold = async (): Promise<number | undefined> =>
      (await harness.db.pool.query<{ units_sold: number }>('SELECT units_sold FROM products WHERE id = $1', [product.id])).rows[0]?.units_sold;
    const soldBefore = await unitsSold();
    const order = await placeOrder(client);
    await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD });
    await foldPendingUnitsSold(harness.db.pool);
    assert.equal(await unitsSold(), (soldBefore ?? 0) + 1);
    const cancelled = await client.post(`/api/orders/${order.id}/cancel`);
    assert.equal(json<OrderBody>(cancelled).status, 'cancelled');
    assert.equal(await stockOf(variantId(0)), before);
    await foldPendingUnitsSold(harness.db.pool);
    assert.equal(await unitsSold(), soldBefore);
    const { rows } = await harness.db.pool.query<{ status: string }>('SELECT status FROM payments WHERE order_id = $1', [order.id]);
    assert.deepEqual(rows.map((row) => row.status), ['refunded']);
  });

  it('lets the seller ship and deliver, refuses skipped steps, and lets the customer no longer cancel', async () => {
    const client = await customerWithCart([[variantId(0), 1]]);
    const order = await placeOrder(client);
    const early = await seller.post(`/api/seller/orders/${order.id}/ship`);
    assert.equal(early.statusCode, 409, 'a pending order cannot ship');
    await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD });
    assert.equal((await otherSeller.post(`/api/seller/orders/${order.id}/ship`)).statusCode, 404, 'not their order');
    assert.equal((await client.post(`/api/seller/orders/${order.id}/ship`)).statusCode, 403, 'customers cannot ship');
    const shipped = await seller.post(`/api/seller/orders/${order.id}/ship`);
    assert.equal(json<OrderBody>(shipped).status, 'shipped');
    assert.equal((await client.post(`/api/orders/${order.id}/cancel`)).statusCode, 409);
    const delivered = await admin.post(`/api/seller/orders/${order.id}/deliver`);
    assert.equal(json<OrderBody>(delivered).status, 'delivered');
    const stockBefore = await stockOf(variantId(0));
    const refunded = await seller.post(`/api/seller/orders/${order.id}/refund`);
    assert.equal(json<OrderBody>(refunded).status, 'refunded');
    assert.equal(await stockOf(variantId(0)), stockBefore + 1);
    const { rows } = await harness.db.pool.query<{ to_status: string }>('SELECT to_status FROM order_events WHERE order_id = $1 ORDER BY id', [order.id]);
    assert.deepEqual(rows.map((row) => row.to_status), ['pending', 'paid', 'shipped', 'delivered', 'refunded']);
  });

  it("shows the seller the orders with their items and the buyer; the seller can read such an order", async () => {
    const client = await customerWithCart([[variantId(0), 1]]);
    const order = await placeOrder(client);
    const list = json<{ items: OrderBody[] }>(await seller.get('/api/seller/orders'));
    const listed = list.items.find((item) => item.id === order.id);
    assert.ok(listed);
    assert.equal(listed.buyer?.name, 'Test customer');
    assert.equal((await seller.get(`/api/orders/${order.id}`)).statusCode, 200);
    const others = json<{ items: OrderBody[] }>(await otherSeller.get('/api/seller/orders'));
    assert.equal(others.items.length, 0);
    const pendingOnly = json<{ items: OrderBody[] }>(await admin.get('/api/seller/orders?status=pending'));
    assert.ok(pendingOnly.items.every((item) => item.status === 'pending'));
  });
});

describe('pending-order expiry', () => {
  it('cancels pending orders older than the TTL and returns their stock, leaving fresh and paid ones alone', async () => {
    const { expireStalePendingOrders } = await import('@threadline/orders');
    const { orderDepsFor } = await import('../payments/provider-registry.js');
    const before = await stockOf(variantId(0));
    const stale = await placeOrder(await customerWithCart([[variantId(0), 2]]));
    const fresh = await placeOrder(await customerWithCart([[variantId(0), 1]]));
    const paidClient = await customerWithCart([[variantId(0), 1]]);
    const paid = await placeOrder(paidClient);
    await paidClient.post(`/api/orders/${paid.id}/pay`, { card: GOOD_CARD });
    await harness.db.pool.query("UPDATE orders SET placed_at = now() - interval '2 hours' WHERE id = ANY($1)", [[stale.id, paid.id]]);
    const cancelled = await expireStalePendingOrders(orderDepsFor(harness.context));
    assert.ok(cancelled >= 1);
    const { rows } = await harness.db.pool.query<{ id: number; status: string }>('SELECT id, status FROM orders WHERE id = ANY($1) ORDER BY id', [[stale.id, fresh.id, paid.id]]);
    assert.deepEqual(rows.map((row) => row.status), ['cancelled', 'pending', 'paid']);
    assert.equal(await stockOf(variantId(0)), before - 2, 'the stale order’s 2 units are back; fresh and paid keep theirs');
  });
});
