import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { withClient } from '@threadline/db';
import { freePort } from '@threadline/db/testing';

import { restoreFiles, startRestoredCluster, parseRestoreTarget, waitForPromotion } from './restore.js';
import { runBackup } from './run-backup.js';
import { ensureArchivedThrough, switchWalAndWait } from './wal-archive.js';
import { startArchivingCluster, type ArchivingCluster } from './test-helpers.js';

async function rowsOf(url: string, sql: string): Promise<unknown[]> {
  return (await withClient({ connectionString: url }, (client) => client.query(sql))).rows;
}

describe('point-in-time restore with pgBackRest', () => {
  let live: ArchivingCluster;
  before(async () => {
    live = await startArchivingCluster();
  });
  after(async () => {
    await live?.destroy();
  });

  it('brings back exactly the data as it was at time T after a table drop and deleted orders', async () => {
    await live.query('CREATE TABLE orders (id int PRIMARY KEY, total_cents int NOT NULL)');
    await live.query('CREATE TABLE reviews (id int PRIMARY KEY, body text NOT NULL)');
    await live.query(`INSERT INTO orders SELECT g, g * 100 FROM generate_series(1, 500) g`);
    await live.query(`INSERT INTO reviews SELECT g, 'review ' || g FROM generate_series(1, 50) g`);
    const backupResult = await runBackup(live.backup, { type: 'full', repos: [1] });
    assert.equal(backupResult.status, 'ok', backupResult.errors.join('\n'));
    // pgBackRest compares the target with the backup's stop time, kept in whole seconds: a target
    // in the same second as the stop can count as before the only backup (seen in CI)
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // changes after the backup: only the WAL archive holds these
    await live.query(`INSERT INTO orders SELECT g, g * 100 FROM generate_series(501, 700) g`);
    await live.query(`UPDATE orders SET total_cents = total_cents + 1 WHERE id % 7 = 0`);
    const expectedOrders = await rowsOf(live.url, 'SELECT id, total_cents FROM orders ORDER BY id');
    const expectedReviews = await rowsOf(live.url, 'SELECT id, body FROM reviews ORDER BY id');
    const [{ t } = { t: '' }] = await live.query<{ t: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // the accident
    await live.query('DROP TABLE reviews');
    await live.query('DELETE FROM orders WHERE id > 100');
    // the segment holding the accident must be archived for replay to pass T, as in a real incident
    await switchWalAndWait(live.pool);

    const targetDir = path.join(live.dataDir, 'restored');
    const restored = await restoreFiles(live.backup, { target: parseRestoreTarget(t), targetDir });
    const port = await freePort();
    const cluster = await startRestoredCluster(restored.pgDir, { port, password: live.password });
    try {
      assert.deepEqual(await rowsOf(cluster.url, 'SELECT id, total_cents FROM orders ORDER BY id'), expectedOrders);
      assert.deepEqual(await rowsOf(cluster.url, 'SELECT id, body FROM reviews ORDER BY id'), expectedReviews);
    } finally {
      await cluster.stop();
      rmSync(targetDir, { recursive: true, force: true });
    }
    // the live database is untouched by the restore
    assert.equal((await live.query<{ n: number }>('SELECT count(*)::int AS n FROM orders'))[0]?.n, 100);
  });

  it('refuses a target without a time zone and one in the future', () => {
    assert.throws(() => parseRestoreTarget('2026-11-25 02:00'), /time zone/);
    assert.throws(() => parseRestoreTarget('2999-01-01T00:00:00Z'), /future/);
    assert.throws(() => parseRestoreTarget('yesterday Z'), /not a timestamp/);
  });

  it("accepts PostgreSQL's own timestamp format with a +00 or +0530 offset", () => {
    const now = new Date('2026-12-05T00:00:00Z');
    assert.deepEqual(parseRestoreTarget('2026-12-04 18:25:52+00', now), { kind: 'time', at: new Date('2026-12-04T18:25:52Z') });
    assert.deepEqual(parseRestoreTarget('2026-12-04 18:25:52.123456+00', now), { kind: 'time', at: new Date('2026-12-04T18:25:52.123Z') });
    assert.deepEqual(parseRestoreTarget('2026-12-04 23:55:52+0530', now), { kind: 'time', at: new Date('2026-12-04T18:25:52Z') });
    assert.deepEqual(parseRestoreTarget('2026-12-04 13:25:52-05', now), { kind: 'time', at: new Date('2026-12-04T18:25:52Z') });
  });

  it('pushes the WAL segment holding a target seconds old to the archive before restoring to it', async () => {
    await live.query('CREATE TABLE IF NOT EXISTS late (id int)');
    await live.query('INSERT INTO late VALUES (1)');
    const [{ at } = { at: new Date(0) }] = await live.query<{ at: Date }>('SELECT clock_timestamp() AS at');
    const last = await ensureArchivedThrough(live.pool, at);
    assert.ok(last && last.getTime() >= at.getTime(), `archive reaches the target (last archived ${last?.toISOString()})`);
  });
});

describe('waiting for a restored server to leave recovery', () => {
  it('fails at once, with its log, when the server is killed by a signal during replay', async () => {
    // a real process killed as the OOM killer would: it leaves a signal, no exit code
    const server = spawn('sleep', ['60'], { stdio: 'ignore' });
    const exited = once(server, 'exit');
    server.kill('SIGKILL');
    await exited;
    let stopped = 0;
    const cluster = { process: server, url: `postgresql://threadline:secret@127.0.0.1:${await freePort()}/threadline`, stop: async () => void (stopped += 1) };
    const started = Date.now();
    await assert.rejects(
      waitForPromotion(cluster, ['LOG:  redo starts at 0/2000028', 'FATAL:  terminating connection because of crash of another server process'], 20_000),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'RESTORE_FAILED');
        assert.match(error.message, /stopped during WAL replay: FATAL: {2}terminating connection/);
        return true;
      },
    );
    assert.ok(Date.now() - started < 10_000, `failed after ${Date.now() - started} ms, not at the deadline`);
    assert.equal(stopped, 0, 'a server already gone is not stopped again');
  });
});
