/**
 * `npm run bench -- shop`: the shop under load on this machine, over loopback HTTP.
 *
 * A throwaway PostgreSQL 15 cluster is migrated and seeded with a 10,000-product catalogue (the
 * demo generator, seed 42); the API and the web tier run as separate child processes
 * (`threadline api`, `threadline web`), as in production, while this process drives the load:
 * - product list (first page) direct to the API and through the web tier, 50 connections;
 * - product page (random products) direct to the API and through the web tier;
 *   through the web tier each is measured anonymous (the web tier's micro-cache answers what the
 *   API marks shareable) and with a visitor cookie (never cached there: every request proxied);
 * - BENCH_CPU_PROF_DIR=<dir>: both tiers write V8 CPU profiles there (where the time goes);
 * - checkout: N signed-in customers each run cart → order → pay rounds concurrently (orders/s);
 * - contention: N customers race for one variant with stock 50; exactly 50 may be paid.
 * Results go to bench/results/shop.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadOrCreateSecrets } from '@threadline/config';
import { createPool, migrate } from '@threadline/db';
import { freePort, startTestCluster } from '@threadline/db/testing';
import { DEMO_PASSWORD, seedDemoData } from '@threadline/demo';

import { measure, quantile, type LoadFigures } from './lib/http-load.js';
import { writeBenchResult, type BenchFigures } from './lib/results.js';
import { Shopper } from './lib/shopper.js';

const PRODUCTS = Number(process.env.BENCH_SHOP_PRODUCTS ?? 10_000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
const SHOPPERS = Number(process.env.BENCH_SHOP_CUSTOMERS ?? 100);
const ROUNDS = Number(process.env.BENCH_SHOP_ROUNDS ?? 5);
const HOT_STOCK = 50;
/** An analytics visitor cookie, as every returning browser sends: the web tier then never answers from its cache. */
const VISITOR_COOKIE = 'tl_vid=benchvisitor0001';
const CLI_BIN = fileURLToPath(new URL('../packages/cli/bin/threadline.mjs', import.meta.url));

const log = (line: string): void => console.log(`[shop bench] ${line}`);

async function waitReady(url: string, child: ChildProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

/** BENCH_CPU_PROF_DIR: each tier writes a V8 CPU profile there on exit (where the time goes). */
const PROFILE_DIR = process.env.BENCH_CPU_PROF_DIR;

function startTier(tier: 'api' | 'web', env: Record<string, string>): ChildProcess {
  // one directory per tier: tsx's module-hooks thread writes a profile of its own beside the main one
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.join(PROFILE_DIR, tier)}`] : [];
  const child = spawn(process.execPath, [...profile, CLI_BIN, tier], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  return child;
}

async function stopTier(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** The host's 1-minute load average: other processes on this shared 2-core machine skew the figures. */
const loadAverage = (): number => Number(os.loadavg()[0]?.toFixed(2) ?? 0);

/** Process ids of the running tiers, for their CPU time. */
const tierPids = new Map<'api' | 'web', number>();

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); undefined elsewhere. */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    // fields after the command name (which may hold spaces, hence the last ')'): utime is the 12th, stime the 13th
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * One load measurement plus the CPU each tier spent per request (µs): unlike req/s, this holds
 * when other processes share the cores, and shows where the time goes between the tiers.
 */
async function measureTiers(options: Parameters<typeof measure>[0]): Promise<LoadFigures & { cpuUsPerRequest: Record<string, number | null> }> {
  const before = { api: cpuMs(tierPids.get('api')), web: cpuMs(tierPids.get('web')) };
  const load = await measure(options);
  const after = { api: cpuMs(tierPids.get('api')), web: cpuMs(tierPids.get('web')) };
  const perRequest = (tier: 'api' | 'web'): number | null => {
    const start = before[tier];
    const end = after[tier];
    return start === undefined || end === undefined || load.requests === 0 ? null : Math.round(((end - start) * 1000) / load.requests);
  };
  return { ...load, cpuUsPerRequest: { api: perRequest('api'), web: perRequest('web') } };
}

function figures(name: string, load: LoadFigures, extra: Record<string, unknown> = {}): BenchFigures {
  return { name, ...load, ...extra, hostLoadAvg1mAfter: loadAverage() };
}

/** Runs `work` for each item with at most `limit` in flight. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next];
        next += 1;
        if (item !== undefined) await work(item);
      }
    }),
  );
}

const loadAtStart = loadAverage();
const cluster = await startTestCluster();
const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-bench-shop-'));
const pool = createPool(cluster.url, { max: 8, applicationName: 'threadline-bench' });
const children: ChildProcess[] = [];
try {
  await migrate(pool);
  const seedStarted = Date.now();
  const seeded = await seedDemoData(pool, { seed: 42, products: PRODUCTS, dataDir, hasContentHash: false, onProgress: log });
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  // both tiers read the same secrets (session signing); create them once before they start
  loadOrCreateSecrets(dataDir);

  const apiPort = await freePort();
  const webPort = await freePort();
  const generous = '1000000000';
  const env: Record<string, string> = {
    DATABASE_URL: cluster.url,
    THREADLINE_DATA_DIR: dataDir,
    PORT: String(webPort),
    THREADLINE_API_PORT: String(apiPort),
    THREADLINE_WORKER_PORT: '0',
    THREADLINE_API_URL: `http://127.0.0.1:${apiPort}`,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // one load generator on one address would trip the per-address limits meant for the internet
    THREADLINE_RATE_LIMIT_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_ACCOUNT_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_LOGIN_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_LOGIN_ACCOUNT_PER_MIN: generous,
    THREADLINE_RATE_LIMIT_SIGNUP_PER_HOUR: generous,
  };
  const api = startTier('api', env);
  children.push(api);
  if (api.pid !== undefined) tierPids.set('api', api.pid);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitReady(apiUrl, api);
  const web = startTier('web', env);
  children.push(web);
  if (web.pid !== undefined) tierPids.set('web', web.pid);
  const webUrl = `http://127.0.0.1:${webPort}`;
  await waitReady(webUrl, web);
  log(`API on ${apiUrl}, web tier on ${webUrl}`);

  const results: BenchFigures[] = [];
  const productIds = (await pool.query<{ id: number }>(`SELECT id FROM products WHERE status = 'published' ORDER BY id`)).rows.map((row) => row.id);

  // warm-up: JIT, connection pools, PostgreSQL buffers
  await measure({ url: `${apiUrl}/api/products`, connections: 10, durationS: 3 });
  log('product list, direct to the API');
  results.push(figures('product-list-api', await measureTiers({ url: `${apiUrl}/api/products`, connections: CONNECTIONS, durationS: DURATION_S })));
  log('product list, filtered and sorted variants, direct to the API');
  results.push(
    figures(
      'product-list-api-mixed',
      await measureTiers({
        url: apiUrl,
        connections: CONNECTIONS,
        durationS: DURATION_S,
        requests: [
          { path: '/api/products?category=jeans' },
          { path: '/api/products?sort=price_asc' },
          { path: '/api/products?sort=popular&size=M' },
          { path: '/api/products?q=linen' },
          { path: '/api/products?colour=Black&maxPrice=5000' },
        ],
      }),
      { note: 'cycles category, sort by price, popularity + size, text search, colour + price filters' },
    ),
  );
  // through the web tier twice: anonymous (its micro-cache may answer, as the API's s-maxage
  // allows) and with a visitor cookie, which the web tier never answers from its cache, so every
  // request is proxied to the API (whose own 2 s list cache still answers)
  log('product list through the web tier, anonymous (web tier cache)');
  results.push(
    figures('product-list-web', await measureTiers({ url: `${webUrl}/api/products`, connections: CONNECTIONS, durationS: DURATION_S }), {
      note: 'anonymous: answered by the web tier micro-cache (THREADLINE_WEB_CACHE_MS) after the first request each s-maxage',
    }),
  );
  log('product list through the web tier, with a cookie (proxied every time)');
  results.push(
    figures(
      'product-list-web-uncached',
      await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: [{ path: '/api/products', headers: { cookie: VISITOR_COOKIE } }] }),
      { note: 'visitor cookie: the web tier proxies every request to the API (no web tier cache); the API answers from its own 2 s list cache' },
    ),
  );
  log('product page, direct to the API');
  const pagePaths = Array.from({ length: 200 }, (_, i) => ({ path: `/api/products/${productIds[(i * 7919) % productIds.length] ?? 1}` }));
  results.push(figures('product-page-api', await measureTiers({ url: apiUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: pagePaths })));
  log('product page through the web tier, anonymous (web tier cache)');
  results.push(
    figures('product-page-web', await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: pagePaths }), {
      note: 'anonymous: answered by the web tier micro-cache after the first request per page each s-maxage',
    }),
  );
  log('product page through the web tier, with a cookie (proxied every time)');
  const cookiePagePaths = pagePaths.map((request) => ({ ...request, headers: { cookie: VISITOR_COOKIE } }));
  results.push(
    figures('product-page-web-uncached', await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: cookiePagePaths }), {
      note: 'visitor cookie: proxied to the API every time; compare with product-page-api for the web tier overhead',
    }),
  );

  // checkout: customers sign in (argon2id verify: a few at a time), then buy concurrently
  const emails = (await pool.query<{ email: string }>(`SELECT email FROM users WHERE role = 'customer' ORDER BY id LIMIT $1`, [SHOPPERS])).rows.map((row) => row.email);
  const shoppers = emails.map((email) => new Shopper(apiUrl, email));
  const signInStarted = Date.now();
  await inParallel(shoppers, 4, (shopper) => shopper.signIn(DEMO_PASSWORD));
  log(`${shoppers.length} customers signed in in ${((Date.now() - signInStarted) / 1000).toFixed(1)} s`);
  const stockVariants = (
    await pool.query<{ id: number }>(
      `UPDATE product_variants SET stock = 1000000 WHERE id IN (
         SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.status = 'published' ORDER BY v.id LIMIT 200)
       RETURNING id`,
    )
  ).rows.map((row) => row.id);
  const outcomes = new Map<string, number>();
  const orderMs: number[] = [];
  const payMs: number[] = [];
  const checkoutStarted = performance.now();
  await Promise.all(
    shoppers.map(async (shopper, index) => {
      for (let round = 0; round < ROUNDS; round += 1) {
        const variantId = stockVariants[(index * ROUNDS + round) % stockVariants.length] ?? 0;
        const result = await shopper.checkout(variantId);
        outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
        if (result.orderMs) orderMs.push(result.orderMs);
        if (result.payMs) payMs.push(result.payMs);
      }
    }),
  );
  const checkoutSeconds = (performance.now() - checkoutStarted) / 1000;
  orderMs.sort((a, b) => a - b);
  payMs.sort((a, b) => a - b);
  const paid = outcomes.get('paid') ?? 0;
  results.push({
    name: 'checkout',
    ordersPerSec: Number((paid / checkoutSeconds).toFixed(1)),
    paidOrders: paid,
    attempts: shoppers.length * ROUNDS,
    errors: shoppers.length * ROUNDS - paid,
    outcomes: Object.fromEntries(outcomes),
    concurrentCustomers: shoppers.length,
    hostLoadAvg1mAfter: loadAverage(),
    seconds: Number(checkoutSeconds.toFixed(2)),
    orderP50Ms: Number(quantile(orderMs, 0.5).toFixed(2)),
    orderP95Ms: Number(quantile(orderMs, 0.95).toFixed(2)),
    orderP99Ms: Number(quantile(orderMs, 0.99).toFixed(2)),
    payP50Ms: Number(quantile(payMs, 0.5).toFixed(2)),
    payP95Ms: Number(quantile(payMs, 0.95).toFixed(2)),
    payP99Ms: Number(quantile(payMs, 0.99).toFixed(2)),
    note: 'each round: POST /api/cart/items, POST /api/orders (Idempotency-Key), POST /api/orders/:id/pay (4242… test card); orders/s counts paid orders over the wall time of all rounds',
  });

  // contention: every shopper wants the one hot variant at once
  const hot = stockVariants[0] ?? 0;
  await pool.query(`UPDATE product_variants SET stock = $2 WHERE id = $1`, [hot, HOT_STOCK]);
  const soldBefore = (await pool.query<{ n: number }>(`SELECT coalesce(sum(i.quantity), 0)::int AS n FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.variant_id = $1 AND o.status <> 'cancelled'`, [hot])).rows[0]?.n ?? 0;
  const raceOutcomes = new Map<string, number>();
  await Promise.all(
    shoppers.map(async (shopper) => {
      const result = await shopper.checkout(hot);
      raceOutcomes.set(result.outcome, (raceOutcomes.get(result.outcome) ?? 0) + 1);
    }),
  );
  const after = await pool.query<{ stock: number; sold: number }>(
    `SELECT v.stock, (SELECT coalesce(sum(i.quantity), 0)::int FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.variant_id = v.id AND o.status <> 'cancelled') AS sold
       FROM product_variants v WHERE v.id = $1`,
    [hot],
  );
  const stockAfter = after.rows[0]?.stock ?? -1;
  const soldInRace = (after.rows[0]?.sold ?? 0) - soldBefore;
  const racePaid = raceOutcomes.get('paid') ?? 0;
  results.push({
    name: 'checkout-contention',
    customers: shoppers.length,
    stockBefore: HOT_STOCK,
    stockAfter,
    unitsOrdered: soldInRace,
    paidOrders: racePaid,
    outcomes: Object.fromEntries(raceOutcomes),
    oversold: Math.max(0, soldInRace - HOT_STOCK) + (stockAfter < 0 ? -stockAfter : 0),
    isConsistent: stockAfter >= 0 && soldInRace + stockAfter === HOT_STOCK && racePaid <= HOT_STOCK,
  });

  results.push({
    name: 'setup',
    products: PRODUCTS,
    hostLoadAvg1mAtStart: loadAtStart,
    seedSeconds: Number(seedSeconds.toFixed(1)),
    counts: seeded.marker?.counts ?? {},
    postgres: 'throwaway embedded PostgreSQL 15 (startTestCluster: fsync off, synchronous_commit off)',
    tiers: 'API and web tier as separate child processes (threadline api / threadline web), load generator in the bench process, all on one 2-core host',
    wafMode: process.env.THREADLINE_WAF_MODE ?? 'default',
    rateLimits: 'raised: a single load-generator address would otherwise be throttled',
  });

  writeBenchResult(
    'shop',
    {
      'product-list-api.p99Ms': '< 20',
      'product-list-api.reqPerSec': '>= 2000',
      'product-list-web.p99Ms': '< 20 (web tier cache)',
      'product-list-web-uncached.p99Ms': '< 20 (proxied)',
      'product-page-api.reqPerSec': '>= 3000',
      'product-page-web-uncached.reqPerSec': '>= 0.85 × product-page-api (web tier overhead <= 15 %)',
      'checkout.ordersPerSec': '>= 300',
      'checkout-contention.oversold': '= 0',
    },
    results,
  );
} finally {
  await Promise.all(children.map(stopTier));
  await pool.end();
  await cluster.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
