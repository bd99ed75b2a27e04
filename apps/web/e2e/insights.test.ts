/// <reference lib="dom" />
// (functions passed to page.evaluate run in the browser)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { hashPassword } from '@threadline/auth';
import { insertUser } from '@threadline/db';
import { adChannelInsight, InsightsLake, reviewInsight, salesInsight, segmentInsight } from '@threadline/insights';
import { writeFixtureLake } from '@threadline/insights/testing';

import { screenshot, SKIP_REASON, startStack, type Stack } from './harness.js';

const STAFF = { email: 'marketing@e2e.threadline.dev', password: 'e2e-marketing-pass-1' };
const CUSTOMER = { email: 'shopper@e2e.threadline.dev', password: 'e2e-customer-pass-1' };
const MARCH = { from: '2026-03-01', to: '2026-03-31' };
const MARCH_QUERY = `from=${MARCH.from}&to=${MARCH.to}`;

const usd = (cents: number): string => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);

async function signIn(page: Page, user: { email: string; password: string }, next: string): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email', { exact: true }).fill(user.email);
  await page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function kpi(page: Page, name: string): Promise<string> {
  return (await page.locator(`[data-kpi="${name}"]`).innerText()).trim();
}

describe('marketing dashboards in the back office', { skip: SKIP_REASON }, () => {
  let stack: Stack;
  let lake: InsightsLake;

  before(async () => {
    stack = await startStack();
    await writeFixtureLake(stack.dataDir);
    lake = await InsightsLake.open(stack.dataDir, { threads: 1 });
    await insertUser(stack.db.pool, { email: STAFF.email, passwordHash: await hashPassword(STAFF.password), name: 'Mara Marketing', role: 'marketing' });
    await insertUser(stack.db.pool, { email: CUSTOMER.email, passwordHash: await hashPassword(CUSTOMER.password), name: 'Sam Shopper', role: 'customer' });
  });
  after(async () => {
    lake?.close();
    await stack?.close();
  });

  it('shows on each dashboard the figures the queries give, and exports them', async () => {
    const { page, context } = await stack.newPage();
    try {
      await signIn(page, STAFF, `/admin/insights/sales?${MARCH_QUERY}`);
      await page.getByRole('heading', { name: 'Sales rates' }).waitFor();
      await page.locator('[data-kpi="Revenue"]').waitFor();
      const sales = await salesInsight(lake, { ...MARCH, limit: 20 });
      assert.equal(await kpi(page, 'Revenue'), usd(sales.totals.revenueCents));
      assert.equal(await kpi(page, 'Orders'), String(sales.totals.orders));
      assert.equal(await kpi(page, 'Units sold'), String(sales.totals.units));
      const firstCategory = page.locator('[data-table="Sales rate by category"] tbody tr').first();
      assert.match(await firstCategory.innerText(), new RegExp(`^${sales.byCategory[0]?.name}`));
      assert.ok((await page.locator('[data-chart] canvas').count()) >= 2, 'charts are drawn');
      await screenshot(page, 'insights-01-sales');

      // a filter changes the figures and lands in the shareable URL
      await page.getByLabel('Region').selectOption('europe');
      await page.waitForURL(/region=europe/);
      const europe = await salesInsight(lake, { ...MARCH, region: 'europe', limit: 20 });
      await page.locator('[data-kpi="Revenue"]', { hasText: usd(europe.totals.revenueCents) }).waitFor();

      // CSV of a table and PNG of a chart
      const csvDownload = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download “Sales rate by category” as CSV' }).click();
      const csvPath = await (await csvDownload).path();
      const csv = readFileSync(csvPath, 'utf8').split('\r\n');
      assert.equal(csv[0], 'Category,Units sold,Revenue,In stock,Sell-through,Views,View → cart,Cart → order');
      assert.ok(csv.length >= 2);
      const pngDownload = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Download “Revenue and orders per day” as PNG' }).click();
      const png = readFileSync(await (await pngDownload).path());
      assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);

      await page.goto(`/admin/insights/segments?${MARCH_QUERY}&dimension=age_band`);
      await page.getByRole('heading', { name: 'Popular products per customer segment' }).waitFor();
      const segments = await segmentInsight(lake, { ...MARCH, dimension: 'age_band', limit: 10 });
      const first = segments.segments[0];
      assert.ok(first);
      const card = page.locator('.segment-card').first();
      await card.waitFor();
      assert.equal(await card.locator('h3').innerText(), first.segment);
      assert.match(await card.locator('li').first().innerText(), new RegExp(first.topProducts[0]?.name ?? 'missing'));
      await screenshot(page, 'insights-02-segments');

      await page.goto(`/admin/insights/reviews?${MARCH_QUERY}&minReviews=2`);
      await page.getByRole('heading', { name: 'Customer reviews' }).waitFor();
      await page.locator('[data-kpi="Reviews"]').waitFor();
      const reviews = await reviewInsight(lake, { ...MARCH, minReviews: 3, limit: 10 });
      assert.equal(await kpi(page, 'Reviews'), String(reviews.totals.reviews));
      await screenshot(page, 'insights-03-reviews');

      await page.goto(`/admin/insights/ad-channels?${MARCH_QUERY}`);
      await page.getByRole('heading', { name: 'Offline advertising' }).waitFor();
      await page.locator('[data-kpi="Respondents"]').waitFor();
      const channels = await adChannelInsight(lake, MARCH);
      assert.equal(await kpi(page, 'Respondents'), String(channels.totals.respondents));
      assert.match(await kpi(page, 'Top channel'), /^TV \(50%\)$/);
      await page.getByText('Billboard near the station').waitFor();
      await screenshot(page, 'insights-04-ad-channels');
    } finally {
      await context.close();
    }
  });

  it('is readable on a phone', async () => {
    const { page, context } = await stack.newPage({ isPhone: true });
    try {
      await signIn(page, STAFF, `/admin/insights/sales?${MARCH_QUERY}`);
      await page.locator('[data-kpi="Revenue"]').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 1, `no sideways scrolling on a phone (overflow ${overflow}px)`);
      await screenshot(page, 'insights-05-sales-phone');
    } finally {
      await context.close();
    }
  });

  it('keeps customers out', async () => {
    const { page, context } = await stack.newPage();
    try {
      await signIn(page, CUSTOMER, '/admin/insights/sales');
      await page.getByText('Your account does not have access').waitFor();
    } finally {
      await context.close();
    }
  });
});
