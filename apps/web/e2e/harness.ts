/**
 * Browser end-to-end harness: the real stack in-process on free loopback ports — a throwaway
 * PostgreSQL database, the API tier (buildApiApp), the web tier (buildWebApp) serving the built
 * pages and forwarding /api and /media — driven by Debian's Chromium through playwright-core.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { createLogger, loadConfig, loadOrCreateSecrets } from '@threadline/config';
import { createTestDatabase, freePort, type TestDatabase } from '@threadline/db/testing';

import { buildWebApp } from '../src/server/index.js';

export const CHROMIUM_PATH = process.env.THREADLINE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Why the browser tests cannot run here, or undefined when they can (pass as `{ skip }`). */
export const SKIP_REASON: string | undefined = existsSync(CHROMIUM_PATH)
  ? undefined
  : `browser tests need Debian's Chromium at ${CHROMIUM_PATH} (apt-get install chromium; .ci/run installs it)`;

const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = path.resolve(WEB_DIR, '..', '..');
const DIST_INDEX = path.join(WEB_DIR, 'dist', 'index.html');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-artifacts', 'screenshots');

function newestMtime(dir: string): number {
  const stat = statSync(dir);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Builds the pages once (like `threadline build`) when apps/web/dist is missing or older than the
 * client sources. Test files run in parallel, so a lock directory makes the others wait.
 */
export async function ensurePagesBuilt(): Promise<void> {
  const lock = path.join(tmpdir(), 'threadline-web-build.lock');
  for (let waited = 0; ; waited += 250) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 180_000) throw new Error(`waited 3 minutes for ${lock}; remove it if no build is running`);
      await sleep(250);
    }
  }
  try {
    const sources = [path.join(WEB_DIR, 'src', 'client'), path.join(WEB_DIR, 'vite.config.ts')];
    const isFresh = existsSync(DIST_INDEX) && statSync(DIST_INDEX).mtimeMs >= Math.max(...sources.map(newestMtime));
    if (isFresh) return;
    const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    // the production build, as `threadline build` makes it: the test runner's NODE_ENV=test would make
    // Vite bundle development React, and `npm start` would then serve that build as fresh
    const env = { ...process.env, NODE_ENV: 'production' };
    const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'error'], { cwd: WEB_DIR, encoding: 'utf8', env });
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}

export interface Stack {
  webUrl: string;
  /** The stack's THREADLINE_DATA_DIR (lake, uploads). */
  dataDir: string;
  apiUrl: string;
  db: TestDatabase;
  api: ApiApp;
  browser: Browser;
  /** A fresh browser profile (own cookies) at a phone or desktop size. */
  newPage(options?: { isPhone?: boolean }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

/** Starts database, API, web tier and Chromium; `close()` stops all of them. */
export async function startStack(): Promise<Stack> {
  await ensurePagesBuilt();
  const db = await createTestDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-e2e-'));
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const config = loadConfig({
    PORT: String(webPort),
    THREADLINE_API_PORT: String(apiPort),
    THREADLINE_DATA_DIR: dataDir,
    THREADLINE_DEMO: '0',
    DATABASE_URL: db.url,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
  });
  const logger = createLogger({ name: 'e2e', level: process.env.E2E_LOG_LEVEL ?? 'warn' });
  const api = await buildApiApp({ config, secrets: loadOrCreateSecrets(dataDir, {}), pool: db.pool, logger, readinessChecks: [] });
  await api.listen({ port: apiPort, host: '127.0.0.1' });
  const web = await buildWebApp({ config, logger });
  await web.listen({ port: webPort, host: '127.0.0.1' });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });

  return {
    webUrl: `http://127.0.0.1:${webPort}`,
    dataDir,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    db,
    api,
    browser,
    async newPage(options = {}) {
      const context = await browser.newContext({
        baseURL: `http://127.0.0.1:${webPort}`,
        viewport: options.isPhone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
        deviceScaleFactor: 1,
        isMobile: options.isPhone ?? false,
        hasTouch: options.isPhone ?? false,
        locale: 'en-US',
        timezoneId: 'America/New_York',
      });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      await browser.close().catch(() => undefined);
      await web.close();
      await api.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `action` (a filter click…) and waits until the product list shows the API's answer for the
 * new filters: the request whose URL contains `query` has been answered and the grid re-rendered.
 */
export async function changeProductList(page: Page, query: string, action: () => Promise<void>): Promise<void> {
  const answered = page.waitForResponse((response) => response.url().includes('/api/products?') && decodeURIComponent(response.url()).includes(query));
  await action();
  await answered;
  await page.locator('[data-testid="product-grid"]:not(.is-stale), .empty-state').first().waitFor();
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png (gitignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  // a sticky header would be painted where the page is scrolled to: shoot from the top
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
