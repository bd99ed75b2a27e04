import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import pg from 'pg';

import { resolveDatabaseUrl } from './database-url.js';
import { embeddedSocketDir, embeddedSocketPath, embeddedUrl } from './embedded/cluster.js';
import { createTestDatabase, type TestDatabase } from './testing/index.js';

/** The parts node-postgres connects with (its parser reads a percent-encoded host starting with / as a socket directory). */
function parse(url: string): { host: string; port: string; password: string; database: string } {
  const parsed = new URL(url);
  return { host: decodeURIComponent(parsed.hostname), port: parsed.port, password: decodeURIComponent(parsed.password), database: parsed.pathname.slice(1) };
}

describe('resolveDatabaseUrl', () => {
  it('keeps DATABASE_URL as it is written (TCP stays TCP)', () => {
    const url = 'postgres://shop:secret@db.internal:5433/shop';
    assert.equal(resolveDatabaseUrl({ databaseUrl: url, pgPort: 5432, dataDir: '/var/lib/threadline' }, 'pw'), url);
  });

  it("reaches the embedded cluster over its unix socket in the data directory, at the cluster's port", () => {
    const parsed = parse(resolveDatabaseUrl({ databaseUrl: undefined, pgPort: 44210, dataDir: '/var/lib/threadline' }, 'p@ss/word'));
    assert.equal(parsed.host, '/var/lib/threadline/run');
    assert.equal(parsed.port, '44210');
    assert.equal(parsed.password, 'p@ss/word');
    assert.equal(parsed.database, 'threadline');
    // the server's own socket directory (startCluster's unix_socket_directories) is the same one
    assert.equal(embeddedSocketDir('/var/lib/threadline/pg'), '/var/lib/threadline/run');
  });

  it('falls back to TCP on loopback when the socket path would not fit a socket address', () => {
    const deep = path.join('/srv', 'x'.repeat(100));
    assert.equal(embeddedSocketPath(path.join(deep, 'run'), 5432), null);
    const parsed = parse(resolveDatabaseUrl({ databaseUrl: undefined, pgPort: 5432, dataDir: deep }, 'pw'));
    assert.equal(parsed.host, '127.0.0.1');
    assert.equal(parsed.port, '5432');
  });
});

describe('embedded cluster connections', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  after(async () => {
    await db.close();
  });

  it('the URL a started cluster hands out goes over its unix socket', async () => {
    // no server address: the session came in over the socket, not over TCP
    const { rows } = await db.pool.query<{ addr: string | null }>('SELECT inet_server_addr()::text AS addr');
    assert.deepEqual(rows, [{ addr: null }]);
  });

  it('the same server still answers over TCP on loopback at the same port (what standbys and DATABASE_URL users get)', async () => {
    const socketUrl = parse(db.url);
    assert.ok(socketUrl.host.startsWith('/'), `a socket directory, got ${socketUrl.host}`);
    const client = new pg.Client({ connectionString: embeddedUrl(Number(socketUrl.port), socketUrl.password, socketUrl.database) });
    await client.connect();
    try {
      const { rows } = await client.query<{ addr: string | null }>('SELECT host(inet_server_addr()) AS addr');
      assert.deepEqual(rows, [{ addr: '127.0.0.1' }]);
    } finally {
      await client.end();
    }
  });
});
