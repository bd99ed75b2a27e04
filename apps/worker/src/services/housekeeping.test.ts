import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

import { loadConfig } from '@threadline/config';
import { ensureCartId, insertSession, insertUser } from '@threadline/db';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { ABANDONED_CART_AGE_MS, cleanUpSessionsAndCarts } from './housekeeping.js';

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
