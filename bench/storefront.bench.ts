/**
 * `npm run bench -- storefront`: what a shopper's browser downloads for the home page and how soon
 * it paints, in Debian's Chromium over loopback (no network throttling).
 *
 * A throwaway PostgreSQL 15 cluster is seeded with the demo catalogue (seed 42, 360 products, with
 * their drawn photos); the API and web tiers run in this process on free ports, with the built pages
 * (`threadline build` first). A fresh browser profile (empty cache) opens `/` at desktop size and
 * at phone size; the figures are:
 * - transferBytes: every response's bytes on the wire (headers + compressed bodies), goal ≤ 150 KB;
 * - jsBytes: the scripts' bytes on the wire (brotli, as the web tier sends them); cssBytes,
 *   imageBytes, apiBytes (fetches) and documentBytes likewise, so a change shows where it lands;
 * - requests, and largest contentful paint (lcpMs) as the browser reports it.
 * Byte figures are deterministic for a given build and seed; LCP depends on the machine's load.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { buildApiApp } from '@threadline/api';
import { createLogger, loadConfig, loadOrCreateSecrets } from '@threadline/config';
import { createPool, migrate } from '@threadline/db';
import { freePort, startTestCluster } from '@threadline/db/testing';
import { seedDemoData } from '@threadline/demo';
import { buildWebApp } from '@threadline/web';

import { writeBenchResult, type BenchFigures } from './lib/results.js';

const CHROMIUM = process.env.THREADLINE_CHROMIUM ?? '/usr/bin/chromium';
const PRODUCTS = Number(process.env.BENCH_STOREFRONT_PRODUCTS ?? 360);
const DIST_INDEX = fileURLToPath(new URL('../apps/web/dist/index.html', import.meta.url));

function log(message: string): void {
  console.error(`[storefront] ${message}`);
}

if (!existsSync(DIST_INDEX)) throw new Error('no built pages: run `npx threadline build` first');
if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}`);

const cluster = await startTestCluster();
const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-bench-storefront-'));
const pool = createPool(cluster.url, { max: 8, applicationName: 'threadline-bench' });
const logger = createLogger({ name: 'bench', level: 'warn' });
try {
  await migrate(pool);
  await seedDemoData(pool, { seed: 42, products: PRODUCTS, dataDir, hasContentHash: false, onProgress: log });
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const config = loadConfig({ PORT: String(webPort), THREADLINE_API_PORT: String(apiPort), THREADLINE_DATA_DIR: dataDir, DATABASE_URL: cluster.url, NODE_ENV: 'production', LOG_LEVEL: 'warn' });
  const api = await buildApiApp({ config, secrets: loadOrCreateSecrets(dataDir, {}), pool, logger, readinessChecks: [] });
  await api.listen({ port: apiPort, host: '127.0.0.1' });
  const web = await buildWebApp({ config, logger });
  await web.listen({ port: webPort, host: '127.0.0.1' });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const results: BenchFigures[] = [];
  try {
    for (const isPhone of [false, true]) {
      const context = await browser.newContext({ viewport: isPhone ? { width: 390, height: 844 } : { width: 1366, height: 900 }, isMobile: isPhone, hasTouch: isPhone });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      const types = new Map<string, string>();
      let transferBytes = 0;
      const bytesByType = new Map<string, number>();
      let requests = 0;
      cdp.on('Network.responseReceived', (event) => types.set(event.requestId, event.type));
      cdp.on('Network.loadingFinished', (event) => {
        requests += 1;
        transferBytes += event.encodedDataLength;
        const type = types.get(event.requestId) ?? 'Other';
        bytesByType.set(type, (bytesByType.get(type) ?? 0) + event.encodedDataLength);
      });
      await page.goto(`http://127.0.0.1:${webPort}/`, { waitUntil: 'networkidle' });
      const lcp = await page.evaluate(
        `new Promise((resolve) => new PerformanceObserver((list) => { const entries = list.getEntries(); resolve(entries[entries.length - 1]?.startTime ?? null); }).observe({ type: 'largest-contentful-paint', buffered: true }))`,
      );
      results.push({
        name: isPhone ? 'home-phone' : 'home-desktop',
        transferBytes,
        transferKB: Math.round(transferBytes / 102.4) / 10,
        jsBytes: bytesByType.get('Script') ?? 0,
        cssBytes: bytesByType.get('Stylesheet') ?? 0,
        imageBytes: bytesByType.get('Image') ?? 0,
        apiBytes: (bytesByType.get('Fetch') ?? 0) + (bytesByType.get('XHR') ?? 0),
        documentBytes: bytesByType.get('Document') ?? 0,
        requests,
        lcpMs: typeof lcp === 'number' ? Math.round(lcp) : null,
      });
      await context.close();
    }
  } finally {
    await browser.close();
    await web.close();
    await api.close();
  }
  writeBenchResult('storefront', { 'home-desktop.transferKB': '<= 150', 'home-phone.transferKB': '<= 150' }, results);
} finally {
  await pool.end();
  await cluster.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
