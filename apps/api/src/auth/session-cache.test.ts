import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';

import { insertUser, type SessionRecord } from '@threadline/db';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { SessionCache } from './session-cache.js';
import { hashSessionId, SESSION_COOKIE, sessionPlugin } from './session.js';

function record(idHash: Buffer, expiresAt: Date): SessionRecord {
  return { idHash, csrfToken: 'token', lastSeenAt: new Date(), expiresAt, user: null };
}

describe('SessionCache', () => {
  it('answers for at most ttlMs after the read, and never past the session expiry', () => {
    const cache = new SessionCache({ ttlMs: 1000, maxEntries: 10 });
    const live = randomBytes(32);
    const ending = randomBytes(32);
    cache.set(record(live, new Date(10_000_000)), 5_000);
    cache.set(record(ending, new Date(5_500)), 5_000);
    assert.equal(cache.get(live, 5_999)?.idHash, live);
    assert.equal(cache.get(live, 6_000), undefined, 'read again once ttlMs has passed');
    assert.equal(cache.get(ending, 5_499)?.idHash, ending);
    assert.equal(cache.get(ending, 5_500), undefined, 'an expired session is never answered from the cache');
  });

  it('keeps at most maxEntries, dropping the oldest read first; 0 ms keeps nothing', () => {
    const cache = new SessionCache({ ttlMs: 1000, maxEntries: 2 });
    const [a, b, c] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    cache.set(record(a, new Date(10_000)), 1);
    cache.set(record(b, new Date(10_000)), 2);
    cache.set(record(c, new Date(10_000)), 3);
    assert.equal(cache.size, 2);
    assert.equal(cache.get(a, 4), undefined);
    assert.ok(cache.get(b, 4) && cache.get(c, 4));
    const off = new SessionCache({ ttlMs: 0, maxEntries: 2 });
    off.set(record(a, new Date(10_000)), 1);
    off.setAbsent(b, 1);
    assert.equal(off.size, 0);
    assert.equal(off.isKnownAbsent(b, 1), false);
  });

  it('keeps ids that name no session for at most ttlMs, apart from the sessions, emptied with them', () => {
    const cache = new SessionCache({ ttlMs: 1000, maxEntries: 2 });
    const [live, other, gone, madeUp, more] = [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)];
    cache.set(record(live, new Date(10_000_000)), 5_000);
    cache.set(record(other, new Date(10_000_000)), 5_000);
    cache.setAbsent(gone, 5_000);
    assert.equal(cache.isKnownAbsent(gone, 5_999), true);
    assert.equal(cache.isKnownAbsent(gone, 6_000), false, 'asked again once ttlMs has passed');
    assert.equal(cache.isKnownAbsent(live, 5_500), false);
    // made-up ids fill their own bound, never pushing a session out
    for (const id of [gone, madeUp, more]) cache.setAbsent(id, 5_100);
    assert.ok(cache.get(live, 5_500) && cache.get(other, 5_500));
    assert.equal(cache.isKnownAbsent(gone, 5_500), false, 'the oldest absent id made room');
    assert.equal(cache.isKnownAbsent(more, 5_500), true);
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.isKnownAbsent(more, 5_500), false);
  });
});

describe('the session plugin with its cache', () => {
  const TTL_MS = 400;
  let db: TestDatabase;
  let app: FastifyInstance;
  let reads = 0;

  before(async () => {
    db = await createTestDatabase();
    // counts the session reads: every statement still runs against PostgreSQL
    const query = db.pool.query.bind(db.pool);
    db.pool.query = ((...args: Parameters<typeof query>) => {
      const first: unknown = args[0];
      if (typeof first === 'object' && first !== null && 'name' in first && first.name === 'find-active-session') reads += 1;
      return query(...args);
    }) as typeof db.pool.query; // same signature as the method it wraps
    app = Fastify();
    await app.register(cookie);
    await app.register(sessionPlugin, { pool: db.pool, isSecureCookie: false, cacheMs: TTL_MS });
    app.get('/who', async (request) => ({ user: request.session?.user?.email ?? null, role: request.session?.user?.role ?? null }));
    app.post('/cart', { config: { keepsSessions: true } }, async (request) => ({ user: request.session?.user?.email ?? null }));
    app.post('/anything-else', async () => ({ ok: true }));
    await app.ready();
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  async function openSession(role: 'customer' | 'seller' = 'customer'): Promise<{ id: string; csrf: string; userId: number; email: string }> {
    const email = `cache-${randomBytes(4).toString('hex')}@example.test`;
    const user = await insertUser(db.pool, { email, passwordHash: 'unused', name: 'Cache Test', role });
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    await db.pool.query(`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`, [hashSessionId(id), user.id, csrf]);
    return { id, csrf, userId: user.id, email };
  }

  const call = async (method: 'GET' | 'POST', url: string, session: { id: string; csrf: string }): Promise<{ user: string | null; role?: string | null }> => {
    const response = await app.inject({ method, url, cookies: { [SESSION_COOKIE]: session.id }, headers: { 'x-csrf-token': session.csrf } });
    assert.equal(response.statusCode, 200, response.body);
    return response.json<{ user: string | null; role?: string | null }>();
  };

  it('reads a session once for a burst of requests (cart, order, payment)', async () => {
    const session = await openSession();
    reads = 0;
    for (let i = 0; i < 3; i += 1) assert.equal((await call('POST', '/cart', session)).user, session.email);
    assert.equal((await call('GET', '/who', session)).user, session.email);
    assert.equal(reads, 1);
  });

  it('asks PostgreSQL once within the cache time about a cookie that names no session, and again after it', async () => {
    const madeUp = randomBytes(32).toString('base64url');
    reads = 0;
    for (let i = 0; i < 3; i += 1) {
      const response = await app.inject({ method: 'GET', url: '/who', cookies: { [SESSION_COOKIE]: madeUp } });
      assert.equal(response.json<{ user: string | null }>().user, null);
    }
    assert.equal(reads, 1);
    await sleep(TTL_MS + 50);
    await app.inject({ method: 'GET', url: '/who', cookies: { [SESSION_COOKIE]: madeUp } });
    assert.equal(reads, 2);
  });

  it('a state-changing request not marked keepsSessions forgets the absent ids too', async () => {
    const madeUp = randomBytes(32).toString('base64url');
    reads = 0;
    await app.inject({ method: 'GET', url: '/who', cookies: { [SESSION_COOKIE]: madeUp } });
    await app.inject({ method: 'POST', url: '/anything-else', cookies: { [SESSION_COOKIE]: madeUp } });
    await app.inject({ method: 'GET', url: '/who', cookies: { [SESSION_COOKIE]: madeUp } });
    assert.equal(reads, 3);
  });

  it('a session ended elsewhere (another process, SQL) stops working within the cache time', async () => {
    const session = await openSession();
    assert.equal((await call('GET', '/who', session)).user, session.email);
    await db.pool.query('DELETE FROM sessions WHERE id_hash = $1', [hashSessionId(session.id)]);
    await sleep(TTL_MS + 50);
    assert.equal((await call('GET', '/who', session)).user, null);
  });

  it('any state-changing request not marked keepsSessions empties the cache at once (sign-out, role changes, …)', async () => {
    const session = await openSession('seller');
    const other = await openSession();
    assert.equal((await call('GET', '/who', session)).role, 'seller');
    // a change this process cannot see (as if made by a route it serves, which then clears the cache)
    await db.pool.query("UPDATE users SET role = 'customer' WHERE id = $1", [session.userId]);
    await db.pool.query('DELETE FROM sessions WHERE id_hash = $1', [hashSessionId(other.id)]);
    assert.equal((await call('POST', '/cart', session)).user, session.email, 'a cart change keeps the cache');
    await call('POST', '/anything-else', session);
    assert.equal((await call('GET', '/who', session)).role, 'customer', 'read again after the unmarked POST');
    const gone = await app.inject({ method: 'GET', url: '/who', cookies: { [SESSION_COOKIE]: other.id } });
    assert.equal(gone.json<{ user: string | null }>().user, null);
  });
});
