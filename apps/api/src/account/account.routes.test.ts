import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createCategory, createHarness, createProduct, createUser, errorOf, json, loginClient, signedInClient, TEST_PASSWORD, type Harness } from '../testing/harness.js';

describe('account export and deletion', () => {
  let harness: Harness;
  let customer: { id: number; email: string };
  let orderId = 0;

  before(async () => {
    harness = await createHarness();
    customer = await createUser(harness, 'customer', `anna.o'neill-${Date.now()}@example.test`);
    await harness.db.pool.query("UPDATE users SET name = 'Anna O''Neill', age_band = '25-34', country = 'IE' WHERE id = $1", [customer.id]);
    const { client: seller } = await signedInClient(harness, 'seller');
    const product = await createProduct(seller, (await createCategory(harness)).id);
    const variant = product.variants[0];
    assert.ok(variant);
    const order = await harness.db.pool.query<{ id: number }>(
      `INSERT INTO orders (user_id, status, subtotal_cents, total_cents, paid_at) VALUES ($1, 'delivered', 4500, 4500, now()) RETURNING id`,
      [customer.id],
    );
    orderId = order.rows[0]?.id ?? 0;
    const sellerRow = await harness.db.pool.query<{ seller_id: number }>('SELECT seller_id FROM products WHERE id = $1', [product.id]);
    const item = await harness.db.pool.query<{ id: number }>(
      `INSERT INTO order_items (order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, product_name, size, colour)
       VALUES ($1, $2, $3, $4, 1, 4500, 'Linen shirt', 'M', 'White') RETURNING id`,
      [orderId, product.id, variant.id, sellerRow.rows[0]?.seller_id],
    );
    await harness.db.pool.query(
      `INSERT INTO reviews (order_item_id, product_id, user_id, rating, title, body) VALUES ($1, $2, $3, 5, 'Lovely', 'Anna here: fits great')`,
      [item.rows[0]?.id, product.id, customer.id],
    );
  });
  after(() => harness.close());

  it('exports the customer’s own profile, orders with lines, reviews and sessions as a JSON download', async () => {
    const client = await loginClient(harness, customer.email);
    const response = await client.get('/api/account/export');
    assert.equal(response.statusCode, 200, response.body);
    assert.match(String(response.headers['content-disposition']), /attachment; filename="threadline-account-\d+\.json"/);
    const data = json<{ profile: { email: string; name: string; ageBand: string }; orders: Array<{ id: number; items: unknown[] }>; reviews: Array<{ body: string }>; sessions: unknown[] }>(response);
    assert.equal(data.profile.email, customer.email);
    assert.equal(data.profile.name, "Anna O'Neill");
    assert.equal(data.profile.ageBand, '25-34');
    assert.deepEqual(data.orders.map((order) => order.id), [orderId]);
    assert.equal(data.orders[0]?.items.length, 1);
    assert.equal(data.reviews[0]?.body, 'Anna here: fits great');
    assert.ok(data.sessions.length >= 1);
  });

  it('refuses deletion without the password and the confirmation word', async () => {
    const client = await loginClient(harness, customer.email);
    const wrong = await client.request('DELETE', '/api/account', { password: 'not-my-password', confirm: 'DELETE' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(errorOf(wrong).field, 'password');
    const unconfirmed = await client.request('DELETE', '/api/account', { password: TEST_PASSWORD, confirm: 'yes' });
    assert.equal(unconfirmed.statusCode, 400);
    assert.equal(errorOf(unconfirmed).field, 'confirm');
  });

  it('anonymises personal fields, ends sessions and sign-in, and keeps the orders for accounting', async () => {
    const client = await loginClient(harness, customer.email);
    const response = await client.request('DELETE', '/api/account', { password: TEST_PASSWORD, confirm: 'DELETE' });
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(json(response), { deleted: true, ordersKept: 1, reviewsAnonymised: 1 });

    const { rows } = await harness.db.pool.query<{ email: string; name: string; password_hash: string | null; age_band: string | null; country: string | null; deleted_at: Date | null }>(
      'SELECT email, name, password_hash, age_band, country, deleted_at FROM users WHERE id = $1',
      [customer.id],
    );
    const row = rows[0];
    assert.equal(row?.email, `deleted-${customer.id}@deleted.invalid`);
    assert.equal(row?.name, 'Deleted customer');
    assert.equal(row?.password_hash, null);
    assert.equal(row?.age_band, null);
    assert.equal(row?.country, null);
    assert.ok(row?.deleted_at);
    const orders = await harness.db.pool.query<{ total_cents: number }>('SELECT total_cents FROM orders WHERE id = $1 AND user_id = $2', [orderId, customer.id]);
    assert.equal(orders.rows[0]?.total_cents, 4500, 'the order and its amount stay');
    const reviews = await harness.db.pool.query<{ user_id: number | null; body: string | null; rating: number }>('SELECT user_id, body, rating FROM reviews WHERE product_id IN (SELECT product_id FROM order_items WHERE order_id = $1)', [orderId]);
    assert.deepEqual(reviews.rows[0], { user_id: null, body: null, rating: 5 });
    const sessions = await harness.db.pool.query('SELECT 1 FROM sessions WHERE user_id = $1', [customer.id]);
    assert.equal(sessions.rowCount, 0);
    assert.equal((await client.get('/api/me')).statusCode, 401, 'the old session no longer works');
    await assert.rejects(loginClient(harness, customer.email), /login failed: 401/);
    const dump = JSON.stringify((await harness.db.pool.query("SELECT * FROM users WHERE id = $1", [customer.id])).rows);
    assert.doesNotMatch(dump, /O'Neill|o'neill/i);
    const audit = await harness.db.pool.query<{ action: string }>("SELECT action FROM audit_log WHERE target = $1 AND action LIKE 'account.%' ORDER BY id", [`user:${customer.id}`]);
    assert.deepEqual(audit.rows.map((entry) => entry.action), ['account.exported', 'account.deleted']);
  });
});

describe('account deletion and checkout data', () => {
  let harness: Harness;

  before(async () => {
    harness = await createHarness();
  });
  after(() => harness.close());

  it('exports the address book, then erases it, the stored e-mails and the street of past orders, keeping their geography', async () => {
    const user = await createUser(harness, 'customer');
    const client = await loginClient(harness, user.email);
    const { client: seller } = await signedInClient(harness, 'seller');
    const product = await createProduct(seller, (await createCategory(harness)).id);
    const address = { recipientName: 'Dana Fox', line1: '10 Queen Street', city: 'Halifax', region: 'NS', postalCode: 'B3J 3A5', country: 'CA' };
    assert.equal((await client.post('/api/account/addresses', { address })).statusCode, 201);
    await client.post('/api/cart/items', { variantId: product.variants[0]?.id, quantity: 1 });
    const order = json<{ id: number }>(await client.post('/api/orders', { addressId: json<{ items: { id: number }[] }>(await client.get('/api/account/addresses')).items[0]?.id, shippingMethod: 'standard' }));
    await client.post(`/api/orders/${order.id}/pay`, { card: { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' } });

    const exported = json<{ addresses: { line1: string }[]; emails: { template: string }[]; orders: { shipTo: { line1: string } }[] }>(await client.get('/api/account/export'));
    assert.deepEqual(exported.addresses.map((entry) => entry.line1), ['10 Queen Street']);
    assert.deepEqual(exported.emails.map((entry) => entry.template), ['order_confirmation']);
    assert.equal(exported.orders[0]?.shipTo.line1, '10 Queen Street');

    const deleted = await client.request('DELETE', '/api/account', { password: TEST_PASSWORD, confirm: 'DELETE' });
    assert.equal(deleted.statusCode, 200, deleted.body);
    const { rows } = await harness.db.pool.query(
      `SELECT ship_name, ship_line1, ship_phone, ship_city, ship_region, ship_country,
              (SELECT count(*)::int FROM addresses WHERE user_id = $2) AS addresses, (SELECT count(*)::int FROM outbox WHERE user_id = $2) AS mails
         FROM orders WHERE id = $1`,
      [order.id, user.id],
    );
    assert.deepEqual(rows[0], { ship_name: null, ship_line1: null, ship_phone: null, ship_city: 'Halifax', ship_region: 'NS', ship_country: 'CA', addresses: 0, mails: 0 });
  });
});
