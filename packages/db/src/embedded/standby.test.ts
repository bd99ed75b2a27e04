/**
 * The pieces a failover of the embedded pair is made of, on real PostgreSQL 15 servers: a standby
 * copied with pg_basebackup streams from its primary; promoting it moves it onto a new timeline
 * (read at once from its WAL, before any checkpoint) and a second promotion changes nothing; a
 * fast shutdown that cannot finish becomes an immediate one when the caller bounds it.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import type pg from 'pg';

import { withClient } from '../pool.js';
import { freePortBlock, startTestCluster, type TestCluster } from '../testing/test-cluster.js';
import { embeddedUrl, initialiseCluster, startCluster, type RunningCluster } from './cluster.js';
import { currentTimeline, ensureReplicationRole, isInRecovery, promoteStandby, standbyReplication, STANDBY_NAME, writeTimeline } from './replication.repo.js';
import { primaryConninfo, takeBaseBackup, writeReplicationPassfile } from './standby.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

function onServer<T>(port: number, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient({ connectionString: embeddedUrl(port, 'test', 'postgres') }, work);
}

describe('embedded standby', () => {
  let primary: TestCluster;
  let standby: RunningCluster;
  let standbyPort: number;

  it('streams from its primary once copied with pg_basebackup', async () => {
    primary = await startTestCluster();
    cleanups.push(() => primary.destroy());
    const primaryPort = Number(new URL(primary.adminUrl).port);
    const passfile = path.join(primary.dir, 'run', 'replication.pgpass');
    writeReplicationPassfile(passfile, 'replication-secret');
    await onServer(primaryPort, (client) => ensureReplicationRole(client, 'replication-secret'));
    const standbyDir = path.join(primary.dir, 'pg-standby');
    await takeBaseBackup({ dir: standbyDir, primaryPort, passfile });
    standbyPort = await freePortBlock(1);
    standby = await startCluster({
      dir: standbyDir,
      port: standbyPort,
      password: 'test',
      settings: { primary_conninfo: primaryConninfo(primaryPort, passfile), primary_slot_name: STANDBY_NAME, shared_buffers: '128MB', fsync: 'off' },
    });
    cleanups.push(() => standby.stop({ immediateAfterMs: 5_000 }));
    let state: string | undefined;
    for (let tries = 0; state !== 'streaming' && tries < 120; tries += 1) {
      if (tries > 0) await sleep(250);
      state = (await onServer(primaryPort, (client) => standbyReplication(client)))?.state;
    }
    assert.equal(state, 'streaming');
    assert.equal(await onServer(standbyPort, (client) => isInRecovery(client)), true);
  });

  it('is promoted onto a new timeline once: a second promotion (a retry after a lost answer) changes nothing', async () => {
    const before = await onServer(Number(new URL(primary.adminUrl).port), (client) => writeTimeline(client));
    assert.equal(before, 1);
    await onServer(standbyPort, (client) => promoteStandby(client));
    // right after the promotion the last checkpoint is still the old timeline's; the WAL is not
    const [written, checkpointed] = await onServer(standbyPort, async (client) => [await writeTimeline(client), await currentTimeline(client)]);
    assert.equal(written, 2);
    assert.ok(checkpointed === 1 || checkpointed === 2, `checkpoint timeline ${checkpointed}`);
    await onServer(standbyPort, (client) => promoteStandby(client));
    assert.equal(await onServer(standbyPort, (client) => isInRecovery(client)), false);
    assert.equal(await onServer(standbyPort, (client) => writeTimeline(client)), 2);
  });
});

describe('bounded shutdown', () => {
  it('shuts down immediately a server whose fast shutdown waits on a hanging archive command', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'threadline-shutdown-'));
    // root runs the server as `postgres`, which must be able to enter the directory
    chmodSync(root, 0o755);
    const dir = path.join(root, 'pg');
    const port = await freePortBlock(1);
    await initialiseCluster({ dir, port, password: 'test' });
    const lines: string[] = [];
    // every WAL segment's archiving hangs: the final archive cycle of a fast shutdown never ends
    const server = await startCluster({ dir, port, password: 'test', settings: { archive_mode: 'on', archive_command: 'sleep 600', fsync: 'off' }, onLog: (line) => lines.push(line) });
    cleanups.push(async () => {
      await server.stop({ immediateAfterMs: 1_000 });
      rmSync(root, { recursive: true, force: true });
    });
    await onServer(port, async (client) => {
      await client.query('CREATE TABLE filler AS SELECT generate_series(1, 1000) AS n');
      await client.query('SELECT pg_switch_wal()');
    });
    // the archiver has started on the finished segment
    for (let tries = 0; !(await onServer(port, (client) => archiving(client))) && tries < 120; tries += 1) await sleep(250);
    await server.stop({ immediateAfterMs: 2_000 });
    assert.ok(lines.some((line) => line.includes('immediate shutdown (SIGQUIT)')), lines.slice(-20).join('\n'));
    assert.ok(lines.some((line) => /received immediate shutdown request/.test(line)), lines.slice(-20).join('\n'));
    assert.notEqual(server.process.exitCode ?? server.process.signalCode, null);
  });
});

/** True while the archiver works on a segment (pg_stat_archiver counts no success or failure yet). */
async function archiving(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ ready: string }>("SELECT count(*)::text AS ready FROM pg_ls_dir('pg_wal/archive_status') AS name WHERE name LIKE '%.ready'");
  return Number(rows[0]?.ready ?? 0) > 0;
}
