import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { Client, createCategory, createHarness, createProduct, createUser, errorOf, json, signedInClient, TEST_PASSWORD, type CreatedProduct, type Harness } from '../testing/harness.js';

interface CartBody {
  items: { variantId: number; quantity: number; lineTotal: number; isAvailable: boolean }[];
  count: number;
  subtotal: number;
  shipping: number;
  total: number;
}

let harness: Harness;
let product: CreatedProduct;
let seller: Client;

before(async () => {
  harness = await createHarness();
  seller = (await signedInClient(harness, 'seller')).client;
  const category = await createCategory(harness);
  product = await createProduct(seller, category.id);
});
after(async () => {
  await harness.close();
});

function variant(index: number): number {
  const found = product.variants[index];
  assert.ok(found);
  return found.id;
}

describe('cart', () => {
  it('is empty without a session', async () => {
    const response = await new Client(harness.app).get('/api/cart');
    assert.deepEqual(json<CartBody>(response), { items: [], count: 0, subtotal: 0, shipping: 0, total: 0 });
  });

  it('adds, merges quantities, updates, removes and prices the cart', async () => {
    const client = await new Client(harness.app).init();
    let response = await client.post('/api/cart/items', { variantId: variant(0), quantity: 1 });
    assert.equal(response.statusCode, 200, response.body);
    let cart = json<CartBody>(response);
    assert.deepEqual([cart.subtotal, cart.shipping, cart.total], [4500, 695, 5195], 'flat shipping below $75');
    response = await client.post('/api/cart/items', { variantId: variant(0), quantity: 2 });
    cart = json<CartBody>(response);
    assert.equal(cart.items[0]?.quantity, 3);
    assert.deepEqual([cart.subtotal, cart.shipping, cart.total], [13500, 0, 13500], 'free shipping from $75');
    response = await client.patch(`/api/cart/items/${variant(0)}`, { quantity: 1 });
    cart = json<CartBody>(response);
    assert.equal(cart.count, 1);
    const added = json<CartBody>(await client.post('/api/cart/items', { variantId: variant(1), quantity: 1 }));
    cart = json<CartBody>(await client.get('/api/cart'));
    assert.equal(cart.subtotal, 4500 + 4700);
    assert.equal(cart.items[1]?.lineTotal, 4700);
    // the add writes the line and reads the cart back in one statement: the same cart, in the same order
    assert.deepEqual(added, cart);
    const again = json<CartBody>(await client.post('/api/cart/items', { variantId: variant(0), quantity: 1 }));
    assert.deepEqual(again.items.map((item) => [item.variantId, item.quantity]), [[variant(0), 2], [variant(1), 1]], 'an existing line keeps its place');
    assert.deepEqual(again, json<CartBody>(await client.get('/api/cart')));
    await client.patch(`/api/cart/items/${variant(0)}`, { quantity: 1 });
    response = await client.delete(`/api/cart/items/${variant(0)}`);
    assert.deepEqual(json<CartBody>(response).items.map((item) => item.variantId), [variant(1)]);
    assert.equal((await client.delete(`/api/cart/items/${variant(0)}`)).statusCode, 404);
  });

  it('refuses more than the stock (409 OUT_OF_STOCK), unknown variants (404) and bad quantities (400)', async () => {
    const client = await new Client(harness.app).init();
    const tooMany = await client.post('/api/cart/items', { variantId: variant(1), quantity: 4 });
    assert.equal(tooMany.statusCode, 409);
    assert.deepEqual(errorOf(tooMany), { code: 'OUT_OF_STOCK', message: 'only 3 left of this variant', field: 'quantity' });
    const unknown = await client.post('/api/cart/items', { variantId: 987654, quantity: 1 });
    assert.equal(unknown.statusCode, 404);
    assert.equal(errorOf(unknown).field, 'variantId');
    for (const [body, field] of [
      [{ variantId: variant(0), quantity: 0 }, 'quantity'],
      [{ variantId: variant(0), quantity: -1 }, 'quantity'],
      [{ variantId: variant(0), quantity: 100 }, 'quantity'],
      [{ variantId: variant(0), quantity: 1e308 }, 'quantity'],
      [{ variantId: variant(0), quantity: 1.5 }, 'quantity'],
      [{ variantId: variant(0), quantity: '2' }, 'quantity'],
      [{ variantId: variant(0), quantity: true }, 'quantity'],
      [{ variantId: variant(0), quantity: [2] }, 'quantity'],
      [{ variantId: variant(0) }, 'quantity'],
      [{ variantId: 'abc', quantity: 1 }, 'variantId'],
      [{ variantId: -5, quantity: 1 }, 'variantId'],
      [{ quantity: 1 }, 'variantId'],
    ] as const) {
      const response = await client.post('/api/cart/items', body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(errorOf(response).field, field, JSON.stringify(body));
    }
    assert.equal(json<CartBody>(await client.get('/api/cart')).items.length, 0, 'nothing written by rejected requests');
  });

  it('a refused add writes nothing: no cart for a first add, and an existing line keeps its quantity', async () => {
    const { client, userId } = await signedInClient(harness);
    const carts = async (): Promise<number> =>
      (await harness.db.pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM carts WHERE user_id = $1', [userId])).rows[0]?.n ?? -1;
    const refused = await client.post('/api/cart/items', { variantId: variant(1), quantity: 4 });
    assert.equal(refused.statusCode, 409);
    assert.equal(await carts(), 0, 'a refused first add creates no cart');
    assert.equal(json<CartBody>(await client.post('/api/cart/items', { variantId: variant(1), quantity: 2 })).items[0]?.quantity, 2);
    // 2 in the cart + 2 more is over the stock of 3: the line stays at 2
    const over = await client.post('/api/cart/items', { variantId: variant(1), quantity: 2 });
    assert.equal(over.statusCode, 409);
    assert.deepEqual(errorOf(over), { code: 'OUT_OF_STOCK', message: 'only 3 left of this variant', field: 'quantity' });
    assert.deepEqual(json<CartBody>(await client.get('/api/cart')).items.map((item) => [item.variantId, item.quantity]), [[variant(1), 2]]);
    assert.equal(json<CartBody>(await client.post('/api/cart/items', { variantId: variant(1), quantity: 1 })).items[0]?.quantity, 3, 'up to the stock is fine');
    assert.equal(await carts(), 1);
  });

  it('does not sell unpublished products', async () => {
    const category = await createCategory(harness);
    const draft = await createProduct(seller, category.id, { status: 'draft', name: 'Draft' });
    const client = await new Client(harness.app).init();
    const response = await client.post('/api/cart/items', { variantId: draft.variants[0]?.id, quantity: 1 });
    assert.equal(response.statusCode, 404);
  });

  it('keeps the cart across login: the anonymous cart merges into the user cart', async () => {
    const user = await createUser(harness, 'customer');
    // the user already has one of variant 0 in their cart from an earlier visit
    const earlier = await new Client(harness.app).init();
    await earlier.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    await earlier.post('/api/cart/items', { variantId: variant(0), quantity: 1 });
    await earlier.post('/api/auth/logout');

    const browser = await new Client(harness.app).init();
    await browser.post('/api/cart/items', { variantId: variant(0), quantity: 2 });
    await browser.post('/api/cart/items', { variantId: variant(1), quantity: 1 });
    const login = await browser.post('/api/auth/login', { email: user.email, password: TEST_PASSWORD });
    assert.equal(login.statusCode, 200);
    const cart = json<CartBody>(await browser.get('/api/cart'));
    assert.deepEqual(
      cart.items.map((item) => [item.variantId, item.quantity]),
      [
        [variant(0), 3],
        [variant(1), 1],
      ],
    );
    // after logout the cart stays with the account, not the browser
    await browser.post('/api/auth/logout');
    assert.equal(json<CartBody>(await browser.get('/api/cart')).count, 0);
  });

  it('requires the CSRF token for cart writes', async () => {
    const client = await new Client(harness.app).init();
    const response = await client.post('/api/cart/items', { variantId: variant(0), quantity: 1 }, { withoutCsrf: true });
    assert.equal(response.statusCode, 403);
    assert.equal(errorOf(response).code, 'CSRF_INVALID');
    const noSession = await new Client(harness.app).post('/api/cart/items', { variantId: variant(0), quantity: 1 });
    assert.equal(noSession.statusCode, 403);
  });
});
