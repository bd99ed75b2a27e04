import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { isPortFree } from '@threadline/config';

import { initialiseCluster, startCluster, type RunningCluster } from '../embedded/cluster.js';

/**
 * The first of `count` consecutive free loopback ports, for a whole system that needs fixed ports
 * (web, API replicas, worker, PostgreSQL…). Drawn from 20000–31999: below the kernel's range for
 * outgoing connections' local ports (32768–60999), where a client elsewhere could take one between
 * this check and the bind, and above the launcher's own stable range (15000–19999).
 */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const base = 20_000 + Math.floor(Math.random() * (12_000 - count));
    const checks = await Promise.all(Array.from({ length: count }, (_, i) => isPortFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports found in 20000–31999`);
}

export interface TestCluster extends RunningCluster {
  /** URL of the `postgres` maintenance database, for CREATE DATABASE. */
  adminUrl: string;
  dir: string;
  /** Stops the server and removes its files. */
  destroy(): Promise<void>;
}

export interface TestClusterOptions {
  /**
   * Keep production durability (`fsync`, `synchronous_commit` and `full_page_writes` on, as the
   * embedded cluster of `npm start` runs): for benchmarks whose figure is a production goal.
   * Tests leave it off — a crash loses the throwaway cluster anyway.
   */
  isDurable?: boolean;
  /** Extra server settings (e.g. GROUP_COMMIT_SETTINGS, shared_preload_libraries). */
  settings?: Record<string, string>;
}

/** Starts a throwaway PostgreSQL 15 cluster in a temporary directory on a free port. */
export async function startTestCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-pg-'));
  // root runs the server as `postgres`, which must be able to enter the directory
  chmodSync(dir, 0o755);
  // below the outgoing-connection range: a client elsewhere cannot take it before the server binds
  const port = await freePortBlock(1);
  const password = 'test';
  const pgDir = path.join(dir, 'pg');
  await initialiseCluster({ dir: pgDir, port, password });
  // tests trade durability for speed: a crash loses the throwaway cluster anyway
  const durability: Record<string, string> = options.isDurable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' };
  const running = await startCluster({
    dir: pgDir,
    port,
    password,
    settings: { ...durability, shared_buffers: '128MB', ...options.settings },
  });
  return {
    ...running,
    dir,
    adminUrl: running.url.replace(/\/[^/]*$/, '/postgres'),
    async destroy() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
