import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { ApiClient } from './api-client.js';
import { createCatalogue, type CatalogueFixture } from './fixtures.js';
import { changeProductList, screenshot, SKIP_REASON, startStack, type Stack } from './harness.js';

const ADMIN = { email: 'admin@e2e.threadline.dev', password: 'e2e-admin-pass-1', name: 'Ana Admin' };
const CUSTOMER = { email: 'casey@e2e.threadline.dev', password: 'e2e-customer-pass-1', name: 'Casey Customer' };

describe('the back office', { skip: SKIP_REASON }, () => {
  let stack: Stack;
  let fixture: CatalogueFixture;

  before(async () => {
    stack = await startStack();
    fixture = await createCatalogue(stack.db, stack.apiUrl);
    await new ApiClient(stack.apiUrl).request('POST', '/api/auth/signup', ADMIN);
    await stack.db.pool.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [ADMIN.email]);
    await new ApiClient(stack.apiUrl).request('POST', '/api/auth/signup', CUSTOMER);
  });
  after(async () => {
    await stack?.close();
  });

  it("maps a seller's new colour name to a family, and the shop's colour filter finds it at once", async () => {
    // the seller adds a colour the vocabulary does not know to the olive-only shirt
    const shirtId = fixture.productIds[1];
    await fixture.seller.request('PATCH', `/api/seller/products/${shirtId}`, { variants: [{ size: 'M', colour: 'Glacier', price: 6800, stock: 5 }] });
    const { page, context } = await stack.newPage();
    try {
      await page.goto('/');
      await page.locator('[data-testid="product-grid"] .product-card').first().waitFor();
      const blue = page.getByRole('button', { name: 'Blue', exact: true });
      const blueCount = async (): Promise<number> => Number(/\((\d+)\)/.exec((await blue.textContent()) ?? '')?.[1]);
      const before = await blueCount();

      await page.goto('/login?next=/admin/colours');
      await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Colours', level: 1 }).waitFor();
      const row = page.locator('table tbody tr', { hasText: 'Glacier' });
      await row.waitFor();
      assert.equal(await page.locator('table tbody tr').count(), 1, 'every other fixture colour is in the vocabulary');
      await page.getByLabel('Family of Glacier').selectOption('blue');
      await screenshot(page, 'admin-colours-01-unmapped');
      await row.getByRole('button', { name: 'Save Glacier' }).click();
      await page.getByRole('status').filter({ hasText: '“Glacier” is now Blue (1 variant).' }).waitFor();
      await page.getByTestId('no-unmapped').waitFor();
      await screenshot(page, 'admin-colours-02-mapped');

      await page.goto('/');
      await page.locator('[data-testid="product-grid"] .product-card').first().waitFor();
      assert.equal(await blueCount(), before + 1, 'the shirt now counts under Blue');
      await changeProductList(page, 'family=blue', () => blue.click());
      assert.ok((await page.locator('.product-card__name').allTextContents()).includes('Linen Camp Collar Shirt'));
      const { rows } = await stack.db.pool.query<{ count: string }>(`SELECT count(*) FROM audit_log WHERE action = 'colour.mapped'`);
      assert.equal(Number(rows[0]?.count), 1, 'the mapping is in the audit log');
    } finally {
      await context.close();
    }
  });

  it('lets an admin change a role and take a product off sale', async () => {
    const { page, context } = await stack.newPage();
    try {
      await page.goto('/login?next=/admin');
      await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
      await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Back office' }).waitFor();
      await screenshot(page, 'admin-01-overview');

      await page.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'Users & roles' }).click();
      const roleSelect = page.getByLabel(`Role of ${CUSTOMER.email}`);
      await roleSelect.selectOption('seller');
      await page.getByRole('status').filter({ hasText: `${CUSTOMER.email} is now seller.` }).waitFor();
      await screenshot(page, 'admin-02-users');
      const { rows: users } = await stack.db.pool.query<{ role: string }>('SELECT role FROM users WHERE email = $1', [CUSTOMER.email]);
      assert.equal(users[0]?.role, 'seller');

      await page.getByRole('navigation', { name: 'Back office' }).getByRole('link', { name: 'All products' }).click();
      await page.locator('table tbody tr').nth(fixture.productIds.length - 1).waitFor();
      const row = page.locator('table tbody tr', { hasText: 'Wrap Midi Dress' });
      await row.getByRole('button', { name: 'Take off sale' }).click();
      await page.getByRole('status').filter({ hasText: '“Wrap Midi Dress” is off sale.' }).waitFor();
      await screenshot(page, 'admin-03-all-products');
      const { rows: products } = await stack.db.pool.query<{ status: string }>(`SELECT status FROM products WHERE name = 'Wrap Midi Dress'`);
      assert.equal(products[0]?.status, 'unpublished');

      await page.goto('/');
      await page.locator('[data-testid="product-grid"] .product-card').first().waitFor();
      const names = await page.locator('[data-testid="product-grid"] .product-card__name').allTextContents();
      assert.ok(!names.includes('Wrap Midi Dress'), 'a product taken off sale leaves the shop list');
    } finally {
      await context.close();
    }
  });

  it('keeps customers out of the back office', async () => {
    const { page, context } = await stack.newPage();
    try {
      const other = { email: `drew.${Date.now()}@example.com`, password: 'e2e-customer-pass-2', name: 'Drew' };
      await new ApiClient(stack.apiUrl).request('POST', '/api/auth/signup', other);
      await page.goto('/login?next=/admin/users');
      await page.getByLabel('Email', { exact: true }).fill(other.email);
      await page.getByLabel('Password', { exact: true }).fill(other.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('The back office is for the shop team.').waitFor();
      assert.equal(await page.locator('table').count(), 0, 'no user table is shown');
    } finally {
      await context.close();
    }
  });
});
