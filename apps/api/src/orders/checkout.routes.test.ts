import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createSmtpTransport, deliverDueMails } from '@threadline/mail';
import { startSmtpSink, type SmtpSink } from '@threadline/mail/testing';

import { CHECKOUT, Client, createCategory, createHarness, createProduct, errorOf, json, signedInClient, type CreatedProduct, type Harness } from '../testing/harness.js';

interface OrderBody {
  id: number;
  status: string;
  subtotal: number;
  shipping: number;
  tax: number;
  total: number;
  taxLines: { label: string; rate: number; amount: number }[];
  shippingMethod: string | null;
  shipTo: { name: string | null; line1: string | null; city: string | null; region: string | null; postalCode: string | null; country: string | null } | null;
  items: { productName: string; quantity: number; lineTotal: number }[];
  scope: 'order' | 'seller';
  isGuest: boolean;
  guestToken?: string;
}

const GOOD_CARD = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' };
const DECLINED_CARD = { ...GOOD_CARD, number: '4000000000000002' };
const TORONTO = { recipientName: 'Maya Chen', line1: '200 King Street West', city: 'Toronto', region: 'ON', postalCode: 'm5h3t4', country: 'CA', phone: '+1 416 555 0100' };
const BERLIN = { recipientName: 'Jonas Weber', line1: 'Torstraße 49', city: 'Berlin', region: 'Berlin', postalCode: '10119', country: 'DE' };

let harness: Harness;
let seller: Client;
let otherSeller: Client;
let shirt: CreatedProduct;
let scarf: CreatedProduct;
let sink: SmtpSink;

before(async () => {
  harness = await createHarness();
  sink = await startSmtpSink();
  seller = (await signedInClient(harness, 'seller')).client;
  otherSeller = (await signedInClient(harness, 'seller')).client;
  const category = await createCategory(harness);
  shirt = await createProduct(seller, category.id, { name: 'Oxford Shirt', variants: [{ size: 'M', colour: 'Blue', price: 4000, stock: 50 }] });
  scarf = await createProduct(otherSeller, category.id, { name: 'Wool Scarf', variants: [{ size: 'One', colour: 'Grey', price: 2500, stock: 50 }] });
});
after(async () => {
  await sink.close();
  await harness.close();
});

function variant(product: CreatedProduct): number {
  const found = product.variants[0];
  assert.ok(found);
  return found.id;
}

async function addToCart(client: Client, product: CreatedProduct, quantity = 1): Promise<void> {
  const response = await client.post('/api/cart/items', { variantId: variant(product), quantity });
  assert.equal(response.statusCode, 200, response.body);
}

async function cartCount(client: Client): Promise<number> {
  return json<{ count: number }>(await client.get('/api/cart')).count;
}

async function stockOf(product: CreatedProduct): Promise<number> {
  const { rows } = await harness.db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = $1', [variant(product)]);
  return rows[0]?.stock ?? -1;
}

async function outboxFor(to: string): Promise<{ template: string; subject: string; text_body: string }[]> {
  const { rows } = await harness.db.pool.query<{ template: string; subject: string; text_body: string }>('SELECT template, subject, text_body FROM outbox WHERE to_address = $1 ORDER BY id', [to]);
  return rows;
}

describe('checkout quote', () => {
  it('offers the methods that ship to the country, with tax by state, province or VAT country', async () => {
    const { client } = await signedInClient(harness);
    await addToCart(client, shirt, 2); // $80.00: US standard is free from $75
    const ny = json<OrderBody & { options: { code: string; price: number }[] }>(await client.post('/api/checkout/quote', { address: { country: 'US', region: 'NY' } }));
    assert.deepEqual(ny.options.map((option) => [option.code, option.price]), [['standard', 0], ['express', 1995]]);
    assert.equal(ny.tax, 320, 'New York 4 % of $80.00 (shipping free)');
    const express = json<OrderBody>(await client.post('/api/checkout/quote', { address: { country: 'US', region: 'NY' }, shippingMethod: 'express' }));
    assert.equal(express.tax, Math.round((8000 + 1995) * 0.04));
    assert.equal(express.total, 8000 + 1995 + express.tax);
    const oregon = json<OrderBody>(await client.post('/api/checkout/quote', { address: { country: 'US', region: 'OR' } }));
    assert.deepEqual(oregon.taxLines, []);
    const ontario = json<OrderBody>(await client.post('/api/checkout/quote', { address: { country: 'CA', region: 'ON' } }));
    assert.deepEqual(ontario.taxLines.map((line) => [line.label, line.rate]), [['HST', 13]]);
    const germany = json<OrderBody>(await client.post('/api/checkout/quote', { address: { country: 'DE' } }));
    assert.deepEqual(germany.taxLines.map((line) => [line.label, line.rate, line.amount]), [['VAT', 19, Math.round((8000 + 1995) * 0.19)]]);
  });

  it('names the field for a country the shop does not ship to and a method that does not go there', async () => {
    const { client } = await signedInClient(harness);
    const nowhere = await client.post('/api/checkout/quote', { address: { country: 'ZZ' } });
    assert.equal(nowhere.statusCode, 400);
    assert.equal(errorOf(nowhere).field, 'address.country');
    const wrong = await client.post('/api/checkout/quote', { address: { country: 'DE' }, shippingMethod: 'overnight' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(errorOf(wrong).field, 'shippingMethod');
  });
});

describe('account checkout', () => {
  it('ships to the address with the chosen method and tax; a declined card keeps the cart and the order payable', async () => {
    const { client, email } = await signedInClient(harness);
    await addToCart(client, shirt);
    const placed = await client.post('/api/orders', { address: TORONTO, shippingMethod: 'express', saveAddress: true }, { headers: { 'idempotency-key': 'acct-1' } });
    assert.equal(placed.statusCode, 201, placed.body);
    const order = json<OrderBody>(placed);
    assert.equal(order.status, 'pending');
    assert.deepEqual([order.subtotal, order.shipping, order.tax], [4000, 2995, Math.round((4000 + 2995) * 0.13)]);
    assert.equal(order.total, order.subtotal + order.shipping + order.tax);
    assert.equal(order.shippingMethod, 'Express');
    assert.deepEqual(order.shipTo, { name: 'Maya Chen', line1: '200 King Street West', line2: null, city: 'Toronto', region: 'ON', postalCode: 'M5H 3T4', country: 'CA', phone: '+1 416 555 0100' });
    const { rows: geo } = await harness.db.pool.query('SELECT ship_country, ship_region, ship_city, ship_postal_code FROM orders WHERE id = $1', [order.id]);
    assert.deepEqual(geo[0], { ship_country: 'CA', ship_region: 'ON', ship_city: 'Toronto', ship_postal_code: 'M5H 3T4' });

    const declined = await client.post(`/api/orders/${order.id}/pay`, { card: DECLINED_CARD });
    assert.equal(declined.statusCode, 402);
    assert.equal(await cartCount(client), 1, 'the cart still holds the shirt after the decline');
    assert.equal(json<OrderBody>(await client.get(`/api/orders/${order.id}`)).status, 'pending');

    const paid = await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD });
    assert.equal(paid.statusCode, 200, paid.body);
    assert.equal(await cartCount(client), 0, 'paying empties the cart');
    const mails = await outboxFor(email);
    assert.deepEqual(mails.map((mail) => mail.template), ['order_confirmation']);
    assert.match(mails[0]?.text_body ?? '', /200 King Street West/);
    assert.match(mails[0]?.text_body ?? '', /HST: CA\$|HST: \$/);

    const book = json<{ items: { city: string; isDefault: boolean; id: number }[] }>(await client.get('/api/account/addresses'));
    assert.deepEqual(book.items.map((item) => [item.city, item.isDefault]), [['Toronto', true]]);
  });

  it('taxes each order at the rate of its own region, as the quote does (New York 4 %, Oregon none)', async () => {
    const { client } = await signedInClient(harness);
    const placed: OrderBody[] = [];
    for (const [region, city, postalCode] of [['NY', 'New York', '10118'], ['OR', 'Portland', '97201']] as const) {
      await addToCart(client, shirt);
      const address = { ...CHECKOUT.address, region, city, postalCode };
      const quote = json<OrderBody>(await client.post('/api/checkout/quote', { address, shippingMethod: 'standard' }));
      const response = await client.post('/api/orders', { address, shippingMethod: 'standard' });
      assert.equal(response.statusCode, 201, response.body);
      const order = json<OrderBody>(response);
      assert.deepEqual([order.subtotal, order.shipping, order.tax, order.total], [quote.subtotal, quote.shipping, quote.tax, quote.total]);
      assert.equal(order.total, order.subtotal + order.shipping + order.tax);
      assert.equal((await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD })).statusCode, 200);
      placed.push(order);
    }
    const [ny, or] = placed;
    assert.ok(ny && or);
    assert.deepEqual(ny.taxLines.map((line) => [line.rate, line.amount]), [[4, Math.round((ny.subtotal + ny.shipping) * 0.04)]]);
    assert.deepEqual(or.taxLines, []);
    assert.equal(or.tax, 0);
  });

  it('checks out with a saved address by id, and refuses another account’s address', async () => {
    const { client } = await signedInClient(harness);
    const saved = json<{ id: number }>(await client.post('/api/account/addresses', { address: BERLIN }));
    await addToCart(client, scarf);
    const order = json<OrderBody>(await client.post('/api/orders', { addressId: saved.id, shippingMethod: 'standard' }));
    assert.equal(order.shipTo?.city, 'Berlin');
    assert.equal(order.taxLines[0]?.label, 'VAT');
    const { client: stranger } = await signedInClient(harness);
    await addToCart(stranger, scarf);
    const refused = await stranger.post('/api/orders', { addressId: saved.id, shippingMethod: 'standard' });
    assert.equal(refused.statusCode, 404);
    assert.equal(errorOf(refused).field, 'addressId');
  });

  it('answers a bad address with 400 naming the field', async () => {
    const { client } = await signedInClient(harness);
    await addToCart(client, shirt);
    for (const [address, field] of [
      [{ ...CHECKOUT.address, region: 'ZZ' }, 'address.region'],
      [{ ...CHECKOUT.address, postalCode: 'ABCDE' }, 'address.postalCode'],
      [{ ...CHECKOUT.address, line1: '  ' }, 'address.line1'],
    ] as const) {
      const response = await client.post('/api/orders', { address, shippingMethod: 'standard' });
      assert.equal(response.statusCode, 400, response.body);
      assert.equal(errorOf(response).field, field);
    }
    const extra = await client.post('/api/orders', { address: { ...CHECKOUT.address, street: 'x' }, shippingMethod: 'standard' });
    assert.equal(extra.statusCode, 400);
  });

  it('a new checkout of the same cart replaces the unpaid order and gives its stock back', async () => {
    const { client } = await signedInClient(harness);
    const before = await stockOf(shirt);
    await addToCart(client, shirt, 3);
    const first = json<OrderBody>(await client.post('/api/orders', CHECKOUT));
    assert.equal(await stockOf(shirt), before - 3);
    const second = json<OrderBody>(await client.post('/api/orders', CHECKOUT));
    assert.notEqual(second.id, first.id);
    assert.equal(await stockOf(shirt), before - 3, 'the stock is held once');
    assert.equal(json<OrderBody>(await client.get(`/api/orders/${first.id}`)).status, 'cancelled');
  });
});

describe('guest checkout', () => {
  it('places and pays an order by e-mail with the order token, and mails the confirmation', async () => {
    const guest = await new Client(harness.app).init();
    await addToCart(guest, shirt);
    const placed = await guest.post('/api/orders', { email: 'guest.buyer@example.com', address: CHECKOUT.address, shippingMethod: 'standard' });
    assert.equal(placed.statusCode, 201, placed.body);
    const order = json<OrderBody>(placed);
    assert.equal(order.isGuest, true);
    assert.ok(order.guestToken && order.guestToken.length >= 40);
    const token = order.guestToken;

    assert.equal((await guest.get(`/api/orders/${order.id}`)).statusCode, 401, 'no token, no order');
    const wrong = await guest.get(`/api/orders/${order.id}`, { headers: { 'x-order-token': 'A'.repeat(43) } });
    assert.equal(wrong.statusCode, 404);
    const { client: someone } = await signedInClient(harness);
    assert.equal((await someone.get(`/api/orders/${order.id}`)).statusCode, 404, 'another account cannot open a guest order');

    const declined = await guest.post(`/api/orders/${order.id}/pay`, { card: DECLINED_CARD }, { headers: { 'x-order-token': token } });
    assert.equal(declined.statusCode, 402);
    assert.equal(await cartCount(guest), 1);
    const paid = await guest.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD }, { headers: { 'x-order-token': token } });
    assert.equal(paid.statusCode, 200, paid.body);
    assert.equal(await cartCount(guest), 0);
    const seen = json<OrderBody>(await guest.get(`/api/orders/${order.id}`, { headers: { 'x-order-token': token } }));
    assert.equal(seen.status, 'paid');
    assert.equal(seen.guestToken, undefined, 'the token is only in the answer that placed the order');

    const mails = await outboxFor('guest.buyer@example.com');
    assert.equal(mails.length, 1);
    assert.match(mails[0]?.text_body ?? '', new RegExp(`/orders/${order.id}#token=${token}`));
  });

  it('replays the same order for the same Idempotency-Key of the same session only', async () => {
    const guest = await new Client(harness.app).init();
    await addToCart(guest, scarf);
    const body = { email: 'twice@example.com', address: CHECKOUT.address, shippingMethod: 'standard' };
    const a = json<OrderBody>(await guest.post('/api/orders', body, { headers: { 'idempotency-key': 'guest-key' } }));
    const b = await guest.post('/api/orders', body, { headers: { 'idempotency-key': 'guest-key' } });
    assert.equal(json<OrderBody>(b).id, a.id);
    assert.equal(b.headers['idempotent-replayed'], 'true');
    const other = await new Client(harness.app).init();
    await addToCart(other, scarf);
    const c = json<OrderBody>(await other.post('/api/orders', body, { headers: { 'idempotency-key': 'guest-key' } }));
    assert.notEqual(c.id, a.id, 'another session with the same key gets its own order');
  });
});

describe('seller views', () => {
  it("show only the seller's lines and subtotal, with the ship-to address; shipping mails the buyer", async () => {
    const { client, email } = await signedInClient(harness);
    await addToCart(client, shirt, 2);
    await addToCart(client, scarf, 1);
    const order = json<OrderBody>(await client.post('/api/orders', { address: TORONTO, shippingMethod: 'standard' }));
    assert.equal((await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD })).statusCode, 200);

    const list = json<{ items: OrderBody[] }>(await seller.get('/api/seller/orders'));
    const mine = list.items.find((item) => item.id === order.id);
    assert.ok(mine);
    assert.deepEqual(mine.items.map((item) => item.productName), ['Oxford Shirt']);
    assert.equal(mine.scope, 'seller');
    assert.equal(mine.subtotal, 8000);
    assert.equal(mine.total, 8000, "the other seller's scarf, the shipping and the tax are not shown");
    assert.equal(mine.shipTo?.line1, '200 King Street West');
    const one = json<OrderBody>(await otherSeller.get(`/api/orders/${order.id}`));
    assert.deepEqual(one.items.map((item) => item.productName), ['Wool Scarf']);
    assert.equal(one.total, 2500);

    const shipped = json<OrderBody>(await seller.post(`/api/seller/orders/${order.id}/ship`));
    assert.equal(shipped.status, 'shipped');
    assert.deepEqual(shipped.items.map((item) => item.productName), ['Oxford Shirt']);
    assert.deepEqual((await outboxFor(email)).map((mail) => mail.template), ['order_confirmation', 'order_shipped']);
  });
});

describe('the outbox', () => {
  it('delivers queued mails to an SMTP server, retries a temporary failure, and the back office lists them', async () => {
    const { client, email } = await signedInClient(harness);
    await addToCart(client, scarf);
    const order = json<OrderBody>(await client.post('/api/orders', CHECKOUT));
    await client.post(`/api/orders/${order.id}/pay`, { card: GOOD_CARD });
    const transport = createSmtpTransport(sink.url);
    try {
      sink.failNext(1000);
      const failed = await deliverDueMails({ pool: harness.db.pool, transport, from: 'Shop <shop@example.test>', domain: 'example.test' });
      assert.ok(failed.retrying >= 1);
      const { rows } = await harness.db.pool.query<{ status: string; last_error: string | null }>('SELECT status, last_error FROM outbox WHERE to_address = $1', [email]);
      assert.equal(rows[0]?.status, 'queued');
      assert.match(rows[0]?.last_error ?? '', /451|try again/);
      sink.failNext(0);
      await harness.db.pool.query('UPDATE outbox SET next_attempt_at = now() WHERE status = $1', ['queued']);
      const sent = await deliverDueMails({ pool: harness.db.pool, transport, from: 'Shop <shop@example.test>', domain: 'example.test', batch: 100 });
      assert.ok(sent.sent >= 1);
    } finally {
      transport.close();
    }
    const received = await sink.waitFor((mail) => mail.to.includes(email));
    assert.equal(received.subject, `Your Threadline order #${order.id} is confirmed`);
    assert.match(received.html, /Wool Scarf/);

    const { client: admin } = await signedInClient(harness, 'admin');
    const page = json<{ items: { to: string; status: string; id: number }[]; counts: { sent: number }; isDelivering: boolean }>(await admin.get(`/api/admin/outbox?to=${encodeURIComponent(email)}`));
    assert.equal(page.items[0]?.status, 'sent');
    assert.equal(page.isDelivering, false, 'the test API has no SMTP_URL');
    const detail = await admin.get(`/api/admin/outbox/${page.items[0]?.id}`);
    assert.match(json<{ html: string }>(detail).html, /Wool Scarf/);
    const { client: customer } = await signedInClient(harness);
    assert.equal((await customer.get('/api/admin/outbox')).statusCode, 403);
  });
});

describe('shipping and tax settings', () => {
  it('an admin changes a rate and checkout prices with it at once', async () => {
    const { client: admin } = await signedInClient(harness, 'admin');
    const rates = json<{ items: { id: number; code: string; country: string | null; price: number; freeOver: number | null; name: string; minDays: number; maxDays: number; isActive: boolean }[] }>(await admin.get('/api/admin/shipping-rates'));
    const intl = rates.items.find((rate) => rate.code === 'standard' && rate.country === null);
    assert.ok(intl);
    const { id, ...fields } = intl;
    const changed = await admin.request('PUT', `/api/admin/shipping-rates/${id}`, { ...fields, price: 1500 });
    assert.equal(changed.statusCode, 200, changed.body);
    const tax = await admin.request('PUT', '/api/admin/tax-rates', { country: 'FR', region: null, label: 'TVA', rate: 20, appliesToShipping: true });
    assert.equal(tax.statusCode, 200, tax.body);
    const badTax = await admin.request('PUT', '/api/admin/tax-rates', { country: 'US', region: 'XX', label: 'x', rate: 5, appliesToShipping: false });
    assert.equal(errorOf(badTax).field, 'region');

    const { client } = await signedInClient(harness);
    await addToCart(client, scarf);
    const quote = json<OrderBody>(await client.post('/api/checkout/quote', { address: { country: 'FR' } }));
    assert.equal(quote.shipping, 1500);
    assert.deepEqual(quote.taxLines.map((line) => line.label), ['TVA']);
    const { client: customer } = await signedInClient(harness);
    assert.equal((await customer.get('/api/admin/shipping-rates')).statusCode, 403);
  });
});
