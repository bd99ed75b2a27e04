import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

import type { RateLimitSettings } from '../config.js';
import { decisionPath } from '../http/canonical-path.js';
import { isFromTier } from '../http/forwarded.js';
import { SlidingWindowLimiter, type RateLimitResult } from './limiter.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

export interface RateLimitPluginOptions {
  settings: RateLimitSettings;
  /** Paths that count as sign-in and sign-up attempts. */
  loginPath?: string;
  signupPath?: string;
  /** Clock for tests. */
  now?: () => number;
  /**
   * The tiers' addresses (the trusted proxies). A tier's own /collect batches (the web tier's
   * access log: one event per request of every visitor) are not one client's batches and are not
   * counted per IP; a request a proxy forwarded (with a proxy header) always is.
   */
  trustedProxies?: readonly string[];
}

/** The signed-in user's id, when another plugin (the API's session plugin) loaded a session. */
function accountId(request: FastifyRequest): number | undefined {
  // the session decoration belongs to the API tier; read it structurally so this package does not import it
  const session: unknown = Reflect.get(request, 'session');
  if (typeof session !== 'object' || session === null) return undefined;
  const user: unknown = Reflect.get(session, 'user');
  if (typeof user !== 'object' || user === null) return undefined;
  const id: unknown = Reflect.get(user, 'id');
  return typeof id === 'number' ? id : undefined;
}

function emailOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const email: unknown = Reflect.get(body, 'email');
  return typeof email === 'string' ? email.trim().toLowerCase() : undefined;
}

/**
 * Answers 429 with Retry-After for a refused limit and logs which limit and key refused it; `what`
 * completes "too many …" in the message. Shared by every tier that enforces a per-address limit.
 */
export function refuseRateLimited(request: FastifyRequest, reply: FastifyReply, result: RateLimitResult, what: string, key: string): FastifyReply {
  request.log.warn({ rateLimit: { what, key, retryAfterSeconds: result.retryAfterSeconds }, ip: request.ip, url: request.url.slice(0, 200) }, 'rate limited');
  return reply
    .status(429)
    .header('retry-after', String(result.retryAfterSeconds))
    .header('cache-control', 'no-store')
    .send({ error: { code: 'RATE_LIMITED', message: `too many ${what}; try again in ${result.retryAfterSeconds} s` } });
}

/**
 * Per-IP and per-account request limits for the API tier, answering 429 with Retry-After:
 * the API as a whole (per IP, per signed-in account), sign-in attempts (per IP and per e-mail
 * tried, on top of the login lockout in the auth routes, which counts failures only), sign-ups
 * (per IP) and /collect batches (per IP). Register it before the session plugin: the per-IP check then runs before
 * all database work, the per-account checks after the session and body are read.
 *
 * @example
 * await app.register(rateLimitPlugin, { settings: config.edge.rateLimit });
 */
export const rateLimitPlugin = fp<RateLimitPluginOptions>(
  async (app: FastifyInstance, options) => {
    const { settings } = options;
    const now = options.now ?? Date.now;
    const trustedProxies = options.trustedProxies ?? [];
    const loginPath = options.loginPath ?? '/api/auth/login';
    const signupPath = options.signupPath ?? '/api/auth/signup';
    const apiPerIp = new SlidingWindowLimiter(settings.apiPerIpPerMin, MINUTE_MS, now);
    const apiPerAccount = new SlidingWindowLimiter(settings.apiPerAccountPerMin, MINUTE_MS, now);
    const loginPerIp = new SlidingWindowLimiter(settings.loginPerIpPerMin, MINUTE_MS, now);
    const loginPerAccount = new SlidingWindowLimiter(settings.loginPerAccountPerMin, MINUTE_MS, now);
    const signupPerIp = new SlidingWindowLimiter(settings.signupPerIpPerHour, HOUR_MS, now);
    // batches per IP; the collector's own token bucket (THREADLINE_COLLECT_RATE) counts events
    const collectPerIp = new SlidingWindowLimiter(settings.collectPerIpPerMin, MINUTE_MS, now);

    /** The per-address checks; the reply when one refused the request (and answered it), else undefined. */
    const checkAddress = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
      // decisions on the decoded path the router used, never the raw URL (`/%61pi/…` is `/api/…`)
      const path = decisionPath(request);
      if (request.method === 'POST' && path === '/collect') {
        if (trustedProxies.length > 0 && isFromTier({ peer: request.socket.remoteAddress, headers: request.headers, trustedProxies })) return undefined;
        const collect = collectPerIp.hit(request.ip);
        if (!collect.isAllowed) return refuseRateLimited(request, reply, collect, 'event batches from this address', `collect-ip:${request.ip}`);
        return undefined;
      }
      if (!path.startsWith('/api/')) return undefined;
      const api = apiPerIp.hit(request.ip);
      if (!api.isAllowed) return refuseRateLimited(request, reply, api, 'requests from this address', `ip:${request.ip}`);
      if (request.method === 'POST' && path === loginPath) {
        const login = loginPerIp.hit(request.ip);
        if (!login.isAllowed) return refuseRateLimited(request, reply, login, 'sign-in attempts from this address', `login-ip:${request.ip}`);
      }
      if (request.method === 'POST' && path === signupPath) {
        const signup = signupPerIp.hit(request.ip);
        if (!signup.isAllowed) return refuseRateLimited(request, reply, signup, 'sign-ups from this address', `signup-ip:${request.ip}`);
      }
      return undefined;
    };

    /** The per-account checks, after the session and body are read; as checkAddress. */
    const checkAccount = (request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined => {
      const path = decisionPath(request);
      if (!path.startsWith('/api/')) return undefined;
      const account = accountId(request);
      if (account !== undefined) {
        const result = apiPerAccount.hit(String(account));
        if (!result.isAllowed) return refuseRateLimited(request, reply, result, 'requests for this account', `account:${account}`);
      }
      if (request.method === 'POST' && path === loginPath) {
        const email = emailOf(request.body);
        if (email !== undefined) {
          const result = loginPerAccount.hit(email);
          if (!result.isAllowed) return refuseRateLimited(request, reply, result, 'sign-in attempts for this account', 'login-account');
        }
      }
      return undefined;
    };

    // callback hooks (the checks are synchronous): no promise and microtask per request; a refused
    // request was answered and goes no further (done is not called)
    app.addHook('onRequest', (request, reply, done) => {
      if (checkAddress(request, reply) === undefined) done();
    });
    app.addHook('preHandler', (request, reply, done) => {
      if (checkAccount(request, reply) === undefined) done();
    });
  },
  { name: 'threadline-rate-limit' },
);
