import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { LightMyRequestResponse } from 'fastify';

import { hashPassword } from '@threadline/auth';
import { createLogger, loadConfig, loadEdgeConfig, type Secrets } from '@threadline/config';
import { insertCategory, insertUser, type UserRole } from '@threadline/db';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { buildApiApp, type ApiApp } from '../app.js';
import type { ApiContext } from '../context.js';
import { hashSessionId, SESSION_COOKIE } from '../auth/session.js';

export const TEST_PASSWORD = 'correct-horse-battery';
export const WEBHOOK_SECRET = 'whsec_test_secret';

/** A real API on a throwaway, migrated PostgreSQL database, with its own data directory. */
export interface Harness {
  app: ApiApp;
  db: TestDatabase;
  context: ApiContext;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Why a test runs without the shipped edge protections. Tests run with the WAF and rate limits as
 * shipped (the path users take); the few that cannot — a hostile payload that must reach the shop
 * to prove the shop itself stays safe behind a WAF that missed it, or hundreds of requests from one
 * address — say which and why.
 */
export type EdgeOff =
  | { waf: 'off'; why: string }
  | { rateLimits: 'off'; why: string }
  | { waf: 'off'; rateLimits: 'off'; why: string };

function testEdge(off: EdgeOff | undefined) {
  if (!off) return loadEdgeConfig({});
  const generous = '1000000000';
  return loadEdgeConfig({
    ...('waf' in off ? { THREADLINE_WAF_MODE: 'off' } : {}),
    ...('rateLimits' in off
      ? {
          THREADLINE_RATE_LIMIT_PER_MIN: generous,
          THREADLINE_RATE_LIMIT_ACCOUNT_PER_MIN: generous,
          THREADLINE_RATE_LIMIT_LOGIN_PER_MIN: generous,
          THREADLINE_RATE_LIMIT_LOGIN_ACCOUNT_PER_MIN: generous,
          THREADLINE_RATE_LIMIT_SIGNUP_PER_HOUR: generous,
          THREADLINE_RATE_LIMIT_COLLECT_PER_MIN: generous,
        }
      : {}),
  });
}

/** `edgeOff` only with a reason; without it the API runs with the edge settings as shipped. */
export async function createHarness(options: { edgeOff?: EdgeOff } = {}): Promise<Harness> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'threadline-api-'));
  const config = loadConfig({ THREADLINE_DATA_DIR: dataDir, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
  const secrets: Secrets = { sessionSecret: 'test', pseudonymKey: 'test', paymentWebhookSecret: WEBHOOK_SECRET, pgPassword: '' };
  const context: ApiContext = { config, secrets, pool: db.pool, logger: createLogger({ name: 'api-test', level: process.env.THREADLINE_TEST_LOG_LEVEL ?? 'silent' }), readinessChecks: [], edge: testEdge(options.edgeOff) };
  const app = await buildApiApp(context);
  return {
    app,
    db,
    context,
    dataDir,
    async close() {
      await app.close();
      await db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Skip the CSRF header (to test its enforcement). */
  withoutCsrf?: boolean;
  /** Raw payload instead of JSON. */
  payload?: string | Buffer;
}

let nextAddress = 0;

/** A fresh client address per browser (198.18.0.0/15, the benchmarking range), so per-IP limits count per client as they do in production. */
function nextClientAddress(): string {
  nextAddress += 1;
  return `198.18.${(nextAddress >> 8) & 255}.${nextAddress & 255}`;
}

/**
 * A browser-like client: keeps the session cookie and sends the CSRF token on writes. Each client
 * comes from its own address (pass `ip` to share one), so the shipped per-IP rate limits apply to
 * it as to one visitor.
 */
export class Client {
  cookie: string | undefined;
  csrf: string | undefined;
  readonly ip: string;

  constructor(
    private readonly app: ApiApp,
    options: { ip?: string } = {},
  ) {
    this.ip = options.ip ?? nextClientAddress();
  }

  async request(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, options: RequestOptions = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = `${SESSION_COOKIE}=${this.cookie}`;
    if (method !== 'GET' && this.csrf && !options.withoutCsrf) headers['x-csrf-token'] = this.csrf;
    let payload = options.payload;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await this.app.inject({ method, url, headers, remoteAddress: this.ip, ...(payload !== undefined ? { payload } : {}) });
    const setCookie = response.cookies.find((cookie) => cookie.name === SESSION_COOKIE);
    if (setCookie) this.cookie = setCookie.value === '' ? undefined : setCookie.value;
    return response;
  }

  get(url: string, options?: RequestOptions): Promise<LightMyRequestResponse> {
    return this.request('GET', url, undefined, options);
  }
  post(url: string, body?: unknown, options?: RequestOptions): Promise<LightMyRequestResponse> {
    return this.request('POST', url, body, options);
  }
  patch(url: string, body?: unknown, options?: RequestOptions): Promise<LightMyRequestResponse> {
    return this.request('PATCH', url, body, options);
  }
  delete(url: string, options?: RequestOptions): Promise<LightMyRequestResponse> {
    return this.request('DELETE', url, undefined, options);
  }

  /** Fetches a CSRF token (starting an anonymous session when there is none). */
  async init(): Promise<this> {
    const response = await this.get('/api/auth/csrf');
    this.csrf = json<{ token: string }>(response).token;
    return this;
  }
}

/** Parses a JSON response body; the test decides the shape it expects. */
export function json<T>(response: LightMyRequestResponse): T {
  // the caller asserts the shape it expects; a wrong guess fails that test's assertions
  return JSON.parse(response.body) as T;
}

/** The error body of a 4xx. */
export function errorOf(response: LightMyRequestResponse): { code: string; message: string; field?: string } {
  return json<{ error: { code: string; message: string; field?: string } }>(response).error;
}

let sharedHash: Promise<string> | undefined;

/** A user in the database (password TEST_PASSWORD), without going through the sign-up route. */
export async function createUser(harness: Harness, role: UserRole = 'customer', email?: string): Promise<{ id: number; email: string }> {
  sharedHash ??= hashPassword(TEST_PASSWORD);
  const address = email ?? `${role}-${randomBytes(5).toString('hex')}@example.test`;
  const user = await insertUser(harness.db.pool, { email: address, passwordHash: await sharedHash, name: `Test ${role}`, role });
  return { id: user.id, email: address };
}

/**
 * A signed-in client for a new user, with the session row written directly (as startSession
 * does) so that tests needing hundreds of users do not spend minutes in argon2.
 */
export async function signedInClient(harness: Harness, role: UserRole = 'customer'): Promise<{ client: Client; userId: number; email: string }> {
  const user = await createUser(harness, role);
  const id = randomBytes(32).toString('base64url');
  const csrf = randomBytes(32).toString('base64url');
  await harness.db.pool.query(`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`, [
    hashSessionId(id),
    user.id,
    csrf,
  ]);
  const client = new Client(harness.app);
  client.cookie = id;
  client.csrf = csrf;
  return { client, userId: user.id, email: user.email };
}

/** Signs in through the real login route. */
export async function loginClient(harness: Harness, email: string, password = TEST_PASSWORD): Promise<Client> {
  const client = await new Client(harness.app).init();
  const response = await client.post('/api/auth/login', { email, password });
  if (response.statusCode !== 200) throw new Error(`login failed: ${response.statusCode} ${response.body}`);
  return client;
}

export async function createCategory(harness: Harness, slug = `cat-${randomBytes(3).toString('hex')}`, parentId: number | null = null): Promise<{ id: number; slug: string }> {
  return insertCategory(harness.db.pool, { slug, name: slug.toUpperCase(), parentId });
}

export interface CreatedProduct {
  id: number;
  variants: { id: number; size: string; colour: string; price: number; stock: number }[];
}

/** Creates (and by default publishes) a product through the seller API. */
export async function createProduct(
  seller: Client,
  categoryId: number,
  overrides: { name?: string; description?: string; status?: 'draft' | 'published'; variants?: { size: string; colour: string; price: number; stock: number }[] } = {},
): Promise<CreatedProduct> {
  const response = await seller.post('/api/seller/products', {
    name: overrides.name ?? 'Linen shirt',
    description: overrides.description ?? 'A breathable linen shirt.',
    categoryId,
    status: overrides.status ?? 'published',
    variants: overrides.variants ?? [
      { size: 'M', colour: 'White', price: 4500, stock: 10 },
      { size: 'L', colour: 'White', price: 4700, stock: 3 },
    ],
  });
  if (response.statusCode !== 201) throw new Error(`product create failed: ${response.statusCode} ${response.body}`);
  return json<CreatedProduct>(response);
}

/** A checkout body for tests that only need an order placed: a New York address, standard shipping. */
export const CHECKOUT = {
  address: { recipientName: 'Test Buyer', line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postalCode: '10118', country: 'US' },
  shippingMethod: 'standard',
} as const;
