import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import type { Page } from 'playwright-core';

import { hashPassword } from '@threadline/auth';
import { createLogger } from '@threadline/config';
import { insertUser } from '@threadline/db';
import { DATASET_RULES, loadPipelineSettings, runPipeline, type PipelineDeps } from '@threadline/pipeline';
import { seedShop } from '@threadline/pipeline/testing';

import { screenshot, SKIP_REASON, startStack, type Stack } from './harness.js';

const ADMIN = { email: 'ops@e2e.threadline.dev', password: 'e2e-admin-pass-1' };
const ZONE = 'America/New_York';

function daysBefore(days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

async function signIn(page: Page, next: string): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email', { exact: true }).fill(ADMIN.email);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('back office: Data pipeline page', { skip: SKIP_REASON }, () => {
  let stack: Stack;
  let deps: PipelineDeps;
  const dates = [daysBefore(3), daysBefore(2), daysBefore(1)];

  before(async () => {
    stack = await startStack();
    await insertUser(stack.db.pool, { email: ADMIN.email, passwordHash: await hashPassword(ADMIN.password), name: 'Olive Ops', role: 'admin' });
    await seedShop(stack.db.pool, { users: 40, products: 12, orders: 300, lastDate: dates[2] ?? '', days: 3, timeZone: ZONE });
    deps = {
      pool: stack.db.pool,
      dataDir: stack.dataDir,
      timeZone: ZONE,
      pseudonymKey: 'e2e-pseudonym-key',
      slackWebhookUrl: undefined,
      logger: createLogger({ name: 'e2e-pipeline', level: 'silent' }),
      settings: { ...loadPipelineSettings({}), retries: 0 },
      refreshers: [],
    };
    // run #1 publishes; run #2 fails its gate on a rule tightened for the test (quantity 1 only)
    assert.equal((await runPipeline(deps, { trigger: 'manual', dates })).status, 'succeeded');
    const strict = { sales: [...DATASET_RULES.sales, { type: 'range' as const, column: 'quantity', min: 1, max: 1 }] };
    const failed = await runPipeline({ ...deps, rules: strict }, { trigger: 'manual', dates });
    assert.equal(failed.failedStep, 'quality');
  });
  after(async () => {
    await stack?.close();
  });

  it('leads from a dashboard to the failed run, its offending rows, the history, the catalog, and runs a new one live', async () => {
    const { page, context } = await stack.newPage();
    try {
      // the dashboard says why its data is old and links to the run
      await signIn(page, '/admin/insights/sales');
      const notice = page.getByTestId('pipeline-notice');
      await notice.waitFor();
      assert.match(await notice.innerText(), /The last pipeline run \(#2, .*\) failed at quality: sales\.range\(quantity\) observed \d+/);
      await screenshot(page, 'pipeline-01-dashboard-notice');
      await notice.getByRole('link', { name: 'Open the Data pipeline page' }).click();

      await page.getByRole('heading', { name: 'Data pipeline' }).waitFor();
      await page.getByRole('heading', { name: /Run #2/ }).waitFor();
      assert.match(await page.getByRole('alert').first().innerText(), /Failed at quality: 1 quality rule\(s\) failed: sales\.range\(quantity\)/);
      const steps = page.getByRole('table', { name: 'Steps' }).locator('tbody tr');
      assert.deepEqual(
        (await steps.allInnerTexts()).map((row) => row.split('\t').slice(0, 2).join(' ')),
        ['extract succeeded', 'quality failed', 'publish skipped', 'verify skipped', 'catalog skipped', 'refresh skipped'],
      );
      const failedRules = page.getByRole('table', { name: 'Failed quality rules' });
      const failedRow = failedRules.locator('tbody tr', { hasText: 'range(quantity)' }).first();
      assert.match(await failedRow.innerText(), /staging\s+sales\s+range\(quantity\)/);
      // a sample of the offending rows is open under the rule
      const sample = await failedRules.locator('details pre').first().innerText();
      assert.match(sample, /"quantity":\s*[2-9]/);
      await screenshot(page, 'pipeline-02-failed-run');

      // run history: both runs, and the good one's step timings and row counts
      const history = page.getByRole('table', { name: 'Run history' });
      assert.equal(await history.locator('tbody tr').count(), 2);
      await history.getByRole('button', { name: '#1' }).click();
      await page.getByRole('heading', { name: /Run #1/ }).waitFor();
      const extract = await steps.first().innerText();
      assert.match(extract, /^extract\tsucceeded\t1\t.+\t\d+\.\d s\t[\d,]+\t[\d,]+/);
      assert.equal(await steps.filter({ hasText: 'succeeded' }).count(), 6);

      // the catalog: tables, then one table's columns and partitions
      const catalog = page.getByRole('table', { name: 'Catalog' });
      await catalog.getByRole('button', { name: 'sales', exact: true }).click();
      const columns = page.getByRole('table', { name: 'Columns of sales' });
      await columns.waitFor();
      assert.ok((await columns.innerText()).includes('ship_country'));
      // month partitions: one per month the three days fall in
      assert.equal(await page.getByRole('table', { name: 'Partitions of sales' }).locator('tbody tr').count(), new Set(dates.map((date) => date.slice(0, 7))).size);

      // Run now: queued, shown live, then finished when the worker (here: this test) runs it
      await page.getByRole('button', { name: 'Run now' }).click();
      await page.getByRole('status').filter({ hasText: /Run #3 queued/ }).waitFor();
      await page.getByText('Waiting for the worker…').waitFor();
      const done = runPipeline(deps, { trigger: 'api', runId: 3, dates });
      await page.getByRole('heading', { name: /Run #3/ }).getByText('succeeded').waitFor({ timeout: 60_000 });
      assert.equal((await done).status, 'succeeded');
      await page.getByText(/The dashboards show the latest published data/).waitFor();
      await screenshot(page, 'pipeline-03-run-now');

      // Backfill queues a run for the chosen range
      await page.getByLabel('Backfill from').fill(dates[0] ?? '');
      await page.getByLabel('to', { exact: true }).fill(dates[1] ?? '');
      await page.getByRole('button', { name: 'Backfill', exact: true }).click();
      await page.getByRole('status').filter({ hasText: /Run #4 queued/ }).waitFor();
      const row = history.locator('tbody tr', { hasText: '#4' });
      await row.waitFor();
      assert.match(await row.innerText(), new RegExp(`Backfill\\tqueued\\t${dates[0]} … ${dates[1]} \\(2 days\\)`));
    } finally {
      await context.close();
    }
  });
});
