/**
 * `npm run bench -- shop`: the shop under load on this machine, over loopback HTTP.
 *
 * A throwaway PostgreSQL 15 cluster is migrated and seeded with a 10,000-product catalogue (the
 * demo generator, seed 42); the API and the web tier run as separate child processes
 * (`threadline api`, `threadline web`), as in production, while this process drives the load:
 * - product list (first page) direct to the API and through the web tier, 50 connections;
 * - product page (random products) direct to the API and through the web tier;
 *   through the web tier each is measured anonymous (the web tier's micro-cache answers what the
 *   API marks shareable) and with a private cookie (never cached there: every request proxied);
 *   each of these rows has the CPU each tier and the load generator spent per request (µs); the
 *   proxied page once more with wrk (C, far cheaper per request than autocannon) when installed,
 *   through a bare nginx proxy_pass and a bare Node forwarder (node-proxy.ts) as references (what
 *   a C proxy and the lightest Node proxy cost per forwarded request), and with the API pinned alone on core 0 (web
 *   tier, nginx and the cheapest generator on core 1); the uncached list once more
 *   with a browser's Accept-Encoding (compressed by the web tier);
 * - checkout: N signed-in customers each run cart → order → pay rounds concurrently for
 *   BENCH_SHOP_CHECKOUT_S seconds after a warm-up round (orders/s, and paid orders per second);
 * - contention: N customers race for one variant with stock 50; exactly 50 may be paid.
 * The cluster runs with production durability (fsync, synchronous_commit and full_page_writes on,
 * group commit as `npm start` configures it): the checkout goal is checked against that figure.
 * BENCH_SHOP_DURABLE=0 runs the same with fsync and synchronous_commit off, to see what the WAL
 * flushes cost; BENCH_SHOP_SECTIONS=checkout (or list,page,checkout) runs only some sections.
 * The checkout row says where the time went: CPU per paid order of the API, PostgreSQL and the
 * load generator, statements per paid order with the costliest ones (pg_stat_statements), and
 * commits per WAL flush.
 * The web tier reaches the API through the API's Unix socket, as `npm start` lays them out on one
 * host; BENCH_SHOP_API_TCP=1 makes it use loopback TCP instead (as between separate hosts).
 * Before the list and page rows, the API and the web tier are warmed up (3 s each, the web tier on
 * every way its rows use): the rows measure the steady state, not a process's first seconds.
 * Results go to bench/results/shop.json.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { loadOrCreateSecrets } from '@threadline/config';
import { createPool, migrate } from '@threadline/db';
import { freePort, startTestCluster } from '@threadline/db/testing';
import { DEMO_PASSWORD, seedDemoData } from '@threadline/demo';

import { tierNodeFlags } from '../packages/cli/src/launcher/node-flags.js';

import { processTree, readCommitCounters, resetDatabaseCounters, statementsPerPaidOrder, topStatements, treeCpuMs } from './lib/checkout-breakdown.js';
import { measure, quantile, type LoadFigures } from './lib/http-load.js';
import { hasNginx, startNginxProxy } from './lib/nginx-proxy.js';
import { startNodeProxy } from './lib/node-proxy.js';
import { writeBenchResult, type BenchFigures } from './lib/results.js';
import { closeShopperConnections, Shopper } from './lib/shopper.js';
import { hasWrk, measureWithWrk } from './lib/wrk-load.js';

const PRODUCTS = Number(process.env.BENCH_SHOP_PRODUCTS ?? 10_000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = 50;
const SHOPPERS = Number(process.env.BENCH_SHOP_CUSTOMERS ?? 100);
/**
 * The measured checkout phase runs this long (after one unmeasured warm-up round per shopper):
 * 500 orders in about 2 s varied ±25 % between runs; about 3,000 orders over 12 s give a median
 * that means something.
 */
const CHECKOUT_S = Number(process.env.BENCH_SHOP_CHECKOUT_S ?? 12);
/**
 * Rounds run back to back this long before the window opens (BENCH_SHOP_CHECKOUT_WARM_S): after
 * the warm-up round every shopper starts together, and the per-second rate then climbed for the
 * first seconds while the rounds were still in step.
 */
const CHECKOUT_WARM_S = Number(process.env.BENCH_SHOP_CHECKOUT_WARM_S ?? 3);
const HOT_STOCK = 50;
/**
 * A cookie the web tier does not know (not one of the analytics ids): it then never answers from
 * its cache, so every request is proxied — without the session lookup a `tl_session` would cost the API.
 */
const PRIVATE_COOKIE = 'tl_pref=bench';
/** What Chromium and Firefox send: the web tier then compresses what it forwards. */
const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';
const IS_DURABLE = process.env.BENCH_SHOP_DURABLE !== '0';
const IS_API_TCP = process.env.BENCH_SHOP_API_TCP === '1';
const SECTIONS = new Set((process.env.BENCH_SHOP_SECTIONS ?? 'list,page,checkout').split(',').map((section) => section.trim()));
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

/**
 * BENCH_SHOP_PROFILE_DIR=dir: each tier writes V8 CPU profiles under dir/api and dir/web when it
 * stops (open them in Chrome DevTools); tsx's module-hooks thread writes one of its own beside the
 * main thread's (the larger file).
 */
const PROFILE_DIR = process.env.BENCH_SHOP_PROFILE_DIR;

/** Starts a tier as `npm start` does: `node <its Node flags> threadline.mjs <tier>` (packages/cli/src/launcher/node-flags.ts). */
function startTier(tier: 'api' | 'web', env: Record<string, string>): ChildProcess {
  const profile = PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', path.join(PROFILE_DIR, tier)] : [];
  const child = spawn(process.execPath, [...tierNodeFlags(tier), ...profile, CLI_BIN, tier], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
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

/**
 * Pins `pid` and its descendants, every thread of each (`taskset -a -p`), to the CPUs in `cpus`
 * (a taskset list: "0", "1", "0-1"). Threads made later inherit the pin of the thread making them.
 */
function pinTree(pid: number, cpus: string): void {
  for (const member of processTree(pid)) execFileSync('taskset', ['-a', '-p', '-c', cpus, String(member)], { stdio: 'ignore' });
}

/** How much of the direct rate the web tier costs, in percent (null without a direct rate). */
function overheadPct(direct: { reqPerSec: number }, proxied: { reqPerSec: number }): number | null {
  return direct.reqPerSec > 0 ? Number((100 * (1 - proxied.reqPerSec / direct.reqPerSec)).toFixed(1)) : null;
}

/** Whether the pinned rows can run: util-linux `taskset` answers and the host has two cores or more. */
function canPin(): boolean {
  if (os.cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Process ids of the running tiers (and of the nginx and Node reference proxies while they run), for the CPU they spend per request. */
const tierPids: Record<'api' | 'web' | 'nginx' | 'nodeProxy', number | undefined> = { api: undefined, web: undefined, nginx: undefined, nodeProxy: undefined };

/** wrk when installed (C: about a tenth of autocannon's CPU per request), else autocannon in this process. */
const HAS_WRK = hasWrk();
type Generator = 'wrk' | 'autocannon';
const CHEAPEST_GENERATOR: Generator = HAS_WRK ? 'wrk' : 'autocannon';
const GENERATOR_NOTES: Record<Generator, string> = {
  wrk: 'load generator: wrk (C, one thread)',
  autocannon: 'load generator: autocannon in the bench process (Node)',
};

/**
 * One load measurement plus the CPU each tier and the load generator spent per request (µs):
 * unlike req/s, this holds when other processes share the cores, and shows where the time goes.
 * With `generator: 'wrk'` (plain GETs only) wrk drives the load, pinned to `cpus` when given;
 * autocannon's CPU is this process's own (it does nothing else meanwhile).
 */
async function measureTiers(
  options: Parameters<typeof measure>[0] & { generator?: Generator; cpus?: string },
): Promise<LoadFigures & { generator: Generator; cpuUsPerRequest: Record<string, number | null> }> {
  const generator = options.generator ?? 'autocannon';
  const before = treeCpuMs(tierPids);
  const ownBefore = process.cpuUsage();
  let load: LoadFigures;
  let generatorCpuMs: number;
  if (generator === 'wrk') {
    const { generatorCpuMs: spent, ...figures } = await measureWithWrk(options);
    load = figures;
    generatorCpuMs = spent;
  } else {
    load = await measure(options);
    const own = process.cpuUsage(ownBefore);
    generatorCpuMs = (own.user + own.system) / 1000;
  }
  const after = treeCpuMs(tierPids);
  const perRequest = (spentMs: number): number | null => (load.requests === 0 ? null : Math.round((spentMs * 1000) / load.requests));
  const cpuUsPerRequest: Record<string, number | null> = {};
  for (const tier of ['api', 'web', 'nginx', 'nodeProxy'] as const) {
    if (tierPids[tier] !== undefined) cpuUsPerRequest[tier] = perRequest((after[tier] ?? 0) - (before[tier] ?? 0));
  }
  cpuUsPerRequest.generator = perRequest(generatorCpuMs);
  return { ...load, generator, cpuUsPerRequest };
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
const cluster = await startTestCluster({
  isDurable: IS_DURABLE,
  // statement and WAL-flush counters for the checkout breakdown (both cost little: see docs/benchmarks.md)
  settings: { shared_preload_libraries: 'pg_stat_statements', track_wal_io_timing: 'on' },
});
const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-bench-shop-'));
const pool = createPool(cluster.url, { max: 8, applicationName: 'threadline-bench' });
const children: ChildProcess[] = [];
try {
  await migrate(pool);
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  const durability = Object.fromEntries(
    (
      await pool.query<{ name: string; setting: string }>(
        `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'commit_delay', 'commit_siblings', 'wal_sync_method') ORDER BY name`,
      )
    ).rows.map((row) => [row.name, row.setting]),
  );
  log(`PostgreSQL durability: ${JSON.stringify(durability)}`);
  const seedStarted = Date.now();
  const seeded = await seedDemoData(pool, { seed: 42, products: PRODUCTS, dataDir, hasContentHash: false, onProgress: log });
  const seedSeconds = (Date.now() - seedStarted) / 1000;
  // both tiers read the same secrets (session signing); create them once before they start
  loadOrCreateSecrets(dataDir);

  const apiPort = await freePort();
  const webPort = await freePort();
  // as npm start on one host, the web tier (and the nginx reference) reach the API through its Unix socket
  const apiSocket = IS_API_TCP ? undefined : path.join(dataDir, 'run', 'api.sock');
  const generous = '1000000000';
  const env: Record<string, string> = {
    DATABASE_URL: cluster.url,
    THREADLINE_DATA_DIR: dataDir,
    PORT: String(webPort),
    THREADLINE_API_PORT: String(apiPort),
    THREADLINE_WORKER_PORT: '0',
    THREADLINE_API_URL: `http://127.0.0.1:${apiPort}`,
    // as npm start on one host: the API also listens on a Unix socket, which the web tier forwards through
    ...(apiSocket === undefined ? {} : { THREADLINE_API_SOCKET: apiSocket, THREADLINE_API_SOCKETS: apiSocket }),
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
  tierPids.api = api.pid;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await waitReady(apiUrl, api);
  const web = startTier('web', env);
  children.push(web);
  tierPids.web = web.pid;
  const webUrl = `http://127.0.0.1:${webPort}`;
  await waitReady(webUrl, web);
  log(`API on ${apiUrl}, web tier on ${webUrl}`);

  const results: BenchFigures[] = [];
  const productIds = (await pool.query<{ id: number }>(`SELECT id FROM products WHERE status = 'published' ORDER BY id`)).rows.map((row) => row.id);

  // warm-up: JIT, connection pools, PostgreSQL buffers
  if (SECTIONS.has('list') || SECTIONS.has('page')) await measure({ url: `${apiUrl}/api/products`, connections: 10, durationS: 3 });
  // the web tier too, on each way a row goes through it (micro-cache, forwarded and revalidated,
  // compressed), with the rows' 50 connections (50 upstream connections to open): its first seconds
  // cost 1.2–1.4× the CPU per request of the following ones and their p99 was 2–4× (list, 2,000
  // products, 8 s rounds, noisy shared machine), which fell into whichever web row came first
  if (SECTIONS.has('list') || SECTIONS.has('page')) {
    await measure({
      url: webUrl,
      connections: CONNECTIONS,
      durationS: 3,
      requests: [
        { path: '/api/products' },
        { path: '/api/products', headers: { cookie: PRIVATE_COOKIE } },
        { path: '/api/products', headers: { cookie: PRIVATE_COOKIE, 'accept-encoding': BROWSER_ACCEPT_ENCODING } },
        { path: `/api/products/${productIds[0] ?? 1}`, headers: { cookie: PRIVATE_COOKIE } },
      ],
    });
  }
  if (SECTIONS.has('list')) {
    log('product list, direct to the API');
    // the first page's body as every row below sends it (uncompressed, and as the web tier would gzip it)
    const listBody = Buffer.from(await (await fetch(`${apiUrl}/api/products`)).arrayBuffer());
    results.push(
      figures('product-list-api', await measureTiers({ url: `${apiUrl}/api/products`, connections: CONNECTIONS, durationS: DURATION_S }), {
        bodyBytes: listBody.length,
        bodyBytesGzip: gzipSync(listBody).length,
      }),
    );
    log('product list, filtered and sorted variants, direct to the API');
    results.push(
      figures(
        'product-list-api-mixed',
        await measure({
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
    // allows) and with a private cookie, which the web tier never answers from its cache, so every
    // request is proxied to the API (whose own 2 s list cache still answers)
    log('product list through the web tier, anonymous (web tier cache)');
    results.push(
      figures('product-list-web', await measureTiers({ url: `${webUrl}/api/products`, connections: CONNECTIONS, durationS: DURATION_S }), {
        note: 'anonymous (or analytics cookies only): answered by the web tier micro-cache (THREADLINE_WEB_CACHE_MS) after the first request each s-maxage',
      }),
    );
    log('product list through the web tier, with a cookie (proxied every time)');
    results.push(
      figures(
        'product-list-web-uncached',
        await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: [{ path: '/api/products', headers: { cookie: PRIVATE_COOKIE } }] }),
        {
          note: 'private cookie: the web tier proxies every request to the API (no web tier micro-cache); the API answers from its own 2 s list cache, with a 304 when the web tier asks (If-None-Match) about the list body it kept: the body crosses between the tiers once per change (revalidated bodies, docs/architecture.md)',
        },
      ),
    );
    log('product list through the web tier, with a cookie and Accept-Encoding as a browser sends (proxied, compressed)');
    results.push(
      figures(
        'product-list-web-uncached-br',
        await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: [{ path: '/api/products', headers: { cookie: PRIVATE_COOKIE, 'accept-encoding': BROWSER_ACCEPT_ENCODING } }] }),
        { note: 'as product-list-web-uncached, with a browser\'s Accept-Encoding: the web tier compresses the answer (brotli); an answer byte-equal to a recent one reuses its compressed form (CompressionMemo); the list body is revalidated with the API as in product-list-web-uncached' },
      ),
    );
  }
  if (SECTIONS.has('page')) {
    log('product page, direct to the API');
    const pagePaths = Array.from({ length: 200 }, (_, i) => ({ path: `/api/products/${productIds[(i * 7919) % productIds.length] ?? 1}` }));
    const pageDirect = await measureTiers({ url: apiUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: pagePaths });
    results.push(figures('product-page-api', pageDirect));
    log('product page through the web tier, anonymous (web tier cache)');
    results.push(
      figures('product-page-web', await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: pagePaths }), {
        note: 'anonymous (or analytics cookies only): answered by the web tier micro-cache after the first request per page each s-maxage',
      }),
    );
    log('product page through the web tier, with a cookie (proxied every time)');
    const cookiePagePaths = pagePaths.map((request) => ({ ...request, headers: { cookie: PRIVATE_COOKIE } }));
    const pageProxied = await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: cookiePagePaths });
    results.push(
      figures('product-page-web-uncached', pageProxied, {
        overheadPct: overheadPct(pageDirect, pageProxied),
        note: 'private cookie: proxied to the API every time; since 6 Dec 2026 (about 12:40 UTC) product pages carry an ETag, so the web tier revalidates the page body it keeps (If-None-Match, mostly 304 between the tiers, as the uncached list) while the direct row sends every body; compare with product-page-api for the web tier overhead',
      }),
    );
    if (HAS_WRK) {
      // the same pair with wrk: autocannon costs about as much CPU per request as the API itself, so on
      // shared cores its rows measure the generator as much as the tiers
      log('product page, direct and through the web tier (cookie), with wrk');
      const directWrk = await measureTiers({ url: apiUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: pagePaths, generator: 'wrk' });
      results.push(figures('product-page-api-wrk', directWrk, { note: `${GENERATOR_NOTES.wrk}; direct to the API` }));
      const proxiedWrk = await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: cookiePagePaths, generator: 'wrk' });
      results.push(
        figures('product-page-web-uncached-wrk', proxiedWrk, {
          overheadPct: overheadPct(directWrk, proxiedWrk),
          note: `${GENERATOR_NOTES.wrk}; private cookie: proxied to the API every time (revalidated page bodies, as product-page-web-uncached); compare with product-page-api-wrk`,
        }),
      );
    } else {
      log('wrk rows skipped: wrk is not installed (apt-get install wrk); the Node generator drives every row');
    }
    // reference: what a C reverse proxy (bare nginx, keep-alive upstream) costs per forwarded request
    // both reference proxies reach the API the way the web tier does
    const referenceUpstream = apiSocket === undefined ? { port: apiPort } : { socketPath: apiSocket };
    const nginx = hasNginx() ? await startNginxProxy({ port: await freePort(), upstream: referenceUpstream }) : undefined;
    if (nginx === undefined) log('nginx reference rows skipped: nginx is not installed');
    try {
      const directRef = await measureTiers({ url: apiUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: pagePaths, generator: CHEAPEST_GENERATOR });
      /** The product page through a reference proxy, against `directRef` (measured just before). */
      const referenceRow = async (name: string, url: string, what: string): Promise<void> => {
        const via = await measureTiers({ url, connections: CONNECTIONS, durationS: DURATION_S, requests: cookiePagePaths, generator: CHEAPEST_GENERATOR });
        results.push(
          figures(name, via, {
            overheadPct: overheadPct(directRef, via),
            directReqPerSec: directRef.reqPerSec,
            note: `${GENERATOR_NOTES[CHEAPEST_GENERATOR]}; ${what}; overheadPct against directReqPerSec, measured just before`,
          }),
        );
      };
      // and what the lightest Node forwarder costs (node:http + an undici pool, nothing else): the floor of a Node web tier
      const nodeProxy = await startNodeProxy({ port: await freePort(), upstream: referenceUpstream });
      try {
        tierPids.nodeProxy = nodeProxy.pid;
        log(`product page through a bare Node forwarder (reference), ${CHEAPEST_GENERATOR}`);
        await referenceRow(
          'product-page-node-reference',
          nodeProxy.url,
          'a bare Node forwarder (bench/lib/node-proxy.ts: node:http server, undici pool of keep-alive connections, one dispatch per request, no routing/WAF/headers/cache/log) in place of the web tier, with its Node flags: the floor of any Node web tier per forwarded request (cpuUsPerRequest.nodeProxy)',
        );
      } finally {
        tierPids.nodeProxy = undefined;
        await nodeProxy.stop();
      }
      if (nginx) {
        tierPids.nginx = nginx.pid;
        log(`product page through a bare nginx proxy_pass (reference), ${CHEAPEST_GENERATOR}`);
        await referenceRow(
          'product-page-nginx-reference',
          nginx.url,
          'bare nginx (1 worker, no TLS/WAF/log) proxy_pass to the API over pooled keep-alive connections, in place of the web tier: what a C proxy costs per forwarded request',
        );
      }
      const apiPid = tierPids.api;
      const webPid = tierPids.web;
      if (apiPid !== undefined && webPid !== undefined && canPin()) {
        const allCpus = `0-${os.cpus().length - 1}`;
        const generator = CHEAPEST_GENERATOR;
        log(`product page, direct and proxied, API pinned to core 0, web tier and ${generator} to core 1`);
        const pinned = [apiPid, webPid, ...(nginx ? [nginx.pid] : []), ...(generator === 'autocannon' ? [process.pid] : [])];
        try {
          pinTree(apiPid, '0');
          pinTree(webPid, '1');
          if (nginx) pinTree(nginx.pid, '1');
          if (generator === 'autocannon') pinTree(process.pid, '1');
          const cpus = generator === 'wrk' ? '1' : undefined;
          const layout = `taskset (util-linux): the API alone on core 0; the web tier (or nginx) and the load generator on core 1; PostgreSQL unpinned (the API answers from its 2 s page cache); ${GENERATOR_NOTES[generator]}, on core 1`;
          const direct = await measureTiers({ url: apiUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: pagePaths, generator, cpus });
          results.push(figures('product-page-api-pinned', direct, { note: `${layout}; direct to the API` }));
          const proxied = await measureTiers({ url: webUrl, connections: CONNECTIONS, durationS: DURATION_S, requests: cookiePagePaths, generator, cpus });
          results.push(
            figures('product-page-web-uncached-pinned', proxied, {
              // with a cheap generator, whether the web tier on its own core lowers what the API alone answers
              overheadPct: overheadPct(direct, proxied),
              note: `${layout}; private cookie: proxied to the API every time (revalidated page bodies, as product-page-web-uncached); compare with product-page-api-pinned (a 3-tier deployment: the API's core is the limit when the web tier's core keeps up)`,
            }),
          );
          if (nginx) {
            const viaNginx = await measureTiers({ url: nginx.url, connections: CONNECTIONS, durationS: DURATION_S, requests: cookiePagePaths, generator, cpus });
            results.push(
              figures('product-page-nginx-reference-pinned', viaNginx, {
                overheadPct: overheadPct(direct, viaNginx),
                note: `${layout}; bare nginx in place of the web tier (reference, as product-page-nginx-reference); compare with product-page-api-pinned`,
              }),
            );
          }
        } finally {
          for (const pid of pinned) pinTree(pid, allCpus);
        }
      } else {
        log('pinned rows skipped: taskset (util-linux) or a second core is missing');
      }
    } finally {
      tierPids.nginx = undefined;
      await nginx?.stop();
    }
  }

  // checkout: customers sign in (argon2id verify: a few at a time), then buy concurrently
  const emails = (await pool.query<{ email: string }>(`SELECT email FROM users WHERE role = 'customer' ORDER BY id LIMIT $1`, [SHOPPERS])).rows.map((row) => row.email);
  const shoppers = emails.map((email) => new Shopper(apiUrl, email));
  if (SECTIONS.has('checkout')) {
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
    const cartMs: number[] = [];
    const orderMs: number[] = [];
    const payMs: number[] = [];
    // one unmeasured round each: JIT, prepared statements on every pooled connection, carts created
    await Promise.all(shoppers.map((shopper, index) => shopper.checkout(stockVariants[index % stockVariants.length] ?? 0)));
    // then rounds run back to back, and the window opens after CHECKOUT_WARM_S seconds of that: the
    // shoppers leave the round above together, and for the first seconds their rounds stay in step
    // (no order completes until a whole round has passed, then many at once); real shoppers do not
    // arrive in step, so the window measures the rate once the rounds have spread out
    const processes = { api: api.pid, postgres: cluster.process.pid };
    let measuredWindow: { started: number; deadline: number } | null = null;
    const loopDeadline = performance.now() + (CHECKOUT_WARM_S + CHECKOUT_S) * 1000;
    // paid orders completed in each second of the measured phase: shows whether the rate held steady
    const paidPerSecond: number[] = Array.from({ length: Math.ceil(CHECKOUT_S) }, () => 0);
    let attempts = 0;
    let paidInWindow = 0;
    const rounds = Promise.all(
      shoppers.map(async (shopper, index) => {
        // rounds start until the deadline; the rounds in flight then finish (the drain is not counted in orders/s)
        for (let round = 0; performance.now() < (measuredWindow?.deadline ?? loopDeadline); round += 1) {
          const variantId = stockVariants[(index * 7 + round) % stockVariants.length] ?? 0;
          // per-order figures count the rounds started in the window (with the drain): their CPU is all inside it
          const measured = measuredWindow;
          if (measured) attempts += 1;
          const result = await shopper.checkout(variantId);
          const opened = measuredWindow;
          if (opened && result.outcome === 'paid') {
            // orders/s: paid orders completed within the window, whenever their round started
            const second = Math.floor((performance.now() - opened.started) / 1000);
            if (second >= 0 && second < paidPerSecond.length) {
              paidInWindow += 1;
              paidPerSecond[second] = (paidPerSecond[second] ?? 0) + 1;
            }
          }
          if (!measured) continue;
          outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
          cartMs.push(result.cartMs);
          if (result.orderMs) orderMs.push(result.orderMs);
          if (result.payMs) payMs.push(result.payMs);
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, CHECKOUT_WARM_S * 1000));
    await resetDatabaseCounters(pool);
    const commitsBefore = await readCommitCounters(pool);
    const cpuBefore = treeCpuMs(processes);
    const benchCpuBefore = process.cpuUsage();
    const checkoutStarted = performance.now();
    measuredWindow = { started: checkoutStarted, deadline: checkoutStarted + CHECKOUT_S * 1000 };
    await rounds;
    const checkoutSeconds = (performance.now() - checkoutStarted) / 1000;
    const cpuAfter = treeCpuMs(processes);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const commitsAfter = await readCommitCounters(pool);
    const paid = outcomes.get('paid') ?? 0;
    const perOrder = (ms: number): number => (paid > 0 ? Number((ms / paid).toFixed(2)) : 0);
    const transactions = commitsAfter.commits - commitsBefore.commits;
    const walSyncs = commitsAfter.walSyncs - commitsBefore.walSyncs;
    const ms = (values: number[], q: number): number => Number(quantile([...values].sort((a, b) => a - b), q).toFixed(2));
    results.push({
      name: 'checkout',
      // paid orders completed within the fixed window, over the window: the drain after it adds nothing
      ordersPerSec: Number((paidInWindow / CHECKOUT_S).toFixed(1)),
      paidOrders: paid,
      attempts,
      errors: attempts - paid,
      outcomes: Object.fromEntries(outcomes),
      concurrentCustomers: shoppers.length,
      durability,
      hostLoadAvg1mAfter: loadAverage(),
      seconds: CHECKOUT_S,
      warmSeconds: CHECKOUT_WARM_S,
      // the last rounds finish after the window; CPU, statements and flushes per order count them too
      secondsWithDrain: Number(checkoutSeconds.toFixed(2)),
      paidPerSecond,
      cartP50Ms: ms(cartMs, 0.5),
      cartP95Ms: ms(cartMs, 0.95),
      orderP50Ms: ms(orderMs, 0.5),
      orderP95Ms: ms(orderMs, 0.95),
      orderP99Ms: ms(orderMs, 0.99),
      payP50Ms: ms(payMs, 0.5),
      payP95Ms: ms(payMs, 0.95),
      payP99Ms: ms(payMs, 0.99),
      // where the time went: CPU per paid order of each process tree (2 cores = 2,000 CPU ms per second)
      apiCpuMsPerPaidOrder: perOrder((cpuAfter.api ?? 0) - (cpuBefore.api ?? 0)),
      postgresCpuMsPerPaidOrder: perOrder((cpuAfter.postgres ?? 0) - (cpuBefore.postgres ?? 0)),
      loadGeneratorCpuMsPerPaidOrder: perOrder((benchCpu.user + benchCpu.system) / 1000),
      statementsPerPaidOrder: await statementsPerPaidOrder(pool, paid),
      // every statement outside BEGIN … COMMIT is a transaction of its own; only writing ones flush WAL
      transactionsPerPaidOrder: paid > 0 ? Number((transactions / paid).toFixed(2)) : 0,
      walFlushesPerPaidOrder: paid > 0 ? Number((walSyncs / paid).toFixed(2)) : 0,
      walFlushMeanMs: walSyncs > 0 ? Number(((commitsAfter.walSyncMs - commitsBefore.walSyncMs) / walSyncs).toFixed(3)) : null,
      // WAL volume: heap and index changes (an index entry is a record; a HOT update writes none)
      walRecordsPerPaidOrder: perOrder(commitsAfter.walRecords - commitsBefore.walRecords),
      walBytesPerPaidOrder: perOrder(commitsAfter.walBytes - commitsBefore.walBytes),
      walFullPageImagesPerPaidOrder: perOrder(commitsAfter.walFullPageImages - commitsBefore.walFullPageImages),
      topStatements: await topStatements(pool, { paidOrders: paid, limit: 8 }),
      note: 'each round: POST /api/cart/items, POST /api/orders (Idempotency-Key), POST /api/orders/:id/pay (4242… test card); after one unmeasured round per shopper, rounds run back to back; the fixed window (seconds) opens warmSeconds later; orders/s counts paid orders completed within it; per-order CPU, statements, transactions and WAL flushes are over the rounds started in it, the drain included; statement counts include the session read, BEGIN and COMMIT',
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
  }

  results.push({
    name: 'setup',
    products: PRODUCTS,
    hostLoadAvg1mAtStart: loadAtStart,
    seedSeconds: Number(seedSeconds.toFixed(1)),
    counts: seeded.marker?.counts ?? {},
    postgres: `throwaway embedded PostgreSQL 15 (startTestCluster), ${IS_DURABLE ? 'production durability' : 'fsync and synchronous_commit OFF (BENCH_SHOP_DURABLE=0): not the goal setting'}`,
    durability,
    tiers: 'API and web tier as separate child processes (threadline api / threadline web), load generator autocannon in the bench process, or wrk (rows ending -wrk, the nginx reference and the pinned rows when wrk is installed: see each row\'s generator), all on one 2-core host',
    tierNodeFlags: { api: tierNodeFlags('api').join(' ') || 'none', web: tierNodeFlags('web').join(' ') || 'none' },
    webToApi: IS_API_TCP ? 'loopback TCP (BENCH_SHOP_API_TCP=1)' : "the API's Unix socket, as npm start lays the tiers out on one host (the nginx reference proxies through the same socket)",
    edge:
      'checkout goes direct to the API over loopback: session cookie, CSRF token, in-process WAF, security headers and rate limiting all on as shipped (limits raised); no nginx/ModSecurity in front (bench/waf.bench.ts and nginx-throughput measure that)',
    wafMode: process.env.THREADLINE_WAF_MODE ?? 'block (default)',
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
  await closeShopperConnections();
  await Promise.all(children.map(stopTier));
  await pool.end();
  await cluster.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
