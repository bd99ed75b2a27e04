import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { beginCheckout } from './orders.repo.js';

/**
 * BEGIN and the cart lock in one round trip: the lock still waits for a checkout (or payment) of
 * the same cart, for an account's cart and a guest session's alike, and a statement after it sees
 * what that checkout committed meanwhile (its own snapshot, as a separate statement has).
 */
describe('beginCheckout', () => {
  let db: TestDatabase;
  let userId: number;
  let userCartId: number;
  let sessionIdHash: Buffer;
  let sessionCartId: number;
  before(async () => {
    db = await createTestDatabase();
    const user = await db.pool.query<{ id: number }>(`INSERT INTO users (email, name) VALUES ('buyer@example.com', 'Buyer') RETURNING id`);
    userId = user.rows[0]?.id ?? 0;
    userCartId = (await db.pool.query<{ id: number }>('INSERT INTO carts (user_id) VALUES ($1) RETURNING id', [userId])).rows[0]?.id ?? 0;
    // a hash whose bytes include a quote and a backslash: the hex digits inlined stay hex digits
    sessionIdHash = Buffer.concat([Buffer.from("'\\", 'latin1'), randomBytes(30)]);
    await db.pool.query(`INSERT INTO sessions (id_hash, csrf_token, expires_at) VALUES ($1, 'csrf', now() + interval '1 hour')`, [sessionIdHash]);
    sessionCartId = (await db.pool.query<{ id: number }>('INSERT INTO carts (session_id) VALUES ($1) RETURNING id', [sessionIdHash])).rows[0]?.id ?? 0;
  });
  after(() => db.close());

  async function waitsOnLock(): Promise<boolean> {
    for (let tries = 0; tries < 200; tries += 1) {
      const waiting = await db.pool.query<{ n: number }>("SELECT count(*)::integer AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
      if ((waiting.rows[0]?.n ?? 0) > 0) return true;
      await sleep(25);
    }
    return false;
  }

  for (const kind of ['account', 'guest'] as const) {
    it(`${kind === 'account' ? 'an account' : 'a guest'}'s checkout waits for the one holding its cart, and gets the lock (and its writes) once that one commits`, async () => {
      const buyer = kind === 'account' ? { userId } : { sessionIdHash };
      const cartId = kind === 'account' ? userCartId : sessionCartId;
      const first = await db.pool.connect();
      const second = await db.pool.connect();
      try {
        assert.equal(await beginCheckout(first, buyer), cartId);
        const waiting = beginCheckout(second, buyer);
        assert.ok(await waitsOnLock(), 'the second checkout waits on the cart lock');
        // the first checkout writes something the second must see once it holds the lock
        await first.query('UPDATE carts SET created_at = $2 WHERE id = $1', [cartId, new Date('2030-01-01T00:00:00Z')]);
        await first.query('COMMIT');
        assert.equal(await waiting, cartId);
        const seen = await second.query<{ created_at: Date }>('SELECT created_at FROM carts WHERE id = $1', [cartId]);
        assert.equal(seen.rows[0]?.created_at.toISOString(), '2030-01-01T00:00:00.000Z');
        // the row lock gave the transaction an id: it is still open after the round trip
        const open = await second.query<{ open: boolean }>('SELECT pg_current_xact_id_if_assigned() IS NOT NULL AS open');
        assert.deepEqual(open.rows, [{ open: true }], 'the lock opened a transaction that is still open');
        await second.query('ROLLBACK');
      } finally {
        await first.query('ROLLBACK').catch(() => undefined);
        first.release();
        second.release();
      }
    });
  }

  it('a buyer without a cart gets null, inside an open transaction', async () => {
    const client = await db.pool.connect();
    try {
      for (const buyer of [{ userId: userId + 1000 }, { sessionIdHash: randomBytes(32) }]) {
        assert.equal(await beginCheckout(client, buyer), null);
        const status = await client.query<{ open: boolean }>('SELECT now() <> statement_timestamp() AS open');
        assert.deepEqual(status.rows, [{ open: true }], 'BEGIN ran: now() is the transaction start, not this statement');
        await client.query('ROLLBACK');
      }
    } finally {
      client.release();
    }
  });

  it('refuses an account id that is not an integer (nothing but digits is ever inlined)', async () => {
    const client = await db.pool.connect();
    try {
      await assert.rejects(beginCheckout(client, { userId: 1.5 }), /not an integer/);
    } finally {
      client.release();
    }
  });
});
