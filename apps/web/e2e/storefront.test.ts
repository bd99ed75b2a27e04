/**
 * The storefront as shoppers and search engines meet it (issue 18), in Chromium against the real
 * stack: colour photos, search through a typo and a suggestion, real 404s, page titles, and axe-core
 * on every page (storefront, account, seller and back office) at desktop and phone sizes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { ApiClient } from './api-client.js';
import { createCatalogue, type CatalogueFixture } from './fixtures.js';
import { screenshot, SKIP_REASON, startStack, type Stack } from './harness.js';
import { garmentPng } from './png.js';

const ADMIN = { email: 'admin@store.threadline.dev', password: 'e2e-admin-pass-1', name: 'Ana Admin' };
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

function readViolations(value: unknown): Violation[] {
  assert.ok(Array.isArray(value), 'axe answered a list');
  return value.map((entry: unknown) => {
    assert.ok(typeof entry === 'object' && entry !== null);
    const { id, impact, help, targets } = entry as Record<string, unknown>; // checked to be an object above
    return { id: String(id), impact: String(impact), help: String(help), targets: Array.isArray(targets) ? targets.map(String) : [] };
  });
}

/** axe-core's serious and critical violations on the page as it is now. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  // evaluated through the DevTools protocol: the shop's CSP (script-src 'self') rightly refuses an inline tag
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) })))`);
  return readViolations(found);
}

async function signIn(page: Page, person: { email: string; password: string }): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('summary[aria-label^="Account menu for"]').waitFor();
}

/** The main image's file key (/media/images/<key>/<width>.webp). */
async function mainImageKey(page: Page): Promise<string> {
  const src = (await page.locator('.gallery__main').getAttribute('src')) ?? '';
  return /\/media\/images\/([^/]+)\//.exec(src)?.[1] ?? '';
}

describe('the storefront', { skip: SKIP_REASON }, () => {
  let stack: Stack;
  let fixture: CatalogueFixture;
  let twoColourId: number;
  const photoKeys: Record<string, string> = {};

  before(async () => {
    stack = await startStack();
    fixture = await createCatalogue(stack.db, stack.apiUrl);
    const created = await fixture.seller.request<{ id: number }>('POST', '/api/seller/products', {
      name: 'Ribbed Knit Cardigan',
      description: 'A soft ribbed cardigan in a cotton and wool blend.',
      categoryId: fixture.categoryIds.knitwear,
      variants: ['Cream', 'Burgundy'].flatMap((colour) => ['S', 'M'].map((size) => ({ size, colour, price: 7900, stock: 9 }))),
    });
    twoColourId = created.id;
    // burgundy uploaded first: a gallery that ignored the colour would open on it
    for (const [colour, rgb] of [['Burgundy', [109, 31, 47]], ['Cream', [236, 227, 207]]] as const) {
      const form = new FormData();
      form.append('colour', colour);
      form.append('image', new Blob([new Uint8Array(garmentPng(rgb))], { type: 'image/png' }), `${colour}.png`);
      const image = await fixture.seller.request<{ key: string }>('POST', `/api/seller/products/${twoColourId}/images`, form);
      photoKeys[colour] = image.key;
    }
    await fixture.seller.request('POST', `/api/seller/products/${twoColourId}/publish`);
    await new ApiClient(stack.apiUrl).request('POST', '/api/auth/signup', ADMIN);
    await stack.db.pool.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [ADMIN.email]);
  });
  after(async () => {
    await stack?.close();
  });

  it('shows the photos of the chosen colour on the product page and in the cart', async () => {
    const { page, context } = await stack.newPage();
    try {
      await page.goto(`/products/${twoColourId}`);
      await page.getByRole('heading', { level: 1, name: 'Ribbed Knit Cardigan' }).waitFor();
      assert.equal(await mainImageKey(page), photoKeys.Cream, 'opens on the preselected colour (Cream), not the first upload');
      await page.getByRole('radio', { name: 'Burgundy' }).click();
      await page.waitForFunction((key) => document.querySelector('.gallery__main')?.getAttribute('src')?.includes(key), photoKeys.Burgundy ?? 'missing');
      await page.getByRole('radio', { name: 'Cream' }).click();
      await page.getByRole('radio', { name: 'M', exact: true }).click();
      assert.equal(await mainImageKey(page), photoKeys.Cream);
      await screenshot(page, 'storefront-01-colour-photo');
      // zoom: the photo opens full size in a dialog, Escape closes it
      await page.getByRole('button', { name: /^Zoom: / }).click();
      const zoomed = page.getByRole('dialog');
      await zoomed.waitFor();
      assert.match((await zoomed.locator('img').getAttribute('src')) ?? '', new RegExp(`${photoKeys.Cream ?? 'missing'}/\\d+\\.webp`));
      await page.keyboard.press('Escape');
      await zoomed.waitFor({ state: 'hidden' });
      // the size guide for a knit (clothing sizes)
      await page.getByText('Size guide').click();
      await page.getByRole('table', { name: /Clothing sizes/ }).waitFor();
      await page.getByRole('button', { name: 'Add to cart' }).click();
      await page.locator('[data-testid="cart-count"]', { hasText: '1' }).waitFor();
      await page.goto('/cart');
      const cartImage = page.locator('main img').first();
      await cartImage.waitFor();
      assert.match((await cartImage.getAttribute('src')) ?? '', new RegExp(photoKeys.Cream ?? 'missing'), 'the cart shows the cream photo');
    } finally {
      await context.close();
    }
  });

  it('finds products through a typo and suggests them while typing', async () => {
    const { page, context } = await stack.newPage();
    try {
      await page.goto('/?q=jakcet');
      await page.getByTestId('search-correction').filter({ hasText: '“jacket”' }).waitFor();
      assert.deepEqual(await page.locator('[data-testid="product-grid"] .product-card__name').allTextContents(), ['Waxed Field Jacket']);
      await screenshot(page, 'storefront-02-typo');

      await page.goto('/');
      const box = page.getByRole('combobox', { name: 'Search products' });
      await box.pressSequentially('cardi', { delay: 30 });
      const option = page.getByRole('option', { name: /Ribbed Knit Cardigan/ });
      await option.waitFor();
      await screenshot(page, 'storefront-03-suggestions');
      await box.press('ArrowDown');
      await box.press('Enter');
      await page.waitForURL(new RegExp(`/products/${twoColourId}$`));
      await page.getByRole('heading', { level: 1, name: 'Ribbed Knit Cardigan' }).waitFor();

      await page.goto('/?q=zzzqqq');
      await page.getByTestId('empty-results').filter({ hasText: 'Nothing matches “zzzqqq”' }).waitFor();
      assert.doesNotMatch((await page.getByTestId('empty-results').textContent()) ?? '', /size or colour/, 'an empty search does not blame filters it never had');
    } finally {
      await context.close();
    }
  });

  it('answers unknown addresses and products with a real 404, and titles every page', async () => {
    const { page, context } = await stack.newPage();
    try {
      const missing = await page.goto('/no-such-page');
      assert.equal(missing?.status(), 404);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      assert.equal(await page.title(), 'Page not found · Threadline');
      const gone = await page.goto('/products/987654');
      assert.equal(gone?.status(), 404);

      const home = await page.goto('/');
      assert.equal(home?.status(), 200);
      assert.equal(await page.title(), 'Threadline — clothing for every season');
      const product = await page.goto(`/products/${fixture.productIds[3]}`);
      assert.equal(product?.status(), 200);
      assert.equal(await page.title(), 'Waxed Field Jacket · Threadline', 'server-rendered title, before any script');
      // moving inside the app retitles the tab
      await page.getByRole('link', { name: /^Cart \d+ item/ }).click();
      await page.getByRole('heading', { name: 'Your cart', exact: true }).waitFor();
      assert.equal(await page.title(), 'Your cart · Threadline');
    } finally {
      await context.close();
    }
  });

  it('logs no failed request to the console on anonymous pages', async () => {
    const { page, context } = await stack.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    try {
      await page.goto('/');
      await page.locator('[data-testid="product-grid"] .product-card').first().waitFor();
      await page.goto(`/products/${fixture.productIds[0]}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  for (const isPhone of [false, true]) {
    const size = isPhone ? 'phone' : 'desktop';
    it(`has no serious or critical axe-core violation on any page (${size})`, async () => {
      const { page, context } = await stack.newPage({ isPhone });
      const failures: string[] = [];
      const check = async (label: string): Promise<void> => {
        for (const violation of await seriousViolations(page)) failures.push(`${label}: ${violation.id} (${violation.impact}) ${violation.help} — ${violation.targets.join(' | ')}`);
      };
      try {
        await page.goto('/');
        await page.locator('[data-testid="product-grid"] .product-card').first().waitFor();
        await check('home');
        await page.goto('/?q=jakcet');
        await page.getByTestId('search-correction').waitFor();
        await check('search');
        await page.goto(`/products/${twoColourId}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await check('product');
        await page.goto('/no-such-page');
        await check('404');
        await page.goto('/signup');
        await page.getByRole('button', { name: 'Create account' }).waitFor();
        await check('signup');

        await signIn(page, ADMIN);
        await page.goto(`/products/${fixture.productIds[0]}`);
        await page.getByRole('radio', { name: 'M', exact: true }).click();
        await page.getByRole('button', { name: 'Add to cart' }).click();
        await page.getByRole('status').filter({ hasText: 'Added 1' }).waitFor();
        await page.goto('/cart');
        await page.getByRole('heading', { name: 'Your cart', exact: true }).waitFor();
        await check('cart');
        await page.goto('/checkout');
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await check('checkout');
        await page.goto('/orders');
        await page.getByRole('heading', { level: 1 }).first().waitFor();
        await check('orders');
        for (const path of ['/seller', '/seller/products/new', '/seller/orders']) {
          await page.goto(path);
          await page.getByRole('heading', { level: 1 }).first().waitFor();
          await check(path);
        }

        await page.goto('/admin');
        await page.getByRole('heading', { name: 'Back office' }).waitFor();
        await check('/admin');
        const links = await page.locator('.tile-grid a').evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute('href') ?? ''));
        assert.ok(links.length >= 8, `every back-office page is linked (${links.join(', ')})`);
        for (const link of links) {
          await page.goto(link);
          await page.getByRole('heading', { level: 1 }).first().waitFor();
          await page.locator('.admin__main [aria-busy="true"]').first().waitFor({ state: 'detached' }).catch(() => undefined);
          await check(link);
        }
        if (!isPhone) await screenshot(page, 'storefront-04-last-back-office-page');
        assert.deepEqual(failures, []);
      } finally {
        await context.close();
      }
    });
  }
});
