/**
 * Startup: how long `npm start` takes until the shop answers.
 * - first start on a fresh data directory: embedded PostgreSQL initialised, migrations, the demo
 *   shop loaded and the data pipeline's first run (all done before the tiers start), until the web
 *   tier's /readyz answers 200 — goal ≤ 45 s;
 * - a later start on the same data directory, until /readyz answers 200 — goal ≤ 8 s.
 * Each start is stopped with SIGTERM (as Ctrl-C does) and waited for before the next.
 *
 * Sizes: BENCH_DEMO_EVENTS (demo web events written at the first start; default: the product's
 * default), BENCH_STARTUP_TIMEOUT_S (give up after this long; default 600).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePortBlock } from '@threadline/db/testing';

import { writeBenchResult } from './lib/results.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAUNCHER = path.join(ROOT, 'node_modules', '.bin', 'threadline');
const TIMEOUT_MS = Number(process.env.BENCH_STARTUP_TIMEOUT_S ?? 600) * 1000;

async function waitReady(url: string, child: ChildProcess, startedAt: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`threadline start exited (code ${child.exitCode}) before ${url} was ready`);
    if (Date.now() - startedAt > TIMEOUT_MS) throw new Error(`${url} not ready after ${TIMEOUT_MS / 1000} s`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ok) return Date.now() - startedAt;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
}

/** One `threadline start` until /readyz answers; returns the milliseconds it took. */
async function timeStart(env: NodeJS.ProcessEnv, port: number, label: string): Promise<number> {
  const startedAt = Date.now();
  const child = spawn(LAUNCHER, ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    const ms = await waitReady(`http://127.0.0.1:${port}/readyz`, child, startedAt);
    console.log(`${label}: ready in ${(ms / 1000).toFixed(1)} s`);
    return ms;
  } catch (error) {
    console.error(tail);
    throw error;
  } finally {
    await stop(child);
  }
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'threadline-startup-'));
// mkdtemp makes the folder private; PostgreSQL runs as its own user (when started as root) and must enter it
chmodSync(scratch, 0o755);
/** Not created here: a fresh data directory is what the first start makes for itself. */
const dataDir = path.join(scratch, 'data');
try {
  // web, API, worker, second API replica, then PostgreSQL, Prometheus and Alertmanager: all below the
  // outgoing-connection range, so nothing else on the host takes one between the check and the bind
  const port = await freePortBlock(8);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    THREADLINE_DATA_DIR: dataDir,
    THREADLINE_PG_PORT: String(port + 5),
    THREADLINE_PROMETHEUS_PORT: String(port + 6),
    THREADLINE_ALERTMANAGER_PORT: String(port + 7),
    ...(process.env.BENCH_DEMO_EVENTS ? { THREADLINE_DEMO_EVENTS: process.env.BENCH_DEMO_EVENTS } : {}),
  };
  const firstMs = await timeStart(env, port, 'first start (fresh data dir, demo data, first pipeline run)');
  const laterMs = await timeStart(env, port, 'later start (same data dir)');
  writeBenchResult('startup', { 'first-start.seconds': '≤ 45', 'later-start.seconds': '≤ 8' }, [
    { name: 'first-start', seconds: Number((firstMs / 1000).toFixed(1)), demoEvents: env.THREADLINE_DEMO_EVENTS ?? 'default' },
    { name: 'later-start', seconds: Number((laterMs / 1000).toFixed(1)) },
  ]);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
