import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { CHECKOUT, Client, createCategory, createHarness, createProduct, errorOf, json, signedInClient, type CreatedProduct, type Harness } from '../testing/harness.js';

let harness: Harness;
let product: CreatedProduct;
let buyer: Client;
let orderId: number;

before(async () => {
  harness = await createHarness();
  const { client: seller } = await signedInClient(harness, 'seller');
  product = await createProduct(seller, (await createCategory(harness)).id);
  buyer = (await signedInClient(harness, 'customer')).client;
  await buyer.post('/api/cart/items', { variantId: product.variants[0]?.id, quantity: 1 });
  await buyer.post('/api/cart/items', { variantId: product.variants[1]?.id, quantity: 1 });
  orderId = json<{ id: number }>(await buyer.post('/api/orders', CHECKOUT)).id;
});
after(async () => {
  await harness.close();
});

describe('POST /api/products/:id/reviews', () => {
  it('refuses a buyer whose order is not paid yet, and a customer who never bought', async () => {
    const unpaid = await buyer.post(`/api/products/${product.id}/reviews`, { rating: 5, body: 'Great' });
    assert.equal(unpaid.statusCode, 403);
    assert.equal(errorOf(unpaid).code, 'REVIEW_NOT_ALLOWED');
    const { client: stranger } = await signedInClient(harness, 'customer');
    assert.equal((await stranger.post(`/api/products/${product.id}/reviews`, { rating: 1, body: 'Fake' })).statusCode, 403);
  });

  it('lets a buyer review once per order line and keeps the product rating in step', async () => {
    await buyer.post(`/api/orders/${orderId}/pay`, { card: { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' } });
    const first = await buyer.post(`/api/products/${product.id}/reviews`, { rating: 4, title: 'Nice', body: "Fits well. <b>bold</b> -- true to size; don't tumble-dry <3" });
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(json<{ body: string }>(first).body, "Fits well. <b>bold</b> -- true to size; don't tumble-dry <3");
    const second = await buyer.post(`/api/products/${product.id}/reviews`, { rating: 2, body: 'The other size runs small' });
    assert.equal(second.statusCode, 201, 'the order had two lines of this product');
    const third = await buyer.post(`/api/products/${product.id}/reviews`, { rating: 5, body: 'Again' });
    assert.equal(third.statusCode, 409);
    assert.equal(errorOf(third).code, 'ALREADY_REVIEWED');
    const page = json<{ rating: { average: number; count: number }; reviews: { items: { rating: number }[] } }>(await new Client(harness.app).get(`/api/products/${product.id}`));
    assert.deepEqual(page.rating, { average: 3, count: 2 });
    assert.deepEqual(page.reviews.items.map((review) => review.rating).sort(), [2, 4]);
    const list = json<{ items: unknown[]; nextCursor: string | null }>(await new Client(harness.app).get(`/api/products/${product.id}/reviews?limit=1`));
    assert.equal(list.items.length, 1);
    assert.ok(list.nextCursor);
  });

  it('validates rating and text, and answers 404 for unknown products and 401 when signed out', async () => {
    for (const [body, field] of [
      [{ rating: 0, body: 'x' }, 'rating'],
      [{ rating: 6, body: 'x' }, 'rating'],
      [{ rating: 4.5, body: 'x' }, 'rating'],
      [{ rating: '5', body: 'x' }, 'rating'],
      [{ rating: 5 }, 'body'],
      [{ rating: 5, body: '' }, 'body'],
      [{ rating: 5, body: 'x'.repeat(5001) }, 'body'],
    ] as const) {
      const response = await buyer.post(`/api/products/${product.id}/reviews`, body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.equal(errorOf(response).field, field);
    }
    assert.equal((await buyer.post('/api/products/987654/reviews', { rating: 5, body: 'x' })).statusCode, 404);
    const anonymous = await new Client(harness.app).init();
    assert.equal((await anonymous.post(`/api/products/${product.id}/reviews`, { rating: 5, body: 'x' })).statusCode, 401);
  });
});
