import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { initialiseCluster, startCluster, type RunningCluster } from '../embedded/cluster.js';

/** A free TCP port on loopback, chosen by the kernel. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port assigned'));
      });
    });
  });
}

export interface TestCluster extends RunningCluster {
  /** URL of the `postgres` maintenance database, for CREATE DATABASE. */
  adminUrl: string;
  dir: string;
  /** Stops the server and removes its files. */
  destroy(): Promise<void>;
}

/** Starts a throwaway PostgreSQL 15 cluster in a temporary directory on a free port. */
export async function startTestCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-pg-'));
  // root runs the server as `postgres`, which must be able to enter the directory
  chmodSync(dir, 0o755);
  const port = await freePort();
  const password = 'test';
  const pgDir = path.join(dir, 'pg');
  await initialiseCluster({ dir: pgDir, port, password });
  // tests trade durability for speed: a crash loses the throwaway cluster anyway
  const running = await startCluster({
    dir: pgDir,
    port,
    password,
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', shared_buffers: '128MB' },
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
