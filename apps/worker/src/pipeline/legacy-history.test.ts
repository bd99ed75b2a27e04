/**
 * Moving in from the old shop, end to end (issue 10): legacy exports and old web server logs are
 * imported, the nightly pipeline runs, and the dashboards' API answers with the figures worked
 * out by hand from the fixtures (packages/importer/fixtures, see import-legacy.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { hashPassword } from '@threadline/auth';
import { createLogger, loadConfig } from '@threadline/config';
import { insertUser } from '@threadline/db';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { importAccessLogFile, importLegacyFile, loadMapping, type Entity } from '@threadline/importer';
import { dashboardRefresher } from '@threadline/insights';
import { LocalLakeStorage, lakeRoot } from '@threadline/lake';
import { loadPipelineSettings, runPipeline } from '@threadline/pipeline';

const FIXTURES = fileURLToPath(new URL('../../../../packages/importer/fixtures/', import.meta.url));
const ZONE = 'America/New_York';
const ADMIN = { email: 'admin@history.test', password: 'history-admin-pass-1' };

interface Cookie {
  cookie: string;
  csrf: string;
}

describe('legacy history reaches the dashboards', () => {
  let db: TestDatabase;
  let dataDir: string;
  let api: ApiApp;
  let admin: Cookie;

  const get = async <T>(url: string): Promise<T> => {
    const response = await api.inject({ method: 'GET', url, headers: { cookie: admin.cookie } });
    assert.equal(response.statusCode, 200, `${url}: ${response.body}`);
    // the route's response schema fixes the shape; the assertions below check the figures
    return JSON.parse(response.body) as T;
  };

  before(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'tl-history-'));
    for (const entity of ['products', 'customers', 'orders', 'reviews'] as const satisfies readonly Entity[]) {
      const mapping = entity === 'reviews' ? { columns: { legacy_id: 'review_id' } } : loadMapping(path.join(FIXTURES, `legacy-${entity}.map.json`));
      const report = await importLegacyFile(db.pool, {
        entity,
        file: path.join(FIXTURES, `legacy-${entity}.csv`),
        mapping,
        rules: { dateFormat: mapping.dateFormat, timeZone: ZONE, currency: 'USD', values: {} },
        isDryRun: false,
        skipBadRows: true,
      });
      assert.equal(report.isCommitted, true, entity);
    }
    await importAccessLogFile(path.join(FIXTURES, 'access-combined.log'), {
      pool: db.pool,
      storage: new LocalLakeStorage(lakeRoot(dataDir)),
      workDir: dataDir,
      pseudonymKey: 'history-key',
      timeZone: ZONE,
    });
    // the nightly run finds the imported days by itself (no dates given)
    const summary = await runPipeline(
      {
        pool: db.pool,
        dataDir,
        timeZone: ZONE,
        pseudonymKey: 'history-key',
        slackWebhookUrl: undefined,
        logger: createLogger({ name: 'history-test', level: 'silent' }),
        settings: { ...loadPipelineSettings({}), backoffMs: 10, retries: 0 },
        refreshers: [dashboardRefresher()],
      },
      { trigger: 'manual' },
    );
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.ok(summary.dates.includes('2023-01-05') && summary.dates.includes('2023-03-03'), summary.dates.join(','));

    const config = loadConfig({ THREADLINE_DATA_DIR: dataDir, THREADLINE_TIME_ZONE: ZONE, NODE_ENV: 'test', LOG_LEVEL: 'silent', THREADLINE_WAF_MODE: 'off' });
    api = await buildApiApp({
      config,
      secrets: { sessionSecret: 's', pseudonymKey: 'history-key', paymentWebhookSecret: 'w', pgPassword: '' },
      pool: db.pool,
      logger: createLogger({ name: 'history-api', level: 'silent' }),
      readinessChecks: [],
    });
    await insertUser(db.pool, { email: ADMIN.email, passwordHash: await hashPassword(ADMIN.password), name: 'History Admin', role: 'admin' });
    const csrf = await api.inject({ method: 'GET', url: '/api/auth/csrf' });
    const anonymous = csrf.cookies[0];
    assert.ok(anonymous);
    const token = (JSON.parse(csrf.body) as { token: string }).token;
    const login = await api.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { cookie: `${anonymous.name}=${anonymous.value}`, 'x-csrf-token': token, 'content-type': 'application/json' },
      payload: JSON.stringify(ADMIN),
    });
    assert.equal(login.statusCode, 200, login.body);
    const session = login.cookies.find((cookie) => cookie.name === anonymous.name);
    assert.ok(session);
    admin = { cookie: `${session.name}=${session.value}`, csrf: token };
  });
  after(async () => {
    await api?.close();
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('revenue by month over the imported period', async () => {
    const sales = await get<{ totals: { orders: number; revenueCents: number }; overTime: Array<{ date: string; revenueCents: number }> }>(
      '/api/insights/sales?from=2023-01-01&to=2023-03-31',
    );
    const byMonth: Record<string, number> = {};
    for (const day of sales.overTime) byMonth[day.date.slice(0, 7)] = (byMonth[day.date.slice(0, 7)] ?? 0) + day.revenueCents;
    // hand-computed: January 124.00 + 1,249.00; February 75.00 + 95.00; March only a refund
    assert.deepEqual(byMonth, { '2023-01': 137300, '2023-02': 17000, '2023-03': 0 });
    assert.deepEqual([sales.totals.orders, sales.totals.revenueCents], [4, 154300]);
  });

  it('top products per region', async () => {
    const { segments } = await get<{ segments: Array<{ segment: string; topProducts: Array<{ name: string; units: number; rank: number }> }> }>(
      '/api/insights/segments?from=2023-01-01&to=2023-03-31&dimension=region',
    );
    const top = Object.fromEntries(segments.map((segment) => [segment.segment, segment.topProducts.map((product) => [product.rank, product.name, product.units])]));
    assert.deepEqual(top, {
      europe: [[1, 'Trail Running Tee', 3]],
      north_america: [
        [1, 'Trail Running Tee', 2],
        [2, 'Summit Down Jacket', 1],
        [3, 'Harbor Oxford Shirt', 1],
      ],
      south_america: [
        [1, 'Harbor Oxford Shirt', 2],
        [2, 'Trail Running Tee', 1],
      ],
    });
  });

  it('imported reviews', async () => {
    const reviews = await get<{ totals: { reviews: number }; distribution: Array<{ rating: number; count: number }> }>('/api/insights/reviews?from=2023-01-01&to=2023-03-31');
    assert.equal(reviews.totals.reviews, 3);
    assert.deepEqual(reviews.distribution.map((row) => row.count), [0, 1, 0, 1, 1]);
  });

  it('peak hours over the imported web server logs', async () => {
    const peak = await get<{ byHour: Array<{ hour: number; visits: number }> }>('/api/insights/peak-hours?from=2026-03-10&to=2026-03-10');
    const visits = Object.fromEntries(peak.byHour.filter((hour) => hour.visits > 0).map((hour) => [hour.hour, hour.visits]));
    assert.deepEqual(visits, { 10: 2, 11: 2, 12: 1 });
  });
});
