import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import { deleteSession, findActiveSession, insertSession, touchSession, type Pool, type UserRole } from '@threadline/db';

import { AppError } from '../errors.js';
import { SessionCache } from './session-cache.js';

export const SESSION_COOKIE = 'tl_session';
/** Sessions live 14 days from the last request. */
const SESSION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
/** last_seen_at is refreshed at most this often, so reads do not write on every request. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;

export type Role = UserRole;

export interface SessionUser {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export interface Session {
  idHash: Buffer;
  csrfToken: string;
  user: SessionUser | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's server-side session, when the request carried a valid session cookie. */
    session: Session | null;
  }
}

export function hashSessionId(id: string): Buffer {
  return createHash('sha256').update(id).digest();
}

/** Sessions kept by one API process at most (about 300 bytes each). */
const SESSION_CACHE_ENTRIES = 20_000;

async function loadSession(pool: Pool, cache: SessionCache, cookie: string): Promise<Session | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) return null;
  const idHash = hashSessionId(cookie);
  const now = Date.now();
  let found = cache.get(idHash, now);
  if (!found) {
    // a cookie that named no session a moment ago (expired, signed out, made up) costs no query
    if (cache.isKnownAbsent(idHash, now)) return null;
    const read = await findActiveSession(pool, idHash);
    if (!read) {
      cache.setAbsent(idHash, now);
      return null;
    }
    found = read;
    cache.set(read, now);
  }
  if (now - found.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await touchSession(pool, idHash, new Date(now + SESSION_TTL_MS));
    // the next request reads the session again, with its new expiry
    cache.delete(idHash);
  }
  return { idHash: found.idHash, csrfToken: found.csrfToken, user: found.user };
}

function setSessionCookie(reply: FastifyReply, id: string, isSecure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, id, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isSecure,
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export interface SessionOptions {
  pool: Pool;
  /** Send cookies with the Secure flag (HTTPS deployments). */
  isSecureCookie: boolean;
  /**
   * How long (ms) this process may answer from a session it read, without reading it again
   * (THREADLINE_SESSION_CACHE_MS; 0 = read every request). See SessionCache for revocation.
   */
  cacheMs: number;
}

/**
 * Creates a new server-side session (optionally for a user) and sets its cookie. Used for the
 * first anonymous visit and, with a user, at login: a fresh id then defeats session fixation.
 * The CSRF token is carried over so that a page's token stays valid across login.
 */
export async function startSession(
  pool: Pool,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { userId?: number; csrfToken?: string; isSecureCookie: boolean },
): Promise<{ idHash: Buffer; csrfToken: string }> {
  const id = randomBytes(32).toString('base64url');
  const idHash = hashSessionId(id);
  const csrfToken = options.csrfToken ?? randomBytes(32).toString('base64url');
  await insertSession(pool, {
    idHash,
    userId: options.userId ?? null,
    csrfToken,
    ip: request.ip,
    userAgent: (request.headers['user-agent'] ?? '').slice(0, 500),
    expiresAt: new Date(Date.now() + SESSION_TTL_MS),
  });
  setSessionCookie(reply, id, options.isSecureCookie);
  return { idHash, csrfToken };
}

/** Ends a session: deletes it server-side and clears the cookie. */
export async function endSession(pool: Pool, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.session) await deleteSession(pool, request.session.idHash);
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
  request.session = null;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function tokensMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Loads the session of every request and enforces CSRF on state-changing ones: the token from
 * `GET /api/auth/csrf` must come back in `x-csrf-token`. Routes with `config: { csrf: false }`
 * (signed webhooks, the /collect beacon that changes no account state) are exempt.
 */
export const sessionPlugin = fp<SessionOptions>(
  async (app: FastifyInstance, options) => {
    app.decorateRequest('session', null);
    const cache = new SessionCache({ ttlMs: options.cacheMs, maxEntries: SESSION_CACHE_ENTRIES });
    app.decorate('sessionCache', cache);
    /** True when a request may end a session or change an account: the cache must not outlive it. */
    const mayRevoke = (request: FastifyRequest): boolean => {
      if (!MUTATING.has(request.method)) return false;
      const routeConfig = request.routeOptions.config as { keepsSessions?: boolean } | undefined; // Fastify's route config, typed below
      return routeConfig?.keepsSessions !== true;
    };
    // callback hooks: a request without a session cookie (most reads) costs no promise and
    // microtask per hook; only reading a session waits
    app.addHook('onRequest', (request, _reply, done) => {
      // before the session is read: a sign-out or role change on this process reads fresh rows
      if (cache.size > 0 && mayRevoke(request)) cache.clear();
      const cookie = request.cookies[SESSION_COOKIE];
      if (!cookie) {
        request.session = null;
        done();
        return;
      }
      loadSession(options.pool, cache, cookie).then(
        (session) => {
          request.session = session;
          done();
        },
        (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
      );
    });
    // and after it committed: no request that started meanwhile keeps a copy read before the change
    app.addHook('onResponse', (request, _reply, done) => {
      if (cache.size > 0 && mayRevoke(request)) cache.clear();
      done();
    });
    app.addHook('preValidation', (request, _reply, done) => {
      // every state-changing request needs the token, whatever its path looks like: the exemption is
      // a property of the matched route (`config: { csrf: false }`), never a comparison of the URL
      if (!MUTATING.has(request.method) || request.routeOptions.url === undefined) return done(); // unmatched: 404 follows
      const routeConfig = request.routeOptions.config as { csrf?: boolean } | undefined;
      if (routeConfig?.csrf === false) return done();
      const given = request.headers['x-csrf-token'];
      if (!request.session || typeof given !== 'string' || !tokensMatch(request.session.csrfToken, given)) {
        return done(new AppError('CSRF_INVALID', 'missing or invalid CSRF token: fetch GET /api/auth/csrf and send it in x-csrf-token'));
      }
      return done();
    });
  },
  { name: 'threadline-session', dependencies: ['@fastify/cookie'] },
);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: this route does not require the CSRF header (e.g. HMAC-signed webhooks). */
    csrf?: boolean;
    /**
     * true: this state-changing route ends no session and changes no account (cart, checkout,
     * payment, the /collect beacon), so the session cache is kept across it. Unmarked
     * state-changing routes empty the cache (see SessionCache).
     */
    keepsSessions?: boolean;
  }
  interface FastifyInstance {
    /** The sessions this process read recently (tests look at it; routes never need it). */
    sessionCache: SessionCache;
  }
}

/**
 * Hook that admits only signed-in users with one of `roles` (any signed-in user when empty). Use it
 * as `preValidation`: authorisation before validation, so a caller without the role learns nothing
 * about a route from its validation errors (the authorisation matrix test checks every route).
 *
 * @example
 * app.post('/api/seller/products', { preValidation: requireRole('seller', 'admin') }, handler)
 */
export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const user = request.session?.user;
    if (!user) throw new AppError('UNAUTHENTICATED', 'sign in first');
    if (roles.length > 0 && !roles.includes(user.role)) {
      throw new AppError('FORBIDDEN', `this needs one of the roles: ${roles.join(', ')}`);
    }
  };
}

/** The signed-in user of a request that passed `requireRole`. */
export function currentUser(request: FastifyRequest): SessionUser {
  const user = request.session?.user;
  if (!user) throw new AppError('UNAUTHENTICATED', 'sign in first');
  return user;
}
