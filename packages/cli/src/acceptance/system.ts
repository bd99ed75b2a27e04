/**
 * Boots the whole system exactly as `npm start` does — `threadline start` in its own process with
 * a fresh data directory: embedded PostgreSQL, first-start seed (shop, clickstream, survey, one
 * pipeline run), API, web tier with the WAF and rate limits as shipped, worker — on free loopback
 * ports, and talks to it over HTTP like a browser (session cookie, CSRF header).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { loadConfig, loadOrCreateSecrets, type Config } from '@threadline/config';
import { createPool, resolveDatabaseUrl, type Pool } from '@threadline/db';
import { freePortBlock } from '@threadline/db/testing';

import { CLI_BIN } from '../launcher/services.js';

export interface RunningSystem {
  webUrl: string;
  dataDir: string;
  config: Config;
  /** The shop database of the running system (for independent checks). */
  pool: Pool;
  /** Seconds `threadline start` reported until "ready" (first start: seed and pipeline included). */
  readySeconds: number;
  /** Everything the launcher printed, for diagnostics. */
  output: string[];
  stop(): Promise<void>;
}

/** Variables a developer's shell or the test runner may carry that `npm start` on a fresh clone would not have. */
const STRIPPED = /^(NODE_ENV|DATABASE_URL|THREADLINE_.*|PORT|SLACK_WEBHOOK_URL|LOG_LEVEL)$/;

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `threadline start` on a fresh data directory and waits until it says it is ready. */
export async function startSystem(options: { readyTimeoutMs?: number } = {}): Promise<RunningSystem> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'threadline-acceptance-'));
  // mkdtemp makes it 0700; the embedded PostgreSQL runs as its own user and must enter it (as ./var)
  await chmod(dataDir, 0o755);
  // the web tier's PORT, the API on PORT+1, the worker on PORT+2, API replica 2 on PORT+3 and the
  // standby worker on PORT+4 (packages/cli/src/launcher/ports.ts)
  const webPort = await freePortBlock(5);
  const [pgPort, prometheusPort, alertmanagerPort] = [await freePortBlock(1), await freePortBlock(1), await freePortBlock(1)];
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !STRIPPED.test(key)) env[key] = value;
  Object.assign(env, {
    THREADLINE_DATA_DIR: dataDir,
    PORT: String(webPort),
    THREADLINE_PG_PORT: String(pgPort),
    THREADLINE_PROMETHEUS_PORT: String(prometheusPort),
    THREADLINE_ALERTMANAGER_PORT: String(alertmanagerPort),
  });
  // its own process group, so a stop also reaches what the launcher started if it hangs
  const child = spawn(process.execPath, [CLI_BIN, 'start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null) {
      child.kill('SIGINT');
      if (!(await waitForExit(child, 60_000))) process.kill(-child.pid, 'SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  };
  const readySeconds = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready after ${(options.readyTimeoutMs ?? 420_000) / 1000} s:\n${output.slice(-60).join('\n')}`)), options.readyTimeoutMs ?? 420_000);
    let pending = '';
    const onData = (chunk: Buffer): void => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        output.push(line);
        const ready = /Threadline is ready in ([\d.]+) s/.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(Number(ready[1]));
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`threadline start exited (${code}) before it was ready:\n${output.slice(-60).join('\n')}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  const config = loadConfig(env);
  const pool = createPool(resolveDatabaseUrl(config, loadOrCreateSecrets(dataDir).pgPassword), { max: 2, applicationName: 'threadline-acceptance' });
  return {
    webUrl: `http://127.0.0.1:${webPort}`,
    dataDir,
    config,
    pool,
    readySeconds,
    output,
    async stop() {
      await pool.end().catch(() => undefined);
      await stop();
    },
  };
}

export interface HttpAnswer<T> {
  status: number;
  body: T;
}

/** A browser-like HTTP client: keeps the session cookie and sends the CSRF token on writes. */
export class WebClient {
  private cookies = new Map<string, string>();
  private csrf: string | undefined;

  constructor(private readonly baseUrl: string) {}

  async request<T>(method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<HttpAnswer<T>> {
    // the token first: fetching it may start the session whose cookie this request must carry
    if (method === 'POST') this.csrf ??= (await this.request<{ token: string }>('GET', '/api/auth/csrf')).body.token;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) threadline-acceptance' };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (method === 'POST' && this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const index = pair.indexOf('=');
      if (index > 0) this.cookies.set(pair.slice(0, index), pair.slice(index + 1));
    }
    const text = await response.text();
    // the test asserts the shape it expects; a wrong guess fails that test's assertions
    const parsed = (text ? JSON.parse(text) : null) as T;
    return { status: response.status, body: parsed };
  }

  /** Signs in as `email`; the session's CSRF token is fetched again afterwards. */
  async signIn(email: string, password: string): Promise<void> {
    const answer = await this.request<unknown>('POST', '/api/auth/login', { email, password });
    if (answer.status !== 200) throw new Error(`sign-in as ${email} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    this.csrf = undefined;
  }
}
