/// <reference lib="dom" />
// (functions passed to page.evaluate run in the browser)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { createSmtpTransport, MailDeliveryLoop } from '@threadline/mail';
import { startSmtpSink, type SmtpSink } from '@threadline/mail/testing';

import { ApiClient } from './api-client.js';
import { fillAddress, shipTo } from './checkout-steps.js';
import { createCatalogue, type CatalogueFixture } from './fixtures.js';
import { screenshot, SKIP_REASON, startStack, type Stack } from './harness.js';

const DESKTOP = { width: 1366, height: 900 };
const GOOD_CARD = '4242 4242 4242 4242';
const DECLINED_CARD = '4000 0000 0000 0002';

/** Types the card as people do: the expiry without its slash ("1229" must be accepted). */
async function payWith(page: Page, card: string): Promise<void> {
  await page.getByLabel('Card number').fill(card);
  await page.getByLabel('Expiry (MM/YY)').fill('');
  await page.getByLabel('Expiry (MM/YY)').pressSequentially('1229');
  assert.equal(await page.getByLabel('Expiry (MM/YY)').inputValue(), '12/29', 'the expiry formats as it is typed');
  await page.getByLabel('Security code').fill('123');
  await page.getByRole('button', { name: /^Pay \$/ }).click();
}

async function addToCart(page: Page, productId: number, colour: string, size: string): Promise<void> {
  await page.goto(`/products/${productId}`);
  await page.getByRole('radio', { name: colour }).click();
  await page.getByRole('radio', { name: size, exact: true }).click();
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await page.getByRole('status').filter({ hasText: /^Added/ }).waitFor();
}

async function cartCount(page: Page): Promise<string> {
  return ((await page.locator('[data-testid="cart-count"]').textContent()) ?? '').trim();
}

describe('checkout with address, shipping, tax and e-mail', { skip: SKIP_REASON }, () => {
  let stack: Stack;
  let fixture: CatalogueFixture;
  let sink: SmtpSink;
  let delivery: MailDeliveryLoop;
  const admin = { email: 'admin@e2e.threadline.dev', password: 'e2e-admin-pass-1', name: 'Shop Admin' };

  before(async () => {
    stack = await startStack();
    fixture = await createCatalogue(stack.db, stack.apiUrl);
    sink = await startSmtpSink();
    // the worker's delivery loop, pointed at a real SMTP server
    delivery = new MailDeliveryLoop({ pool: stack.db.pool, transport: createSmtpTransport(sink.url), from: 'Threadline <shop@e2e.threadline.dev>', domain: 'e2e.threadline.dev', intervalMs: 200 });
    delivery.start();
    await new ApiClient(stack.apiUrl).request('POST', '/api/auth/signup', admin);
    await stack.db.pool.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [admin.email]);
  });
  after(async () => {
    await delivery?.stop();
    await sink?.close();
    await stack?.close();
  });

  it('a guest pays after a declined card without losing the cart, and the confirmation is in the outbox and the SMTP server', async () => {
    const { page, context } = await stack.newPage();
    await page.setViewportSize(DESKTOP);
    const email = `guest.${Date.now()}@example.com`;
    try {
      await addToCart(page, fixture.productIds[3] ?? 0, 'Olive', 'L'); // Waxed Field Jacket, $189
      await page.goto('/checkout');
      await page.getByText('Checking out as a guest').waitFor();
      await page.getByRole('button', { name: 'Continue to shipping' }).click();
      await page.getByText('Enter your e-mail address').waitFor();
      await page.getByLabel('Email').fill(email);
      await fillAddress(page, { recipientName: 'Maya Chen', country: 'CA', line1: '200 King Street West', city: 'Toronto', region: 'ON', postalCode: 'm5h 3t4' });
      await screenshot(page, 'checkout-01-guest-address');
      await shipTo(page, undefined, /Express/);
      await page.getByText('HST (13 %)').waitFor();
      await screenshot(page, 'checkout-02-guest-review');
      const shownTotal = await page.getByTestId('summary-total').textContent();
      assert.equal(shownTotal, '$247.41', '$189.00 + express $29.95 + 13 % HST on both');

      await payWith(page, DECLINED_CARD);
      await page.getByTestId('payment-error').waitFor();
      assert.equal(await page.getByRole('alert').count(), 1, 'one error at a time');
      assert.equal(await cartCount(page), '1', 'the cart keeps the jacket');
      await screenshot(page, 'checkout-03-guest-declined');
      await page.getByLabel('Card number').fill(GOOD_CARD);
      await page.getByRole('button', { name: /^Pay \$/ }).click();
      await page.waitForURL(/\/orders\/\d+\?placed=1/);
      await page.getByRole('heading', { name: /your order is confirmed/ }).waitFor();
      await page.getByText('200 King Street West').waitFor();
      await screenshot(page, 'checkout-04-guest-confirmation');
      const orderId = Number(/\/orders\/(\d+)/.exec(page.url())?.[1]);
      const { rows } = await stack.db.pool.query<{ status: string; guest_email: string; ship_country: string; ship_region: string; ship_city: string; ship_postal_code: string; count: number }>(
        'SELECT status, guest_email, ship_country, ship_region, ship_city, ship_postal_code, (SELECT count(*)::int FROM orders WHERE guest_email = $2) AS count FROM orders WHERE id = $1',
        [orderId, email],
      );
      assert.deepEqual(rows[0], { status: 'paid', guest_email: email, ship_country: 'CA', ship_region: 'ON', ship_city: 'Toronto', ship_postal_code: 'M5H 3T4', count: 1 });

      const received = await sink.waitFor((mail) => mail.to.includes(email));
      assert.equal(received.subject, `Your Threadline order #${orderId} is confirmed`);
      const link = /(https?:\/\/\S+\/orders\/\d+#token=[A-Za-z0-9_-]+)/.exec(received.text)?.[1];
      assert.ok(link, 'the e-mail links the order with its token');
      // the e-mailed link opens the order in a fresh browser (links use THREADLINE_PUBLIC_URL; here the test host)
      const { page: fresh, context: freshContext } = await stack.newPage({ isPhone: true });
      try {
        await fresh.goto(link.replace(/^https?:\/\/[^/]+/, ''));
        await fresh.getByRole('heading', { name: `Order #${orderId}` }).waitFor();
        await fresh.getByText('Paid', { exact: true }).waitFor();
        await screenshot(fresh, 'checkout-05-guest-order-phone');
      } finally {
        await freshContext.close();
      }
    } finally {
      await context.close();
    }

    // the back office shows the same mail in the outbox
    const { page: office, context: officeContext } = await stack.newPage();
    await office.setViewportSize(DESKTOP);
    try {
      await office.goto('/login?next=/admin/outbox');
      await office.getByLabel('Email', { exact: true }).fill(admin.email);
      await office.getByLabel('Password', { exact: true }).fill(admin.password);
      await office.getByRole('button', { name: 'Sign in' }).click();
      const row = office.getByTestId('outbox-table').locator('tr', { hasText: email });
      await row.getByText('Sent').waitFor();
      await row.getByRole('button', { name: 'View' }).click();
      await office.frameLocator('iframe.mail-preview').getByText('200 King Street West').waitFor();
      await screenshot(office, 'checkout-06-admin-outbox');
      await office.goto('/admin/shipping');
      await office.getByRole('heading', { name: 'Shipping & tax' }).waitFor();
      await office.getByText('not tax advice').waitFor();
      await screenshot(office, 'checkout-07-admin-shipping-tax');
    } finally {
      await officeContext.close();
    }
  });

  it('an account checks out to a saved address on a phone, with state sales tax', async () => {
    const { page, context } = await stack.newPage({ isPhone: true });
    const person = { email: `lin.${Date.now()}@example.com`, name: 'Lin Park', password: 'lin-park-password-1' };
    try {
      await page.goto('/signup');
      await page.getByLabel('Email', { exact: true }).fill(person.email);
      await page.getByLabel('Name', { exact: true }).fill(person.name);
      await page.getByLabel('Password', { exact: true }).fill(person.password);
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.locator(`summary[aria-label="Account menu for ${person.name}"]`).waitFor();

      await addToCart(page, fixture.productIds[0] ?? 0, 'Navy', 'M'); // tee $24
      await page.goto('/checkout');
      await fillAddress(page, { recipientName: 'Lin Park', country: 'US', line1: '1 Dr Carlton B Goodlett Pl', city: 'San Francisco', region: 'CA', postalCode: '94102' });
      await shipTo(page, undefined);
      await page.getByText('California sales tax (7.25 %)').waitFor();
      await screenshot(page, 'checkout-08-account-review-phone');
      await payWith(page, GOOD_CARD);
      await page.waitForURL(/\/orders\/\d+\?placed=1/);
      await page.getByText('San Francisco, CA 94102').waitFor();

      // the address was saved: the next checkout offers it
      await addToCart(page, fixture.productIds[1] ?? 0, 'Olive', 'M');
      await page.goto('/checkout');
      await page.getByRole('radio', { name: /1 Dr Carlton B Goodlett Pl/ }).waitFor();
      await screenshot(page, 'checkout-09-saved-address-phone');
      await shipTo(page, undefined);
      await payWith(page, GOOD_CARD);
      await page.waitForURL(/\/orders\/\d+\?placed=1/);
      const { rows } = await stack.db.pool.query<{ ship_region: string; tax_cents: number }>(
        'SELECT o.ship_region, o.tax_cents FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = $1 ORDER BY o.id',
        [person.email],
      );
      assert.deepEqual(rows.map((row) => row.ship_region), ['CA', 'CA']);
      assert.equal(rows[0]?.tax_cents, 174, '7.25 % of $24.00 (California does not tax shipping)');
      await sink.waitFor((mail) => mail.to.includes(person.email));
    } finally {
      await context.close();
    }
  });

  it('resets a forgotten password by e-mail, which signs out every other session', async () => {
    const person = { email: `reset.${Date.now()}@example.com`, name: 'Rosa Reset', password: 'old-password-123' };
    const other = new ApiClient(stack.apiUrl);
    await other.request('POST', '/api/auth/signup', person);
    const { page, context } = await stack.newPage();
    await page.setViewportSize(DESKTOP);
    try {
      await page.goto('/login');
      await page.getByRole('link', { name: 'Forgot password?' }).click();
      // the page is loaded on demand: until it shows, 'Email' is still the sign-in form's field
      await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
      await page.getByLabel('Email').fill(person.email);
      await page.getByRole('button', { name: 'Send reset link' }).click();
      const answered = page.getByRole('status').filter({ hasText: 'If an account exists' }).or(page.getByRole('alert'));
      await answered.first().waitFor();
      assert.match((await answered.first().textContent()) ?? '', /If an account exists/, 'the reset request was answered without an error');
      await screenshot(page, 'checkout-10-reset-requested');

      const mail = await sink.waitFor((received) => received.to.includes(person.email) && /Reset your/.test(received.subject));
      const link = /(https?:\/\/\S+\/reset-password#token=[A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
      assert.ok(link);
      await page.goto(link.replace(/^https?:\/\/[^/]+/, ''));
      await page.getByLabel('New password').fill('brand-new-password-9');
      await page.getByRole('button', { name: 'Set new password' }).click();
      await page.getByRole('status').filter({ hasText: 'Your password is set' }).waitFor();
      await screenshot(page, 'checkout-11-reset-done');
      await assert.rejects(other.request('GET', '/api/me'), 'the session opened before the reset has ended');

      await page.getByRole('link', { name: 'Sign in' }).last().click();
      await page.getByLabel('Email', { exact: true }).fill(person.email);
      await page.getByLabel('Password', { exact: true }).fill('brand-new-password-9');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator(`summary[aria-label="Account menu for ${person.name}"]`).waitFor();
    } finally {
      await context.close();
    }
  });
});
