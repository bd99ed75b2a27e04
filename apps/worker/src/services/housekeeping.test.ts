import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { createLogger, loadConfig } from '@threadline/config';
import { ensureCartId, insertCategory, insertProduct, insertSession, insertUser, insertVariants, setLineQuantity } from '@threadline/db';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';
import { placeOrder, TestPaymentProvider } from '@threadline/orders';

import { ABANDONED_CART_AGE_MS, cleanUpSessionsAndCarts, housekeepingService } from './housekeeping.js';

const DAY_MS = 86_400_000;

describe('housekeeping: session and cart clean-up', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.close());

  async function session(expiresInMs: number, userId: number | null = null): Promise<Buffer> {
    const idHash = randomBytes(32);
    await insertSession(db.pool, { idHash, userId, csrfToken: 'csrf', ip: '127.0.0.1', userAgent: 'test', expiresAt: new Date(Date.now() + expiresInMs) });
    return idHash;
  }

  async function cartTouched(owner: { userId: number } | { sessionIdHash: Buffer }, agoMs: number): Promise<number> {
    const id = await ensureCartId(db.pool, owner);
    // the updated_at trigger stamps now(); the age is what the test is about
    await db.pool.query("ALTER TABLE carts DISABLE TRIGGER carts_updated_at");
    await db.pool.query('UPDATE carts SET updated_at = $2 WHERE id = $1', [id, new Date(Date.now() - agoMs)]);
    await db.pool.query("ALTER TABLE carts ENABLE TRIGGER carts_updated_at");
    return id;
  }

  it('deletes expired sessions and unreachable or abandoned anonymous carts, and keeps the rest', async () => {
    const user = await insertUser(db.pool, { email: 'keep@example.test', passwordHash: 'x', name: 'Keeper' });
    const expired = await session(-DAY_MS);
    const live = await session(DAY_MS);
    const liveSignedIn = await session(DAY_MS, user.id);
    const cartOfExpired = await cartTouched({ sessionIdHash: expired }, DAY_MS);
    const freshAnonymous = await cartTouched({ sessionIdHash: live }, DAY_MS);
    const staleAnonymous = await cartTouched({ sessionIdHash: liveSignedIn }, ABANDONED_CART_AGE_MS + DAY_MS);
    const oldUserCart = await cartTouched({ userId: user.id }, ABANDONED_CART_AGE_MS * 3);

    const removed = await cleanUpSessionsAndCarts(db.pool);

    assert.deepEqual(removed, { sessions: 1, carts: 2 });
    const { rows: sessions } = await db.pool.query<{ id_hash: Buffer }>('SELECT id_hash FROM sessions');
    assert.deepEqual(new Set(sessions.map((row) => row.id_hash.toString('hex'))), new Set([live, liveSignedIn].map((hash) => hash.toString('hex'))));
    const { rows: carts } = await db.pool.query<{ id: string }>('SELECT id FROM carts ORDER BY id');
    assert.deepEqual(carts.map((row) => Number(row.id)), [freshAnonymous, oldUserCart].sort((a, b) => a - b));
    assert.ok(!carts.some((row) => [cartOfExpired, staleAnonymous].includes(Number(row.id))));
    // a second pass finds nothing left to do
    assert.deepEqual(await cleanUpSessionsAndCarts(db.pool), { sessions: 0, carts: 0 });
  });

  it('takes the abandoned-cart age from THREADLINE_ABANDONED_CART_DAYS', async () => {
    const config = loadConfig({ THREADLINE_ABANDONED_CART_DAYS: '2' });
    const owner = await session(DAY_MS);
    const threeDaysOld = await cartTouched({ sessionIdHash: owner }, 3 * DAY_MS);
    // the default (30 days) keeps it; the configured 2 days do not
    assert.deepEqual(await cleanUpSessionsAndCarts(db.pool), { sessions: 0, carts: 0 });
    assert.deepEqual(await cleanUpSessionsAndCarts(db.pool, { abandonedCartMs: config.housekeeping.abandonedCartMs }), { sessions: 0, carts: 1 });
    const { rows } = await db.pool.query('SELECT 1 FROM carts WHERE id = $1', [threeDaysOld]);
    assert.equal(rows.length, 0);
  });
});

describe('housekeeping: the worker service', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
  after(() => db.close());

  async function stockOf(variantId: number): Promise<number> {
    const { rows } = await db.pool.query<{ stock: number }>('SELECT stock FROM product_variants WHERE id = $1', [variantId]);
    return rows[0]?.stock ?? -1;
  }

  it('cancels a pending order past its payment window on its first pass and gives the stock back; an expired session goes too', async () => {
    const seller = await insertUser(db.pool, { email: 'seller@example.test', passwordHash: 'x', name: 'Seller', role: 'seller' });
    const category = await insertCategory(db.pool, { slug: 'tops', name: 'Tops' });
    const productId = await insertProduct(db.pool, { sellerId: seller.id, categoryId: category.id, name: 'Tee', description: '', status: 'published' });
    await insertVariants(db.pool, productId, [{ size: 'M', colour: 'Navy', priceCents: 2500, stock: 5 }]);
    const { rows } = await db.pool.query<{ id: number }>('SELECT id FROM product_variants WHERE product_id = $1', [productId]);
    const variantId = rows[0]?.id ?? 0;
    const buyer = await insertUser(db.pool, { email: 'buyer@example.test', passwordHash: 'x', name: 'Buyer' });
    await setLineQuantity(db.pool, await ensureCartId(db.pool, { userId: buyer.id }), variantId, 2);
    const address = { recipientName: 'Buyer', line1: '1 Main St', line2: null, city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US', phone: null };
    const { order } = await placeOrder(db.pool, new TestPaymentProvider(), { buyer: { kind: 'user', userId: buyer.id }, address, methodCode: 'standard', idempotencyKey: null, currency: 'USD' });
    assert.equal(await stockOf(variantId), 3, 'the pending order holds 2');
    await db.pool.query("UPDATE orders SET placed_at = now() - interval '2 hours' WHERE id = $1", [order.id]);
    await insertSession(db.pool, { idHash: randomBytes(32), userId: null, csrfToken: 'csrf', ip: '127.0.0.1', userAgent: 'test', expiresAt: new Date(Date.now() - DAY_MS) });

    const service = await housekeepingService.start({
      config: loadConfig({}),
      secrets: { sessionSecret: 's', pseudonymKey: 'k', paymentWebhookSecret: 'w', pgPassword: '' },
      pool: db.pool,
      logger: createLogger({ name: 'housekeeping-test', level: 'silent' }),
    });
    try {
      // both timers run a first pass at start; wait for it (no sleeping on a guess)
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const { rows: state } = await db.pool.query<{ status: string; sessions: string }>(
          'SELECT (SELECT status::text FROM orders WHERE id = $1) AS status, (SELECT count(*) FROM sessions)::text AS sessions',
          [order.id],
        );
        if (state[0]?.status === 'cancelled' && state[0].sessions === '0') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await service.stop();
    }
    const { rows: after } = await db.pool.query<{ status: string }>('SELECT status::text AS status FROM orders WHERE id = $1', [order.id]);
    assert.equal(after[0]?.status, 'cancelled');
    assert.equal(await stockOf(variantId), 5, 'the 2 units are back on sale');
    const { rows: sessions } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sessions');
    assert.equal(sessions[0]?.n, 0);
  });
});
