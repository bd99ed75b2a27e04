/**
 * The security scan's authorisation matrix (issue 13): every route of the OpenAPI document, called
 * through the web tier in front of the API tier (WAF and rate limits as shipped) as every role —
 * anonymous, customer, seller, marketing, admin — with the expected answer for each cell, and
 * each path also tried encoded, double-encoded, mixed-case, with a dot segment and with a
 * trailing slash. A route the policy below does not classify fails the scan: whoever adds a route
 * decides who may call it here.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { createLogger, loadConfig, loadEdgeConfig } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { buildWebApp } from './app.js';

const ROLES = ['anonymous', 'customer', 'seller', 'marketing', 'admin'] as const;
type Role = (typeof ROLES)[number];
type SignedInRole = Exclude<Role, 'anonymous'>;

/** Who may call a route: everyone, any signed-in user, some roles, or nobody without a signature. */
type Access = { kind: 'public' } | { kind: 'signed-in' } | { kind: 'roles'; roles: readonly SignedInRole[] } | { kind: 'signed'; why: string };

const PUBLIC: Access = { kind: 'public' };
const SIGNED_IN: Access = { kind: 'signed-in' };
const ADMIN: Access = { kind: 'roles', roles: ['admin'] };
const SELLER: Access = { kind: 'roles', roles: ['seller', 'admin'] };
const MARKETING: Access = { kind: 'roles', roles: ['marketing', 'admin'] };

/**
 * The policy, most specific first: a prefix of `METHOD /path` (OpenAPI spelling) or of the path
 * (`$` at the end: that route exactly). The shop's
 * storefront, cart and sign-in are public; orders, reviews and the account are for signed-in
 * users; the back office splits into seller, marketing (insights) and admin areas.
 */
const POLICY: Array<[pattern: string, access: Access]> = [
  ['POST /api/products/{id}/reviews', SIGNED_IN],
  ['GET /api/products', PUBLIC],
  ['GET /api/categories', PUBLIC],
  ['GET /api/colour-families', PUBLIC],
  ['GET /api/search/suggestions', PUBLIC],
  ['GET /api/me', SIGNED_IN],
  ['POST /api/payments/webhook', { kind: 'signed', why: 'payment provider calls carry an HMAC signature instead of a session' }],
  ['/api/auth/', PUBLIC],
  ['/api/search/', PUBLIC],
  ['POST /api/checkout/quote', PUBLIC],
  // guest checkout: placing and paying an order needs no account (a guest pays with its order token)
  ['POST /api/orders$', PUBLIC],
  ['POST /api/orders/{id}/pay$', PUBLIC],
  ['/api/cart', PUBLIC],
  ['/api/orders', SIGNED_IN],
  ['/api/account', SIGNED_IN],
  ['/api/seller/', SELLER],
  ['/api/insights/', MARKETING],
  ['/api/admin/', ADMIN],
  ['/collect', PUBLIC],
  ['/media/', PUBLIC],
];

function accessOf(method: string, route: string): Access | undefined {
  for (const [pattern, access] of POLICY) {
    const subject = pattern.includes(' ') ? `${method} ${route}` : route;
    if (pattern.endsWith('$') ? subject === pattern.slice(0, -1) : subject.startsWith(pattern)) return access;
  }
  return undefined;
}

/** The expected answer of one cell: `allowed` = passes authorisation (any answer but 401/403/5xx). */
function expected(access: Access, role: Role): 'allowed' | 401 | 403 | 'refused' {
  if (access.kind === 'public') return 'allowed';
  if (access.kind === 'signed') return 'refused';
  if (role === 'anonymous') return 401;
  if (access.kind === 'signed-in') return 'allowed';
  return access.roles.includes(role) ? 'allowed' : 403;
}

/** Variants of a path a router or proxy might take for it. Each must never do more than the plain path. */
function variants(url: string): Array<[name: string, url: string]> {
  const [, first = '', rest = ''] = /^\/([^/]+)(.*)$/.exec(url) ?? [];
  const encodedFirst = `%${first.charCodeAt(0).toString(16)}${first.slice(1)}`;
  return [
    ['encoded', `/${encodedFirst}${rest}`],
    ['double-encoded', `/%25${first.charCodeAt(0).toString(16)}${first.slice(1)}${rest}`],
    ['mixed-case', `/${first.toUpperCase()}${rest.replace(/[a-z]/, (letter) => letter.toUpperCase())}`],
    ['dot-segment', `/${first}/./${rest.slice(1)}`],
    ['parent-segment', `/x/../${first}${rest}`],
    ['trailing-slash', `${url}/`],
  ];
}

interface Answer {
  status: number;
  body: string;
}

describe('authorisation matrix: every OpenAPI route × every role, through the web tier, protections as shipped', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tl-matrix-'));
  let db: TestDatabase;
  let api: ApiApp;
  let web: Awaited<ReturnType<typeof buildWebApp>>;
  let webPort = 0;
  const users = new Map<SignedInRole, number>();
  let clientNumber = 0;

  before(async () => {
    db = await createTestDatabase();
    const logger = createLogger({ name: 'matrix', level: 'silent' });
    const config = loadConfig({ THREADLINE_DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
    api = await buildApiApp({ config, secrets: { sessionSecret: 's', pseudonymKey: 'p', paymentWebhookSecret: 'w', pgPassword: '' }, pool: db.pool, logger, readinessChecks: [], edge: loadEdgeConfig({}) });
    await api.listen({ port: 0, host: '127.0.0.1' });
    const apiPort = (api.server.address() as AddressInfo).port; // TCP listener: always AddressInfo
    const dist = path.join(dir, 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>shop</title>');
    web = await buildWebApp({ config: { ...config, apiUrl: `http://127.0.0.1:${apiPort}` }, logger, distDir: dist, edge: loadEdgeConfig({}) });
    await web.listen({ port: 0, host: '127.0.0.1' });
    webPort = (web.server.address() as AddressInfo).port; // TCP listener: always AddressInfo
    for (const role of ROLES) {
      if (role === 'anonymous') continue;
      const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO users (email, password_hash, name, role) VALUES ($1, 'not-a-hash', $2, $3) RETURNING id`, [
        `${role}@matrix.example.test`,
        `Matrix ${role}`,
        role,
      ]);
      const id = rows[0]?.id;
      assert.ok(id !== undefined);
      users.set(role, id);
    }
  });

  after(async () => {
    await web?.close();
    await api?.close();
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh session per cell (a logout or account change in one cell cannot leak into the next). */
  async function sessionHeaders(role: Role): Promise<Record<string, string>> {
    const cookie = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    await db.pool.query(`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`, [
      createHash('sha256').update(cookie).digest(),
      role === 'anonymous' ? null : (users.get(role) ?? null),
      csrf,
    ]);
    // each cell is its own visitor: the shipped per-address limits count per client, as in production
    clientNumber += 1;
    const address = `198.18.${(clientNumber >> 8) & 255}.${clientNumber & 255}`;
    return { cookie: `tl_session=${cookie}`, 'x-csrf-token': csrf, 'x-forwarded-for': address };
  }

  function send(method: string, url: string, headers: Record<string, string>): Promise<Answer> {
    const hasBody = method === 'POST' || method === 'PUT' || method === 'PATCH';
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: webPort, method, path: url, agent: false, headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(hasBody ? '{}' : undefined);
    });
  }

  async function routes(): Promise<Array<{ method: string; route: string; url: string }>> {
    const answer = await send('GET', '/api/openapi.json', {});
    assert.equal(answer.status, 200);
    const document: unknown = JSON.parse(answer.body);
    assert.ok(typeof document === 'object' && document !== null && 'paths' in document);
    const paths = (document as { paths: Record<string, Record<string, unknown>> }).paths; // shape checked just above
    const found: Array<{ method: string; route: string; url: string }> = [];
    for (const [route, methods] of Object.entries(paths)) {
      for (const method of Object.keys(methods).map((name) => name.toUpperCase())) {
        if (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) found.push({ method, route, url: route.replace(/\{[^}]+\}/g, '1') });
      }
    }
    return found;
  }

  it('every route answers every role as the policy says', async () => {
    const all = await routes();
    assert.ok(all.length > 40, `the scan sees the API routes (${all.length})`);
    const unclassified = all.filter(({ method, route }) => accessOf(method, route) === undefined).map(({ method, route }) => `${method} ${route}`);
    assert.deepEqual(unclassified, [], 'classify these routes in POLICY');
    const wrong: string[] = [];
    const matrix: string[] = [];
    for (const { method, route, url } of all) {
      const access = accessOf(method, route);
      assert.ok(access);
      const row: string[] = [];
      for (const role of ROLES) {
        const want = expected(access, role);
        const answer = await send(method, url, await sessionHeaders(role));
        row.push(String(answer.status));
        const isRefusedByAuth = answer.status === 401 || answer.status === 403;
        const isOk =
          answer.status < 500 &&
          (want === 'allowed'
            ? !isRefusedByAuth || /CSRF|WAF/.test(answer.body)
            : want === 'refused'
              ? answer.status >= 400
              : answer.status === want && answer.body.includes(want === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN'));
        if (!isOk) wrong.push(`${method} ${route} as ${role}: expected ${want}, got ${answer.status} ${answer.body.slice(0, 160)}`);
      }
      matrix.push(`${method.padEnd(6)} ${route.padEnd(52)} ${row.join(' ')}`);
    }
    assert.deepEqual(wrong, [], `cells that break the policy:\n${wrong.join('\n')}\n\nmatrix (${ROLES.join(' ')}):\n${matrix.join('\n')}`);
  });

  it('no spelling of a path does more than the plain path: encoded, double-encoded, mixed-case, dot segments, trailing slash', async () => {
    const all = await routes();
    const wrong: string[] = [];
    for (const { method, route, url } of all) {
      const access = accessOf(method, route);
      assert.ok(access);
      for (const role of ROLES) {
        const want = expected(access, role);
        for (const [name, variant] of variants(url)) {
          const answer = await send(method, variant, await sessionHeaders(role));
          if (answer.status >= 500) wrong.push(`${method} ${variant} (${name}) as ${role}: ${answer.status}`);
          // refused for the plain path → refused for every spelling
          else if (want !== 'allowed' && answer.status < 400) wrong.push(`${method} ${variant} (${name}) as ${role}: ${answer.status}, the plain path is refused`);
          // encodings and dot segments are refused outright, before routing or any check
          else if (['encoded', 'double-encoded', 'dot-segment', 'parent-segment'].includes(name) && !(answer.status === 400 && answer.body.includes('AMBIGUOUS_PATH'))) {
            wrong.push(`${method} ${variant} (${name}) as ${role}: ${answer.status} ${answer.body.slice(0, 120)}, expected 400 AMBIGUOUS_PATH`);
          }
        }
      }
    }
    assert.deepEqual(wrong, [], wrong.join('\n'));
  });
});
