/// <reference lib="dom" />
// (functions passed to page.evaluate run in the browser)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ApiClient } from './api-client.js';
import { createCatalogue, SELLER, type CatalogueFixture } from './fixtures.js';
import { screenshot, SKIP_REASON, startStack, type Stack } from './harness.js';
import { garmentPng } from './png.js';

describe('a seller posts a product', { skip: SKIP_REASON }, () => {
  let stack: Stack;
  let fixture: CatalogueFixture;

  before(async () => {
    stack = await startStack();
    fixture = await createCatalogue(stack.db, stack.apiUrl);
  });
  after(async () => {
    await stack?.close();
  });

  it('creates a product with variants and a photo, publishes it, and it appears in the shop list', async () => {
    const { page, context } = await stack.newPage();
    try {
      await page.goto('/login?next=/seller');
      await page.getByLabel('Email', { exact: true }).fill(SELLER.email);
      await page.getByLabel('Password', { exact: true }).fill(SELLER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'My products' }).waitFor();
      await page.locator('table tbody tr').first().waitFor();
      await screenshot(page, 'seller-01-my-products');

      await page.getByRole('link', { name: '+ New product' }).click();
      await page.getByLabel('Name').fill('Quilted Puffer Vest');
      await page.getByLabel('Category').selectOption({ label: 'Outerwear' });
      await page.getByLabel('Description').fill('Recycled-fill quilted vest.\n\nPacks into its own pocket.');
      await page.getByLabel('Size of variant 1').fill('M');
      await page.getByLabel('Colour of variant 1').fill('Rust');
      await page.getByLabel('Price of variant 1').fill('54.50');
      await page.getByLabel('Stock of variant 1').fill('7');
      await page.getByRole('button', { name: '+ Add variant' }).click();
      await page.getByLabel('Size of variant 2').fill('L');
      await page.getByLabel('Price of variant 2').fill('$1,054');
      await page.getByLabel('Stock of variant 2').fill('3');
      await page.getByTestId('image-input').setInputFiles({ name: 'vest.png', mimeType: 'image/png', buffer: garmentPng([163, 81, 42]) });
      await page.getByRole('img', { name: /New photo vest\.png/ }).waitFor();
      await screenshot(page, 'seller-02-new-product-form');

      await page.getByRole('button', { name: 'Create and publish' }).click();
      await page.waitForURL(/\/seller\/products\/\d+$/);
      await page.getByRole('heading', { name: 'Edit “Quilted Puffer Vest”' }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Product created and published.' }).waitFor();
      await screenshot(page, 'seller-03-product-saved');

      const { rows } = await stack.db.pool.query<{ status: string; prices: number[]; images: string }>(
        `SELECT p.status, array_agg(v.price_cents ORDER BY v.size) AS prices,
                (SELECT count(*) FROM product_images i WHERE i.product_id = p.id) AS images
           FROM products p JOIN product_variants v ON v.product_id = p.id
          WHERE p.name = 'Quilted Puffer Vest' GROUP BY p.id`,
      );
      assert.equal(rows[0]?.status, 'published');
      assert.deepEqual(rows[0]?.prices, [105400, 5450], 'dollar prices were sent as cents (L, M)');
      assert.equal(Number(rows[0]?.images), 1, 'the photo was uploaded');

      await page.goto('/');
      const card = page.locator('.product-card', { hasText: 'Quilted Puffer Vest' });
      await card.waitFor();
      const image = card.locator('img');
      await image.scrollIntoViewIfNeeded();
      await page.waitForFunction((el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0, await image.elementHandle());
      assert.match((await image.getAttribute('srcset')) ?? '', /\/media\/images\/[^/]+\/320\.webp 320w/);
      assert.equal((await card.locator('.product-card__price').textContent()), '$54.50 – $1,054.00');
      await screenshot(page, 'seller-04-product-in-list');
    } finally {
      await context.close();
    }
  });

  it("lists the seller's paid orders and marks one shipped", async () => {
    // a customer buys one of the seller's products through the API
    const buyer = new ApiClient(stack.apiUrl);
    await buyer.request('POST', '/api/auth/signup', { email: `buyer.${Date.now()}@example.com`, password: 'buyer-password-1', name: 'Bea Buyer' });
    const product = await buyer.request<{ variants: { id: number }[] }>('GET', `/api/products/${fixture.productIds[1]}`);
    await buyer.request('POST', '/api/cart/items', { variantId: product.variants[0]?.id, quantity: 2 });
    const order = await buyer.request<{ id: number }>(
      'POST',
      '/api/orders',
      { address: { recipientName: 'Bea Buyer', line1: '500 Pine Street', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' }, shippingMethod: 'standard' },
      { 'idempotency-key': `e2e-${Date.now()}` },
    );
    await buyer.request('POST', `/api/orders/${order.id}/pay`, { card: { number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' } });

    const { page, context } = await stack.newPage();
    try {
      await page.goto('/login?next=/seller/orders');
      await page.getByLabel('Email', { exact: true }).fill(SELLER.email);
      await page.getByLabel('Password', { exact: true }).fill(SELLER.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const row = page.locator('table tbody tr', { hasText: `#${order.id}` });
      await row.getByText('Bea Buyer').first().waitFor();
      await row.getByText('500 Pine Street').waitFor();
      await row.getByText('2 × Linen Camp Collar Shirt').waitFor();
      await screenshot(page, 'seller-05-orders');
      await row.getByRole('button', { name: 'Mark shipped' }).click();
      await row.getByText('Shipped', { exact: true }).waitFor();
      const { rows } = await stack.db.pool.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [order.id]);
      assert.equal(rows[0]?.status, 'shipped');
    } finally {
      await context.close();
    }
  });

  it('tells a customer that the seller area is for sellers', async () => {
    const { page, context } = await stack.newPage();
    try {
      await page.goto('/signup?next=/seller');
      await page.getByLabel('Email', { exact: true }).fill(`shopper.${Date.now()}@example.com`);
      await page.getByLabel('Name', { exact: true }).fill('Sam Shopper');
      await page.getByLabel('Password', { exact: true }).fill('just-a-customer-1');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByText('Your account is a customer account.').waitFor();
      await screenshot(page, 'seller-06-customer-refused');
    } finally {
      await context.close();
    }
  });
});
