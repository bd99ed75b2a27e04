/// <reference lib="dom" />
// (functions passed to page.evaluate run in the browser)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { DEMO_EMAILS, DEMO_PASSWORD, seedDemoData } from '@threadline/demo';

import { changeProductList, screenshot, SKIP_REASON, startStack, type Stack } from './harness.js';

/** Every photo on the page has loaded: lazy ones are switched to eager so the browser fetches them all. */
async function allImagesLoaded(page: Page): Promise<{ total: number; broken: number }> {
  await page.evaluate(() => {
    for (const image of Array.from(document.images)) image.loading = 'eager';
  });
  await page.waitForFunction(() => Array.from(document.images).every((image) => image.complete), undefined, { timeout: 15_000 });
  return page.evaluate(() => {
    const images = Array.from(document.images);
    return { total: images.length, broken: images.filter((image) => image.naturalWidth === 0).length };
  });
}

describe('the shop with the demo catalogue', { skip: SKIP_REASON }, () => {
  let stack: Stack;

  before(async () => {
    stack = await startStack();
    await seedDemoData(stack.db.pool, { seed: 42, dataDir: stack.dataDir, products: 80, customers: 150, days: 20 });
  });
  after(async () => {
    await stack?.close();
  });

  it('lists 24 products with their photos, loads more, and filters by colour family', async () => {
    const { page, context } = await stack.newPage();
    try {
      await page.goto('/');
      await page.locator('[data-testid="product-grid"] .product-card').first().waitFor();
      assert.equal(await page.locator('.product-card').count(), 24, 'the first page holds 24 products');
      const images = await allImagesLoaded(page);
      assert.equal(images.broken, 0, `${images.broken} of ${images.total} photos did not load`);
      await screenshot(page, 'demo-01-list');

      await page.getByRole('button', { name: 'Load more' }).click();
      await page.locator('.product-card').nth(24).waitFor();
      assert.equal(await page.locator('.product-card').count(), 48, 'load more appends the next 24');

      // colour families: the demo's free names (Olive, Forest Green…) filter under Green
      const green = page.getByRole('button', { name: 'Green', exact: true });
      const shownCount = Number(/\((\d+)\)/.exec((await green.textContent()) ?? '')?.[1]);
      assert.ok(shownCount > 0, 'the Green swatch shows how many products come in green');
      await changeProductList(page, 'family=green', () => green.click());
      assert.equal(await green.getAttribute('aria-pressed'), 'true');
      await page.getByText(new RegExp(`^(Showing \\d+ of )?${shownCount} products$`)).waitFor();
      const colourLists = await page.locator('.product-card .swatches').evaluateAll((lists) => lists.map((list) => list.getAttribute('aria-label') ?? ''));
      assert.ok(colourLists.length > 0, 'some demo products come in green');
      for (const label of colourLists) assert.match(label, /\b(Olive|Forest Green)\b/, `a card without a green colour: ${label}`);
      const { rows } = await stack.db.pool.query<{ count: string }>(
        `SELECT count(DISTINCT p.id) FROM products p JOIN product_variants v ON v.product_id = p.id
          WHERE p.status = 'published' AND lower(v.colour) IN ('olive', 'forest green')`,
      );
      assert.equal(shownCount, Number(rows[0]?.count), 'the count is every published product in olive or forest green');
      await screenshot(page, 'demo-02-green');
      // the chip above the list clears the family again
      await changeProductList(page, '/api/products?limit', () => page.getByRole('button', { name: /Remove.*Green|Green.*remove/i }).click());
      assert.equal(await green.getAttribute('aria-pressed'), 'false');
    } finally {
      await context.close();
    }
  });

  it('shows the demo customer their order history', async () => {
    const { page, context } = await stack.newPage();
    try {
      await page.goto('/login?next=/orders');
      await page.getByLabel('Email', { exact: true }).fill(DEMO_EMAILS.customer);
      await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'My orders' }).waitFor();
      await page.locator('.order-row').first().waitFor();
      await screenshot(page, 'demo-03-orders');
      const firstOrder = page.locator('.order-row__id').first();
      await firstOrder.click();
      await page.getByRole('heading', { name: /^Order #\d+$/ }).waitFor();
      await screenshot(page, 'demo-04-order');

      const { rows } = await stack.db.pool.query<{ count: string }>(
        'SELECT count(*) FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = $1',
        [DEMO_EMAILS.customer],
      );
      await page.goto('/orders');
      await page.locator('.order-row').first().waitFor();
      const shown = await page.locator('.order-row').count();
      assert.equal(shown, Math.min(20, Number(rows[0]?.count)), 'the first page of orders is shown');
    } finally {
      await context.close();
    }
  });
});
