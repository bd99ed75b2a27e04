/**
 * The web tier in front of a real API tier on a throwaway database, both on loopback with the
 * edge settings as shipped (WAF and rate limits on): what the security tests of the web tier run
 * against. Sessions are written as the login route writes them, so tests need no argon2 round.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { buildApiApp, type ApiApp } from '@threadline/api';
import { createLogger, loadConfig, loadEdgeConfig } from '@threadline/config';
import { createTestDatabase, type TestDatabase } from '@threadline/db/testing';

import { buildWebApp } from '../app.js';

export interface Answer {
  status: number;
  body: string;
}

export interface TestSession {
  cookie: string;
  csrf: string;
}

export interface WebStack {
  db: TestDatabase;
  api: ApiApp;
  web: Awaited<ReturnType<typeof buildWebApp>>;
  apiPort: number;
  webPort: number;
  /** A user row (no usable password) with this role; returns its id. */
  insertUser(role: string, email?: string): Promise<number>;
  /** A signed-in session of `userId`, or an anonymous one. */
  session(userId?: number): Promise<TestSession>;
  close(): Promise<void>;
}

/** One raw HTTP request on loopback (no client-side normalisation of the path). */
export function send(port: number, method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: url, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The error code of a JSON error answer, when it is one. */
export function errorCode(answer: Answer): string | undefined {
  try {
    const parsed = JSON.parse(answer.body) as { error?: { code?: string } }; // probed field by field below
    return parsed.error?.code;
  } catch {
    return undefined;
  }
}

/**
 * Starts the API and web tiers on a fresh database. `env` overrides configuration and edge
 * settings of both tiers (e.g. a small THREADLINE_RATE_LIMIT_PER_MIN).
 */
export async function startWebStack(name: string, env: Record<string, string> = {}): Promise<WebStack> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `tl-${name}-`));
  const db = await createTestDatabase();
  const logger = createLogger({ name, level: 'silent' });
  const config = loadConfig({ ...env, THREADLINE_DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent', PORT: '0' });
  const secrets = { sessionSecret: 's', pseudonymKey: 'p', paymentWebhookSecret: 'w', pgPassword: '' };
  const api = await buildApiApp({ config, secrets, pool: db.pool, logger, readinessChecks: [], edge: loadEdgeConfig(env) });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const apiPort = (api.server.address() as AddressInfo).port; // TCP listener: always AddressInfo
  const dist = path.join(dir, 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>shop</title>');
  const web = await buildWebApp({ config: { ...config, apiUrl: `http://127.0.0.1:${apiPort}` }, logger, distDir: dist, edge: loadEdgeConfig(env) });
  await web.listen({ port: 0, host: '127.0.0.1' });
  const webPort = (web.server.address() as AddressInfo).port; // TCP listener: always AddressInfo

  return {
    db,
    api,
    web,
    apiPort,
    webPort,
    async insertUser(role, email) {
      const { rows } = await db.pool.query<{ id: number }>(`INSERT INTO users (email, password_hash, name, role) VALUES ($1, 'not-a-hash', $2, $3) RETURNING id`, [
        email ?? `${role}-${randomBytes(4).toString('hex')}@example.test`,
        `Test ${role}`,
        role,
      ]);
      const id = rows[0]?.id;
      assert.ok(id !== undefined);
      return id;
    },
    async session(userId) {
      const cookie = randomBytes(32).toString('base64url');
      const csrf = randomBytes(32).toString('base64url');
      await db.pool.query(`INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + interval '1 day')`, [
        createHash('sha256').update(cookie).digest(),
        userId ?? null,
        csrf,
      ]);
      return { cookie, csrf };
    },
    async close() {
      await web.close();
      await api.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
