import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CHECKOUT, Client, createCategory, createHarness, createProduct, errorOf, json, signedInClient, WEBHOOK_SECRET, type Harness } from '../testing/harness.js';
import { signWebhook } from './webhook-signature.js';

let harness: Harness;
let customer: Client;
let variantId: number;

before(async () => {
  harness = await createHarness();
  const { client: seller } = await signedInClient(harness, 'seller');
  const product = await createProduct(seller, (await createCategory(harness)).id, { variants: [{ size: 'M', colour: 'Blue', price: 8000, stock: 10 }] });
  variantId = product.variants[0]?.id ?? 0;
  customer = (await signedInClient(harness, 'customer')).client;
});
after(async () => {
  await harness.close();
});

async function pendingOrder(): Promise<{ id: number; total: number }> {
  await customer.post('/api/cart/items', { variantId, quantity: 1 });
  return json<{ id: number; total: number }>(await customer.post('/api/orders', CHECKOUT));
}

function send(body: string, signature: string | undefined): ReturnType<Client['request']> {
  // a server-to-server call: no session, no CSRF token
  return new Client(harness.app).request('POST', '/api/payments/webhook', undefined, {
    payload: body,
    headers: { 'content-type': 'application/json', ...(signature ? { 'threadline-signature': signature } : {}) },
  });
}

async function statusOf(orderId: number): Promise<string> {
  const { rows } = await harness.db.pool.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId]);
  return rows[0]?.status ?? 'missing';
}

describe('POST /api/payments/webhook', () => {
  it('marks a pending order paid from a correctly signed event, once per event id', async () => {
    const order = await pendingOrder();
    const body = JSON.stringify({ id: 'evt_1', type: 'payment.succeeded', data: { orderId: order.id, amountCents: order.total } });
    const now = Math.floor(Date.now() / 1000);
    const first = await send(body, signWebhook(WEBHOOK_SECRET, body, now));
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(json<unknown>(first), { received: true, duplicate: false });
    assert.equal(await statusOf(order.id), 'paid');
    const replay = await send(body, signWebhook(WEBHOOK_SECRET, body, now));
    assert.deepEqual(json<unknown>(replay), { received: true, duplicate: true });
  });

  it('refuses missing, forged, stale and tampered signatures with 401', async () => {
    const order = await pendingOrder();
    const body = JSON.stringify({ id: 'evt_2', type: 'payment.succeeded', data: { orderId: order.id, amountCents: order.total } });
    const now = Math.floor(Date.now() / 1000);
    for (const signature of [undefined, signWebhook('wrong-secret', body, now), signWebhook(WEBHOOK_SECRET, body, now - 3600), 'garbage']) {
      const response = await send(body, signature);
      assert.equal(response.statusCode, 401, String(signature));
      assert.equal(errorOf(response).code, 'WEBHOOK_SIGNATURE_INVALID');
    }
    const tampered = body.replace(String(order.total), '1');
    assert.equal((await send(tampered, signWebhook(WEBHOOK_SECRET, body, now))).statusCode, 401);
    assert.equal(await statusOf(order.id), 'pending');
  });

  it('validates signed events: bad JSON, unknown type, wrong amount, unknown order; a failed event can be redelivered', async () => {
    const order = await pendingOrder();
    const now = Math.floor(Date.now() / 1000);
    const sign = (body: string): string => signWebhook(WEBHOOK_SECRET, body, now);
    const badJson = '{"id":';
    assert.equal((await send(badJson, sign(badJson))).statusCode, 400);
    const badType = JSON.stringify({ id: 'evt_3', type: 'payment.exploded', data: { orderId: order.id, amountCents: 1 } });
    const typeResponse = await send(badType, sign(badType));
    assert.equal(typeResponse.statusCode, 400);
    assert.equal(errorOf(typeResponse).field, 'type');
    const wrongAmount = JSON.stringify({ id: 'evt_4', type: 'payment.succeeded', data: { orderId: order.id, amountCents: 1 } });
    assert.equal((await send(wrongAmount, sign(wrongAmount))).statusCode, 400);
    const unknown = JSON.stringify({ id: 'evt_5', type: 'payment.succeeded', data: { orderId: 99999999, amountCents: 1 } });
    assert.equal((await send(unknown, sign(unknown))).statusCode, 404);
    assert.equal(await statusOf(order.id), 'pending');
    const fixed = JSON.stringify({ id: 'evt_4', type: 'payment.succeeded', data: { orderId: order.id, amountCents: order.total } });
    const retried = await send(fixed, sign(fixed));
    assert.deepEqual(json<unknown>(retried), { received: true, duplicate: false }, 'the failed event id was not burnt');
    assert.equal(await statusOf(order.id), 'paid');
  });

  it('refunds a paid order and returns its stock', async () => {
    const order = await pendingOrder();
    await customer.post(`/api/orders/${order.id}/pay`, { card: { number: '4242424242424242', expMonth: 1, expYear: 2040, cvc: '999' } });
    const { rows: before } = await harness.db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = $1', [variantId]);
    const body = JSON.stringify({ id: 'evt_refund', type: 'payment.refunded', data: { orderId: order.id, amountCents: order.total } });
    const response = await send(body, signWebhook(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000)));
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(await statusOf(order.id), 'refunded');
    const { rows: after } = await harness.db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = $1', [variantId]);
    assert.equal(after[0]?.stock, (before[0]?.stock ?? 0) + 1);
  });
});
