import { hashPassword } from '@threadline/auth';
import { withTransaction, type Pool } from '@threadline/db';
import type { StoredImage } from '@threadline/media';

import { generateAddresses } from './addresses.js';
import { BRANDS, CATEGORIES, type ColourId, type Shape } from './catalogue-data.js';
import { generateCatalogue } from './catalogue.js';
import { hashShopContent } from './content-hash.repo.js';
import { DEMO_EMAILS, generateCustomers, makeDemoCustomer, staffUser, type DemoUser } from './customers.js';
import { DemoSeedError } from './errors.js';
import { renderGarmentImages } from './images.js';
import { loadDataset } from './load.js';
import { labelSegments, OrderGenerator } from './orders.js';
import { Random } from './random.js';
import {
  analyseSeededTables,
  isShopEmpty,
  lockSeed,
  readIdBases,
  readSeedMarker,
  resetShop,
  syncIdentitySequences,
  upsertCategories,
  writeSeedMarker,
  type SeedMarker,
} from './seed.repo.js';

const DAY_MS = 86_400_000;

/** Password of every demo account (and of the generated customers, so benchmarks can log in). */
export const DEMO_PASSWORD = 'threadline-demo';

/** Sizes of the default demo shop: what `npm start` loads on first start. */
export const DEFAULT_SEED_SIZES = { products: 360, customers: 2400, days: 90 } as const;

export interface SeedOptions {
  /** seed number of the PRNG: the same seed and end time give identical rows */
  seed: number;
  products?: number;
  customers?: number;
  days?: number;
  /** end of the order window (default: now) */
  now?: Date;
  /** THREADLINE_DATA_DIR: images go under uploads/images/ */
  dataDir: string;
  /** render product images (default true) */
  hasImages?: boolean;
  /** do nothing when demo data is already there or the shop has products or orders */
  ifEmpty?: boolean;
  /** empty the shop tables first */
  reset?: boolean;
  currency?: string;
  /** argon2id hash to store for every account; computed from DEMO_PASSWORD when absent */
  passwordHash?: string;
  /** compute a SHA-256 over the loaded rows and store it in the marker (default true) */
  hasContentHash?: boolean;
  onProgress?: (line: string) => void;
}

export interface SeedSummary {
  status: 'seeded' | 'skipped';
  /** why nothing was done (status 'skipped') */
  reason?: string;
  marker?: SeedMarker;
  durationMs: number;
}

function checkCount(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new DemoSeedError('INVALID_OPTION', `${field} must be an integer from ${min} to ${max} (got ${value})`, field);
  }
  return value;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

/**
 * Loads the deterministic demo shop: categories, sellers (the demo seller among them), the demo
 * admin and customer, generated customers, a clothing catalogue with variants and images, and
 * `days` of orders with payments, events and reviews; then writes the app_meta 'seed' marker.
 * Everything is written in one transaction: a failed seed leaves nothing behind.
 *
 * @example
 * const summary = await seedDemoData(pool, { seed: 42, dataDir: config.dataDir, ifEmpty: true, onProgress: console.log });
 */
export async function seedDemoData(pool: Pool, options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const log = options.onProgress ?? (() => undefined);
  const seed = checkCount('seed', options.seed, 0, 4_294_967_295);
  const productCount = checkCount('products', options.products ?? DEFAULT_SEED_SIZES.products, 1, 200_000);
  const customerCount = checkCount('customers', options.customers ?? DEFAULT_SEED_SIZES.customers, 1, 2_000_000);
  const days = checkCount('days', options.days ?? DEFAULT_SEED_SIZES.days, 1, 730);
  const now = options.now ?? new Date();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;

  if (!options.reset) {
    const marker = await readSeedMarker(pool);
    if (marker && options.ifEmpty) return { status: 'skipped', reason: `demo data already loaded (seed ${marker.seed}, ${marker.generatedAt})`, marker, durationMs: Date.now() - started };
    if (!(await isShopEmpty(pool))) {
      if (options.ifEmpty) return { status: 'skipped', reason: 'the shop already has products or orders', durationMs: Date.now() - started };
      throw new DemoSeedError('SHOP_NOT_EMPTY', 'the shop already has products or orders; pass --reset to replace them with demo data (this deletes every shop row) or --if-empty to skip');
    }
  }
  const bases = options.reset
    ? { users: 0, addresses: 0, categories: 0, products: 0, product_variants: 0, product_images: 0, orders: 0, order_items: 0, order_events: 0, payments: 0, reviews: 0 }
    : await readIdBases(pool);

  const random = new Random(seed);
  const products = generateCatalogue(random.fork('catalogue'), { products: productCount, now, productIdBase: bases.products, variantIdBase: bases.product_variants });
  const variantCount = products.reduce((sum, product) => sum + product.variants.length, 0);
  log(`catalogue: ${fmt(products.length)} products, ${fmt(variantCount)} variants in ${CATEGORIES.length} categories`);

  // images render on sharp's threads while the rows are generated and loaded (awaited last)
  const pairs = new Map<string, { shape: Shape; colourId: ColourId }>();
  for (const product of products) for (const colourId of product.colours) pairs.set(`${product.shape}|${colourId}`, { shape: product.shape, colourId });
  const sortedPairs = [...pairs.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, pair]) => pair);
  let lastImageLog = 0;
  const images: Promise<Map<string, StoredImage>> =
    options.hasImages === false
      ? Promise.resolve(new Map())
      : renderGarmentImages(options.dataDir, sortedPairs, (done, total) => {
          if (done === total || Date.now() - lastImageLog > 2000) {
            lastImageLog = Date.now();
            log(`images: ${done}/${total} rendered (${elapsed()})`);
          }
        });
  images.catch(() => undefined); // awaited below; avoid an unhandled rejection in the meantime
  const passwordHash = options.passwordHash ?? (await hashPassword(DEMO_PASSWORD));

  const staffCreated = new Date(now.getTime() - 760 * DAY_MS);
  let userId = bases.users;
  const admin = staffUser((userId += 1), DEMO_EMAILS.admin, 'Avery Admin', 'admin', staffCreated);
  const sellers = BRANDS.map((brand) => staffUser((userId += 1), brand.email, brand.name, 'seller', staffCreated));
  const customers = generateCustomers(random.fork('customers'), { count: customerCount, now, idBase: userId });
  const demoCustomer = customers[0];
  if (demoCustomer) makeDemoCustomer(demoCustomer, now);
  log(`customers: ${fmt(customers.length)} (plus 1 admin and ${sellers.length} sellers)`);

  const orders = new OrderGenerator(random.fork('orders'), products, {
    now,
    days,
    ids: { orders: bases.orders, orderItems: bases.order_items, orderEvents: bases.order_events, payments: bases.payments, reviews: bases.reviews },
    sellerIds: sellers.map((seller) => seller.id),
    adminId: admin.id,
  });
  await orders.generateWindow(customers);
  if (demoCustomer) {
    // the demo customer's own history: delivered and reviewed, delivered, on its way, just paid
    for (const [daysAgo, isReviewed] of [[40, true], [21, false], [4, false], [0.1, false]] as const) {
      orders.placeOrder(demoCustomer, new Date(now.getTime() - daysAgo * DAY_MS), isReviewed);
    }
  }
  const { history } = orders;
  history.orders.sort((a, b) => a.id - b.id);
  labelSegments(customers, history.orders);
  log(`orders: ${fmt(history.orders.length)} orders, ${fmt(history.items.length)} lines, ${fmt(history.payments.length)} payments, ${fmt(history.reviews.length)} reviews over ${days} days (${elapsed()})`);

  const users: DemoUser[] = [admin, ...sellers, ...customers];
  const addresses = generateAddresses(random.fork('addresses'), customers, bases.addresses);
  const categoryCreated = new Date(now.getTime() - 800 * DAY_MS);

  const marker = await withTransaction(pool, async (client) => {
    await lockSeed(client);
    if (options.reset) {
      log('reset: emptying the shop tables');
      await resetShop(client);
    } else {
      const current = await readIdBases(client);
      if ((await readSeedMarker(client)) || JSON.stringify(current) !== JSON.stringify(bases)) {
        throw new DemoSeedError('SHOP_CHANGED', 'the shop tables changed while the demo data was generated (another seed running?); run the seed again');
      }
    }
    const categoryIds = await upsertCategories(client, CATEGORIES.map((c) => ({ slug: c.slug, name: c.name, createdAt: categoryCreated })));
    log('loading into PostgreSQL (COPY)…');
    const counts = await loadDataset(
      client,
      { users, passwordHash, products, sellerIds: sellers.map((s) => s.id), categoryIds, images, history, addresses, currency: options.currency ?? 'USD' },
      bases.product_images,
      (table, rows) => log(`  ${table}: ${fmt(rows)} rows`),
    );
    await syncIdentitySequences(client);
    const value: SeedMarker = {
      seed,
      counts: { ...counts, categories: categoryIds.size, customers: customers.length, sellers: sellers.length },
      sizes: { products: productCount, customers: customerCount, days },
      windowEnd: now.toISOString(),
      generatedAt: new Date().toISOString(),
      demoAccounts: [DEMO_EMAILS.admin, DEMO_EMAILS.seller, DEMO_EMAILS.customer],
    };
    if (options.hasContentHash !== false) value.contentHash = await hashShopContent(client);
    await writeSeedMarker(client, value);
    return value;
  });
  await analyseSeededTables(pool);
  log(`done in ${elapsed()}`);
  return { status: 'seeded', marker, durationMs: Date.now() - started };
}
