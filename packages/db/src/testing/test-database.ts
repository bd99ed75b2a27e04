import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';

import pg from 'pg';

import { migrate } from '../migrate.js';
import { createPool, type Pool } from '../pool.js';
import { startTestCluster, type TestCluster } from './test-cluster.js';

/** Set by `npm test` (scripts/run-tests.ts): one cluster for the whole run, one database per test file. */
export const TEST_PG_ENV = 'THREADLINE_TEST_PG_URL';

export interface TestDatabase {
  /** Connection URL of the fresh, migrated database. */
  url: string;
  pool: Pool;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

let privateCluster: Promise<TestCluster> | undefined;

async function adminUrl(): Promise<string> {
  const shared = process.env[TEST_PG_ENV];
  if (shared) return shared;
  // running one test file on its own: start a cluster for this process only
  privateCluster ??= startTestCluster().then((cluster) => {
    // the server and its log pipes must not keep the run alive: once the tests are done the event
    // loop empties, beforeExit fires and the cluster is stopped (a referenced child kept
    // `npx tsx --test <file>` waiting for ever after its last test)
    cluster.process.unref();
    for (const stream of [cluster.process.stdout, cluster.process.stderr]) if (stream instanceof Socket) stream.unref();
    process.once('beforeExit', () => {
      // referenced again, so the run waits for the server to stop and its files to go
      cluster.process.ref();
      void cluster.destroy();
    });
    return cluster;
  });
  return (await privateCluster).adminUrl;
}

/**
 * A new, empty, fully migrated database on a throwaway PostgreSQL 15 cluster.
 *
 * @example
 * const db = await createTestDatabase();
 * after(() => db.close());
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const admin = await adminUrl();
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = admin.replace(/\/[^/]*$/, `/${name}`);
  const pool = createPool(url, { max: 30, applicationName: 'threadline-test' });
  if (options.migrate !== false) await migrate(pool);
  return {
    url,
    pool,
    async close() {
      await pool.end();
      const dropper = new pg.Client({ connectionString: admin });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** Stops the private cluster of a single-file run, if one was started. */
export async function stopPrivateCluster(): Promise<void> {
  if (privateCluster) await (await privateCluster).destroy();
  privateCluster = undefined;
}
