/// <reference lib="dom" />
// (functions passed to page.evaluate run in the browser)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { NEW_YORK, shipTo } from './checkout-steps.js';
import { createCatalogue, type CatalogueFixture } from './fixtures.js';
import { changeProductList, screenshot, SKIP_REASON, startStack, type Stack } from './harness.js';

const GOOD_CARD = '4242 4242 4242 4242';
const DECLINED_CARD = '4000 0000 0000 0002';

async function signUp(page: Page, person: { email: string; name: string; password: string }, shot?: string): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Name', { exact: true }).fill(person.name);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByLabel('Age').selectOption('25-34');
  await page.getByLabel('Country').selectOption('CA');
  await page.getByLabel(/news and offers/).check();
  if (shot) await screenshot(page, shot);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.locator(`summary[aria-label="Account menu for ${person.name}"]`).waitFor();
}

async function payWith(page: Page, card: string): Promise<void> {
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('12/34');
  await page.getByLabel('Security code').fill('123');
  await page.getByRole('button', { name: /^Pay \$/ }).click();
}

/** Clickstream event types the page sent to /collect (fetch or beacon). */
function collectedEventTypes(page: Page): Set<string> {
  const types = new Set<string>();
  page.on('request', (request) => {
    if (!request.url().endsWith('/collect') || request.method() !== 'POST') return;
    try {
      const body: unknown = JSON.parse(request.postData() ?? '');
      if (typeof body === 'object' && body !== null && 'events' in body && Array.isArray(body.events)) {
        for (const event of body.events) if (typeof event === 'object' && event !== null && 'type' in event) types.add(String(event.type));
      }
    } catch {
      // not a batch: ignored
    }
  });
  return types;
}

async function productCardNames(page: Page): Promise<string[]> {
  return page.locator('[data-testid="product-grid"] .product-card__name').allTextContents();
}

describe('a customer in the shop', { skip: SKIP_REASON }, () => {
  let stack: Stack;
  let fixture: CatalogueFixture;

  before(async () => {
    stack = await startStack();
    fixture = await createCatalogue(stack.db, stack.apiUrl);
  });
  after(async () => {
    await stack?.close();
  });

  it('signs up, logs in, filters the list, adds a variant to the cart, pays with 4242… and sees the order', async () => {
    const { page, context } = await stack.newPage();
    const person = { email: `ada.${Date.now()}@example.com`, name: 'Ada Lovelace', password: 'correct horse battery' };
    const sentEvents = collectedEventTypes(page);
    try {
      await page.goto('/');
      await page.locator('[data-testid="product-grid"] .product-card').first().waitFor();
      assert.equal((await productCardNames(page)).length, fixture.productIds.length, 'every published product is listed');
      await screenshot(page, 'customer-01-product-list');

      await signUp(page, person, 'customer-02-signup');
      const { rows: users } = await stack.db.pool.query<{ country: string; age_band: string; region: string; marketing_consent: boolean }>(
        'SELECT country, age_band, region, marketing_consent FROM users WHERE email = $1',
        [person.email],
      );
      assert.deepEqual(users[0], { country: 'CA', age_band: '25-34', region: 'north_america', marketing_consent: true }, 'segment attributes were saved');

      // sign out, then back in through the login page
      await page.locator('summary[aria-label^="Account menu"]').click();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Email', { exact: true }).fill(person.email);
      await page.getByLabel('Password', { exact: true }).fill('wrong password!');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').filter({ hasText: /wrong/i }).waitFor();
      await screenshot(page, 'customer-03-login-error');
      await page.getByLabel('Password', { exact: true }).fill(person.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator(`summary[aria-label="Account menu for ${person.name}"]`).waitFor();

      // filter: category, then size and colour
      await changeProductList(page, 'category=denim', () => page.getByRole('button', { name: 'Denim', exact: true }).click());
      await changeProductList(page, 'size=M', () => page.getByRole('button', { name: 'M', exact: true }).click());
      await changeProductList(page, 'family=black', () => page.getByRole('button', { name: 'Black', exact: true }).click());
      assert.deepEqual(await productCardNames(page), ['High-Rise Straight Jeans']);
      await screenshot(page, 'customer-04-filtered-list');

      await page.getByRole('link', { name: 'High-Rise Straight Jeans' }).click();
      await page.getByRole('heading', { level: 1, name: 'High-Rise Straight Jeans' }).waitFor();
      await page.getByRole('radio', { name: 'Black' }).click();
      await page.getByRole('radio', { name: 'M', exact: true }).click();
      await page.getByText('In stock').waitFor();
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.getByRole('status').filter({ hasText: 'Added 1 × High-Rise Straight Jeans (Black, M)' }).waitFor();
      await page.locator('[data-testid="cart-count"]', { hasText: '1' }).waitFor();
      await screenshot(page, 'customer-05-product');

      await page.getByRole('link', { name: /^Cart 1 item/ }).click();
      await page.getByRole('heading', { name: 'Your cart' }).waitFor();
      await page.getByRole('link', { name: 'High-Rise Straight Jeans' }).waitFor();
      await screenshot(page, 'customer-06-cart');

      await page.getByRole('link', { name: 'Checkout' }).click();
      await shipTo(page, NEW_YORK);
      await payWith(page, GOOD_CARD);
      await page.waitForURL(/\/orders\/\d+\?placed=1/);
      await page.getByRole('heading', { name: /your order is confirmed/ }).waitFor();
      await screenshot(page, 'customer-07-confirmation');

      const orderId = Number(/\/orders\/(\d+)/.exec(page.url())?.[1]);
      const { rows: orders } = await stack.db.pool.query<{ status: string; total_cents: number; variant_colour: string; size: string }>(
        `SELECT o.status, o.total_cents, oi.colour AS variant_colour, oi.size
           FROM orders o JOIN order_items oi ON oi.order_id = o.id JOIN users u ON u.id = o.user_id
          WHERE o.id = $1 AND u.email = $2`,
        [orderId, person.email],
      );
      assert.equal(orders.length, 1, 'one order line for the customer');
      assert.equal(orders[0]?.status, 'paid');
      assert.deepEqual([orders[0]?.variant_colour, orders[0]?.size], ['Black', 'M']);
      const shownTotal = await page.getByTestId('order-total').textContent();
      assert.equal(shownTotal, new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format((orders[0]?.total_cents ?? 0) / 100));

      await page.getByRole('link', { name: 'My orders' }).first().click();
      await page.getByRole('link', { name: `Order #${orderId}` }).waitFor();
      await page.getByText('Paid', { exact: true }).waitFor();
      await screenshot(page, 'customer-08-order-history');

      // the pages reported the journey to the clickstream (batched; sent within a few seconds);
      // order_paid is a fact only the server knows, so the API records it and the browser never sends it
      const expected = ['page_view', 'sign_up', 'login', 'product_view', 'add_to_cart', 'checkout_started'];
      for (let waited = 0; waited < 10_000 && !expected.every((type) => sentEvents.has(type)); waited += 250) await page.waitForTimeout(250);
      assert.deepEqual(expected.filter((type) => !sentEvents.has(type)), [], 'every journey event reached /collect');
      assert.equal(sentEvents.has('order_paid'), false, 'the browser does not report payments (the API does)');

      // a buyer may review what they bought
      await page.goto(`/products/${fixture.productIds[4]}`);
      await page.getByRole('heading', { name: 'Write a review' }).waitFor();
      await page.getByRole('radio', { name: '5 stars' }).click();
      await page.getByLabel('Title').fill('Fits like a glove');
      await page.getByLabel('Your review').fill("True to size, and the denim's weight feels premium.");
      await page.getByRole('button', { name: 'Post review' }).click();
      await page.getByRole('status').filter({ hasText: 'your review is published' }).waitFor();
      await page.locator('.review', { hasText: 'Fits like a glove' }).waitFor();
      await screenshot(page, 'customer-09-review');
      const { rows: reviews } = await stack.db.pool.query<{ rating: number }>('SELECT rating FROM reviews WHERE product_id = $1', [fixture.productIds[4]]);
      assert.deepEqual(reviews.map((r) => r.rating), [5]);
    } finally {
      await context.close();
    }
  });

  it('shows a clear message when the card is declined, and a retry with a good card pays the same order', async () => {
    const { page, context } = await stack.newPage();
    const person = { email: `grace.${Date.now()}@example.com`, name: 'Grace Hopper', password: 'cobol-is-forever-1' };
    try {
      await signUp(page, person);
      await page.goto(`/products/${fixture.productIds[0]}`);
      await page.getByRole('radio', { name: 'Navy' }).click();
      await page.getByRole('radio', { name: 'S', exact: true }).click();
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.locator('[data-testid="cart-count"]', { hasText: '1' }).waitFor();
      await page.goto('/checkout');
      await shipTo(page, NEW_YORK);
      await payWith(page, DECLINED_CARD);
      const message = page.getByTestId('payment-error');
      await message.waitFor();
      assert.match((await message.textContent()) ?? '', /declined.*not been charged/);
      await screenshot(page, 'declined-01-message');

      const { rows: pending } = await stack.db.pool.query<{ id: number; status: string }>(
        'SELECT o.id, o.status FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = $1',
        [person.email],
      );
      assert.deepEqual(pending.map((o) => o.status), ['pending'], 'the declined order stays pending and unpaid');

      await page.getByLabel('Card number').fill(GOOD_CARD);
      await page.getByRole('button', { name: /^Pay \$/ }).click();
      await page.waitForURL(/\/orders\/\d+\?placed=1/);
      const { rows: paid } = await stack.db.pool.query<{ id: number; status: string }>(
        'SELECT o.id, o.status FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = $1',
        [person.email],
      );
      assert.deepEqual(paid.map((o) => [Number(o.id), o.status]), [[Number(pending[0]?.id), 'paid']], 'the retry paid the same order');
      await screenshot(page, 'declined-02-retry-paid');
    } finally {
      await context.close();
    }
  });

  it('pays an unpaid order later from its page', async () => {
    const { page, context } = await stack.newPage();
    const person = { email: `alan.${Date.now()}@example.com`, name: 'Alan Turing', password: 'enigma-machine-42' };
    try {
      await signUp(page, person);
      await page.goto(`/products/${fixture.productIds[3]}`);
      await page.getByRole('radio', { name: 'Olive' }).click();
      await page.getByRole('radio', { name: 'XL', exact: true }).click();
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.locator('[data-testid="cart-count"]', { hasText: '1' }).waitFor();
      await page.goto('/checkout');
      await shipTo(page, NEW_YORK);
      await payWith(page, DECLINED_CARD);
      await page.getByTestId('payment-error').waitFor();

      await page.goto('/orders');
      await page.getByText('Awaiting payment').waitFor();
      await page.locator('.order-row__id').first().click();
      await page.getByRole('link', { name: 'Pay for this order' }).click();
      await page.waitForURL(/\/checkout\?order=\d+/);
      await page.getByText('1 × Waxed Field Jacket').waitFor();
      await screenshot(page, 'declined-03-pay-later');
      await payWith(page, GOOD_CARD);
      await page.waitForURL(/\/orders\/\d+\?placed=1/);
      const { rows } = await stack.db.pool.query<{ status: string }>(
        'SELECT o.status FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = $1',
        [person.email],
      );
      assert.deepEqual(rows.map((o) => o.status), ['paid'], 'the one order was paid; no second order was placed');
    } finally {
      await context.close();
    }
  });

  it('can be used with the keyboard alone, with the focus always visible', async () => {
    const { page, context } = await stack.newPage();
    try {
      await page.goto('/');
      await page.locator('.product-card').first().waitFor();
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content', 'the first Tab reaches the skip link');
      const focusRing = () => page.evaluate(() => (document.activeElement ? getComputedStyle(document.activeElement).outlineStyle : 'none'));
      assert.notEqual(await focusRing(), 'none', 'the focused element shows an outline');

      await page.getByLabel('Search products').focus();
      await page.keyboard.type('merino');
      await changeProductList(page, 'q=merino', () => page.keyboard.press('Enter'));
      assert.deepEqual(await productCardNames(page), ['Merino Crew Sweater']);

      await page.getByRole('link', { name: 'Merino Crew Sweater' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Merino Crew Sweater' }).waitFor();
      await page.getByRole('radio', { name: 'Navy' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('radio', { name: 'L', exact: true }).focus();
      await page.keyboard.press('Space');
      assert.notEqual(await focusRing(), 'none');
      await page.getByRole('button', { name: 'Add to cart' }).focus();
      await page.keyboard.press('Enter');
      await page.locator('[data-testid="cart-count"]', { hasText: '1' }).waitFor();
      await screenshot(page, 'keyboard-01-added');
    } finally {
      await context.close();
    }
  });

  it('fits a phone screen: no sideways scrolling on the list, product, cart and sign-in pages', async () => {
    const { page, context } = await stack.newPage({ isPhone: true });
    try {
      for (const [path, name] of [
        ['/', 'phone-01-list'],
        [`/products/${fixture.productIds[2]}`, 'phone-02-product'],
        ['/cart', 'phone-03-cart'],
        ['/login', 'phone-04-login'],
      ] as const) {
        await page.goto(path);
        await page.locator('main h1').first().waitFor();
        await screenshot(page, name);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone screen`);
      }
    } finally {
      await context.close();
    }
  });
});
