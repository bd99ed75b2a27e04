import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { hashPassword, verifyPassword } from '@threadline/auth';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { imageDir } from '@threadline/media';

import { DEMO_EMAILS, DEMO_PASSWORD, hashShopContent, isDemoSeedError, readSeedMarker, seedDemoData } from './index.js';

const NOW = new Date('2026-11-20T15:30:00.000Z');
const DAY_MS = 86_400_000;
const SMALL = { products: 40, customers: 150, days: 20, now: NOW, hasImages: false } as const;

let passwordHash: string;
const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-demo-'));
const databases: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

async function scalar<T>(db: TestDatabase, sql: string, params: unknown[] = []): Promise<T> {
  const { rows } = await db.pool.query<{ value: T }>(sql, params);
  const row = rows[0];
  if (!row) throw new Error(`no row from ${sql}`);
  return row.value;
}

before(async () => {
  // argon2id is slow on purpose: hash once for the whole file, as the seed itself does
  passwordHash = await hashPassword(DEMO_PASSWORD);
});

after(async () => {
  await Promise.all(databases.map((db) => db.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('seedDemoData determinism', () => {
  it('writes identical rows for the same seed and different rows for another seed', async () => {
    const [a, b, c] = await Promise.all([freshDatabase(), freshDatabase(), freshDatabase()]);
    const first = await seedDemoData(a.pool, { seed: 7, dataDir, passwordHash, ...SMALL });
    await seedDemoData(b.pool, { seed: 7, dataDir, passwordHash, ...SMALL });
    await seedDemoData(c.pool, { seed: 8, dataDir, passwordHash, ...SMALL });
    const [hashA, hashB, hashC] = await Promise.all([hashShopContent(a.pool), hashShopContent(b.pool), hashShopContent(c.pool)]);
    assert.equal(hashA, hashB);
    assert.notEqual(hashA, hashC);
    assert.equal(first.marker?.contentHash, hashA, 'the marker records the hash of what was loaded');
  });
});

describe('seedDemoData at the default size', () => {
  let db: TestDatabase;
  before(async () => {
    db = await freshDatabase();
    const summary = await seedDemoData(db.pool, { seed: 42, dataDir, passwordHash, now: NOW });
    assert.equal(summary.status, 'seeded');
  });

  it('loads at least 300 published products in every category, each with size/colour variants, stock and prices', async () => {
    assert.ok((await scalar<number>(db, `SELECT count(*) AS value FROM products WHERE status = 'published'`)) >= 300);
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM products p WHERE NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id)`), 0);
    assert.equal(await scalar<number>(db, `SELECT count(DISTINCT category_id) AS value FROM products`), 13);
    const { rows } = await db.pool.query<{ slug: string; min: number; max: number; variants: number; sizes: number; colours: number }>(
      `SELECT c.slug, min(v.price_cents) AS min, max(v.price_cents) AS max, count(*)::int AS variants,
              count(DISTINCT v.size)::int AS sizes, count(DISTINCT v.colour)::int AS colours
         FROM product_variants v JOIN products p ON p.id = v.product_id JOIN categories c ON c.id = p.category_id GROUP BY c.slug`,
    );
    const bySlug = new Map(rows.map((row) => [row.slug, row]));
    const coats = bySlug.get('coats');
    const tees = bySlug.get('t-shirts');
    assert.ok(coats && tees);
    assert.ok(coats.min > tees.max / 2, 'a coat costs more than a cheap tee');
    assert.ok(tees.max <= 4500 && tees.min >= 1000, `t-shirt prices ${tees.min}..${tees.max}`);
    assert.ok(tees.sizes >= 5 && tees.colours >= 5);
    assert.ok((await scalar<number>(db, `SELECT count(*) AS value FROM product_variants WHERE stock > 0`)) > 0);
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM (SELECT sku FROM product_variants GROUP BY sku HAVING count(*) > 1) d`), 0);
  });

  it('gives products generated images stored as responsive WebP files', async () => {
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM products p WHERE NOT EXISTS (SELECT 1 FROM product_images i WHERE i.product_id = p.id)`), 0);
    const { rows } = await db.pool.query<{ storage_key: string }>(`SELECT DISTINCT storage_key FROM product_images`);
    assert.ok(rows.length >= 13, 'at least one image per category');
    assert.ok(rows.length < 300, 'images are reused across products');
    for (const { storage_key } of rows) assert.ok(existsSync(path.join(imageDir(dataDir, storage_key), '320.webp')), storage_key);
  });

  it('creates at least 2,000 customers with segment attributes, mostly in North America', async () => {
    const { rows } = await db.pool.query<{ region: string; n: number }>(`SELECT region, count(*)::int AS n FROM users WHERE role = 'customer' GROUP BY region`);
    const total = rows.reduce((sum, row) => sum + row.n, 0);
    const share = (region: string): number => (rows.find((row) => row.region === region)?.n ?? 0) / total;
    assert.ok(total >= 2000);
    assert.ok(share('north_america') > 0.6 && share('south_america') > 0.08 && share('europe') > 0.08, JSON.stringify(rows));
    assert.ok(share('south_america') > share('asia_pacific'));
    const complete = await scalar<number>(
      db,
      `SELECT count(*) AS value FROM users WHERE role = 'customer' AND age_band IS NOT NULL AND gender IS NOT NULL AND country IS NOT NULL AND state_province IS NOT NULL`,
    );
    assert.ok(complete / total > 0.85);
    assert.equal(await scalar<number>(db, `SELECT count(DISTINCT age_band) AS value FROM users`), 6);
    const consent = await scalar<number>(db, `SELECT avg(marketing_consent::int) AS value FROM users WHERE role = 'customer'`);
    assert.ok(consent > 0.4 && consent < 0.8);
    const oldest = await scalar<Date>(db, `SELECT min(created_at) AS value FROM users WHERE role = 'customer'`);
    assert.ok(NOW.getTime() - oldest.getTime() > 600 * DAY_MS, 'sign-ups go back about two years');
    assert.ok((await scalar<number>(db, `SELECT count(*) AS value FROM users WHERE role = 'seller'`)) >= 3);
  });

  it('spreads orders over the 90 days up to now, busiest in the evening, never before the customer signed up', async () => {
    const first = await scalar<Date>(db, `SELECT min(placed_at) AS value FROM orders`);
    const last = await scalar<Date>(db, `SELECT max(placed_at) AS value FROM orders`);
    assert.ok(NOW.getTime() - first.getTime() <= 91 * DAY_MS && NOW.getTime() - first.getTime() > 88 * DAY_MS);
    assert.ok(last.getTime() <= NOW.getTime() && NOW.getTime() - last.getTime() < DAY_MS);
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM orders o JOIN users u ON u.id = o.user_id WHERE o.placed_at < u.created_at OR u.role <> 'customer'`), 0);
    const evening = await scalar<number>(db, `SELECT count(*) AS value FROM orders WHERE extract(hour FROM placed_at AT TIME ZONE 'America/New_York') BETWEEN 19 AND 21`);
    const night = await scalar<number>(db, `SELECT count(*) AS value FROM orders WHERE extract(hour FROM placed_at AT TIME ZONE 'America/New_York') BETWEEN 3 AND 5`);
    assert.ok(evening > night * 3, `evening ${evening} vs night ${night}`);
  });

  it('keeps order totals equal to their lines plus shipping', async () => {
    assert.equal(
      await scalar<number>(
        db,
        `SELECT count(*) AS value FROM orders o
           JOIN (SELECT order_id, sum(quantity * unit_price_cents) AS lines FROM order_items GROUP BY order_id) l ON l.order_id = o.id
          WHERE o.subtotal_cents <> l.lines OR o.total_cents <> o.subtotal_cents + o.shipping_cents`,
      ),
      0,
    );
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id)`), 0);
  });

  it('has mostly delivered orders, some cancelled or refunded, and only recent ones pending or paid', async () => {
    const { rows } = await db.pool.query<{ status: string; n: number; oldest: Date }>(`SELECT status, count(*)::int AS n, min(placed_at) AS oldest FROM orders GROUP BY status`);
    const by = new Map(rows.map((row) => [row.status, row]));
    const total = rows.reduce((sum, row) => sum + row.n, 0);
    assert.ok((by.get('delivered')?.n ?? 0) / total > 0.7);
    assert.ok((by.get('cancelled')?.n ?? 0) > 0 && (by.get('refunded')?.n ?? 0) > 0);
    for (const status of ['pending', 'paid']) {
      const row = by.get(status);
      if (row) assert.ok(NOW.getTime() - row.oldest.getTime() < 5 * DAY_MS, `${status} orders are recent`);
    }
  });

  it('keeps each order timeline in order and its last event equal to its status', async () => {
    assert.equal(
      await scalar<number>(
        db,
        `SELECT count(*) AS value FROM orders
          WHERE paid_at < placed_at OR shipped_at < paid_at OR delivered_at < shipped_at OR refunded_at < delivered_at
             OR greatest(placed_at, paid_at, shipped_at, delivered_at, cancelled_at, refunded_at) > $1
             OR (status = 'delivered' AND delivered_at IS NULL) OR (status = 'shipped' AND (shipped_at IS NULL OR delivered_at IS NOT NULL))
             OR (status = 'pending' AND paid_at IS NOT NULL)`,
        [NOW],
      ),
      0,
    );
    assert.equal(
      await scalar<number>(
        db,
        `SELECT count(*) AS value FROM orders o
           JOIN LATERAL (SELECT to_status FROM order_events e WHERE e.order_id = o.id ORDER BY e.at DESC, e.id DESC LIMIT 1) last ON true
          WHERE last.to_status <> o.status`,
      ),
      0,
    );
  });

  it('records a succeeded (or refunded) test payment with brand and last four for every paid order, and no card numbers', async () => {
    assert.equal(
      await scalar<number>(
        db,
        `SELECT count(*) AS value FROM orders o WHERE o.paid_at IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.status IN ('succeeded', 'refunded') AND p.amount_cents = o.total_cents)`,
      ),
      0,
    );
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.status = 'succeeded' AND o.paid_at IS NULL`), 0);
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM payments WHERE provider <> 'test' OR card_last4 !~ '^[0-9]{4}$' OR card_brand IS NULL`), 0);
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM orders WHERE status = 'refunded' AND refunded_at IS NULL`), 0);
  });

  it('only lets buyers review delivered lines, once per line, skewed positive with some text-less reviews', async () => {
    assert.equal(
      await scalar<number>(
        db,
        `SELECT count(*) AS value FROM reviews r JOIN order_items i ON i.id = r.order_item_id JOIN orders o ON o.id = i.order_id
          WHERE r.product_id <> i.product_id OR r.user_id <> o.user_id OR o.delivered_at IS NULL OR r.created_at < o.delivered_at OR r.created_at > $1`,
        [NOW],
      ),
      0,
    );
    const average = await scalar<number>(db, `SELECT avg(rating) AS value FROM reviews`);
    assert.ok(average > 3.6 && average < 4.6, `average ${average}`);
    assert.ok((await scalar<number>(db, `SELECT count(*) AS value FROM reviews WHERE body IS NULL`)) > 0);
    const worst = await scalar<number>(db, `SELECT min(rating_sum::float / rating_count) AS value FROM products WHERE rating_count >= 5`);
    assert.ok(worst < 3, 'some products are rated low');
    assert.ok((await scalar<number>(db, `SELECT count(*) AS value FROM reviews WHERE rating <= 2 AND body ~* '(small|thin|pill|zip|seam|faded|sole|big)'`)) > 0);
  });

  it('keeps units_sold, rating_count and rating_sum consistent with the order and review rows', async () => {
    assert.equal(
      await scalar<number>(
        db,
        `SELECT count(*) AS value FROM products p
           LEFT JOIN (SELECT i.product_id, sum(i.quantity) AS sold FROM order_items i JOIN orders o ON o.id = i.order_id
                       WHERE o.status IN ('paid', 'shipped', 'delivered') GROUP BY i.product_id) s ON s.product_id = p.id
           LEFT JOIN (SELECT product_id, count(*) AS n, sum(rating) AS total FROM reviews GROUP BY product_id) r ON r.product_id = p.id
          WHERE p.units_sold <> coalesce(s.sold, 0) OR p.rating_count <> coalesce(r.n, 0) OR p.rating_sum <> coalesce(r.total, 0)`,
      ),
      0,
    );
  });

  it('skews popularity: the top tenth of products sells far more than the bottom half, and the top list differs by segment', async () => {
    const { rows } = await db.pool.query<{ units_sold: number }>(`SELECT units_sold FROM products WHERE status = 'published' ORDER BY units_sold DESC`);
    const sold = rows.map((row) => row.units_sold);
    const top = sold.slice(0, Math.ceil(sold.length / 10)).reduce((a, b) => a + b, 0);
    const bottom = sold.slice(Math.floor(sold.length / 2)).reduce((a, b) => a + b, 0);
    assert.ok(top > bottom * 1.5, `top tenth ${top} vs bottom half ${bottom}`);
    const { rows: tops } = await db.pool.query<{ segment: string; product_id: number }>(
      `SELECT DISTINCT ON (segment) segment, product_id FROM (
         SELECT u.gender || '/' || u.age_band AS segment, i.product_id, sum(i.quantity) AS n
           FROM order_items i JOIN orders o ON o.id = i.order_id JOIN users u ON u.id = o.user_id
          WHERE u.gender IN ('female', 'male') AND u.age_band IS NOT NULL GROUP BY 1, 2) s
        ORDER BY segment, n DESC, product_id`,
    );
    assert.ok(new Set(tops.map((row) => row.product_id)).size >= 4, `top products per segment: ${JSON.stringify(tops)}`);
  });

  it('creates the demo accounts with the demo password; the demo seller owns products and the demo customer has orders', async () => {
    const { rows } = await db.pool.query<{ email: string; role: string; password_hash: string }>(`SELECT email, role, password_hash FROM users WHERE email LIKE '%@demo.threadline.dev'`);
    const roles = Object.fromEntries(rows.map((row) => [row.email, row.role]));
    assert.deepEqual(roles, { [DEMO_EMAILS.admin]: 'admin', [DEMO_EMAILS.seller]: 'seller', [DEMO_EMAILS.customer]: 'customer' });
    assert.ok(await verifyPassword(rows[0]?.password_hash ?? '', DEMO_PASSWORD));
    assert.ok((await scalar<number>(db, `SELECT count(*) AS value FROM products p JOIN users u ON u.id = p.seller_id WHERE u.email = $1`, [DEMO_EMAILS.seller])) >= 10);
    const orders = await scalar<number>(db, `SELECT count(*) AS value FROM orders o JOIN users u ON u.id = o.user_id WHERE u.email = $1`, [DEMO_EMAILS.customer]);
    assert.ok(orders >= 3 && orders <= 6, `demo customer orders: ${orders}`);
  });

  it('writes the app_meta seed marker and leaves the identity sequences past the seeded ids', async () => {
    const marker = await readSeedMarker(db.pool);
    assert.equal(marker?.seed, 42);
    assert.ok((marker?.counts.products ?? 0) >= 300 && typeof marker?.generatedAt === 'string');
    const { rows } = await db.pool.query<{ id: number }>(
      `INSERT INTO categories (slug, name) VALUES ('test-after-seed', 'Test') RETURNING id`,
    );
    assert.ok((rows[0]?.id ?? 0) > 13);
  });
});

describe('seedDemoData on a database that already has data', () => {
  it('does nothing with ifEmpty, refuses without it, and reproduces the same rows with reset', async () => {
    const db = await freshDatabase();
    const first = await seedDemoData(db.pool, { seed: 3, dataDir, passwordHash, ...SMALL });
    const hash = await hashShopContent(db.pool);
    const again = await seedDemoData(db.pool, { seed: 3, dataDir, passwordHash, ...SMALL, ifEmpty: true });
    assert.equal(again.status, 'skipped');
    assert.match(again.reason ?? '', /already loaded/);
    assert.equal(await hashShopContent(db.pool), hash, 'a skipped seed writes nothing');
    await assert.rejects(seedDemoData(db.pool, { seed: 3, dataDir, passwordHash, ...SMALL }), (error: unknown) => isDemoSeedError(error) && error.code === 'SHOP_NOT_EMPTY');
    const reset = await seedDemoData(db.pool, { seed: 3, dataDir, passwordHash, ...SMALL, reset: true });
    assert.equal(reset.status, 'seeded');
    assert.equal(await hashShopContent(db.pool), hash);
    assert.equal(reset.marker?.contentHash, first.marker?.contentHash);
    // reference data from the migrations survives the reset: every seeded colour still has its family
    assert.ok((await scalar<number>(db, `SELECT count(*)::int AS value FROM colour_names WHERE source = 'vocabulary'`)) > 100);
    assert.equal(await scalar<number>(db, `SELECT count(*)::int AS value FROM product_variants WHERE colour_family IS NULL`), 0);
  });

  it('skips with ifEmpty when the shop has its own products but no seed marker', async () => {
    const db = await freshDatabase();
    await seedDemoData(db.pool, { seed: 4, dataDir, passwordHash, ...SMALL });
    await db.pool.query(`DELETE FROM app_meta WHERE key = 'seed'`);
    const summary = await seedDemoData(db.pool, { seed: 4, dataDir, passwordHash, ...SMALL, ifEmpty: true });
    assert.equal(summary.status, 'skipped');
    assert.match(summary.reason ?? '', /already has products/);
  });

  it('rejects out-of-range sizes with the option named, before touching the database', async () => {
    const db = await freshDatabase();
    await assert.rejects(
      seedDemoData(db.pool, { seed: 1, dataDir, passwordHash, ...SMALL, products: 0 }),
      (error: unknown) => isDemoSeedError(error) && error.code === 'INVALID_OPTION' && error.field === 'products',
    );
    await assert.rejects(
      seedDemoData(db.pool, { seed: -1, dataDir, passwordHash, ...SMALL }),
      (error: unknown) => isDemoSeedError(error) && error.field === 'seed',
    );
    assert.equal(await scalar<number>(db, `SELECT count(*) AS value FROM users`), 0);
  });
});
