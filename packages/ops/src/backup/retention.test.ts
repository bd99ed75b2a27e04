import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { freeLoopbackPort } from '@threadline/config';

import { whichBinary } from '../alerting/binaries.js';
import { readStanzaInfo } from './info.js';
import { runChecked } from './pgbackrest.js';
import { parseRestoreTarget, restoreFiles, startRestoredCluster } from './restore.js';
import { runBackup, verifyRepo } from './run-backup.js';
import { startArchivingCluster, type ArchivingCluster } from './test-helpers.js';
import { switchWalAndWait } from './wal-archive.js';

const faketime = whichBinary(['faketime']);

describe('retention: a backup older than 7 days is expired', { skip: faketime ? false : 'faketime not installed (CI installs it)' }, () => {
  let live: ArchivingCluster;
  before(async () => {
    live = await startArchivingCluster();
  });
  after(async () => {
    await live?.destroy();
  });

  it('keeps backups younger than 7 days and expires a full backup once a newer full one is older than the window', async () => {
    await live.query('CREATE TABLE t (id int)');
    const first = await runBackup(live.backup, { type: 'full', repos: [1], isVerifySkipped: true });
    assert.equal(first.status, 'ok', first.errors.join('\n'));
    const second = await runBackup(live.backup, { type: 'full', repos: [1], isVerifySkipped: true });
    assert.equal(second.status, 'ok', second.errors.join('\n'));
    const [firstLabel, secondLabel] = [first.sets[0]?.label, second.sets[0]?.label];
    assert.ok(firstLabel && secondLabel && firstLabel !== secondLabel);

    // pgBackRest's expire reads the local clock, here through libfaketime: it really believes
    // 6, then 8 days have passed (backup times come from the database clock and stay real)
    await runChecked(live.backup, ['expire', '--repo=1'], { wrapper: ['faketime', '-f', '+6d'] });
    let labels = (await readStanzaInfo(live.backup))?.backups.map((set) => set.label) ?? [];
    assert.deepEqual(labels, [firstLabel, secondLabel], '6 days old: both kept');

    await runChecked(live.backup, ['expire', '--repo=1'], { wrapper: ['faketime', '-f', '+8d'] });
    labels = (await readStanzaInfo(live.backup))?.backups.map((set) => set.label) ?? [];
    // the newest full backup older than the window stays: restoring to the window's first moment needs it
    assert.deepEqual(labels, [secondLabel], '8 days old: the older full backup is expired');
  });
});

describe('a missing WAL segment is reported, not hidden', () => {
  let live: ArchivingCluster;
  before(async () => {
    live = await startArchivingCluster();
  });
  after(async () => {
    await live?.destroy();
  });

  it('verify names the gap and a restore past it fails with the reason', async () => {
    await live.query('CREATE TABLE t (id int, pad text)');
    const backup = await runBackup(live.backup, { type: 'full', repos: [1], isVerifySkipped: true });
    assert.equal(backup.status, 'ok', backup.errors.join('\n'));
    const segments: string[] = [];
    for (let i = 0; i < 3; i++) {
      await live.query(`INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 2000) g`);
      segments.push(await switchWalAndWait(live.pool));
    }
    // pgBackRest keeps a backup's stop time in whole seconds: a target in the same second as the
    // backup's end finds no backup set before it (CI: "unable to find backup set with stop time
    // less than …" when the three segments took under a second). The target lies a clear second later.
    const wait = backup.finishedAt.getTime() + 1_100 - Date.now();
    if (wait > 0) await sleep(wait);
    const [{ t } = { t: '' }] = await live.query<{ t: string }>(`SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`);
    await live.query(`INSERT INTO t VALUES (-1, 'after T')`);
    await switchWalAndWait(live.pool);

    // lose the middle segment from both repositories (with only one gone, restore reads the other)
    const missing = segments[1] ?? '';
    for (const repoPath of [live.backup.repo1Path, live.backup.repo2Path]) {
      const archiveDir = path.join(repoPath, 'archive', live.backup.stanza, '15-1', missing.slice(0, 16));
      const file = readdirSync(archiveDir).find((name) => name.startsWith(missing));
      assert.ok(file, `segment ${missing} archived in ${archiveDir}`);
      rmSync(path.join(archiveDir, file));
    }

    const verify = await verifyRepo(live.backup, 1);
    assert.equal(verify.isOk, false, verify.report);
    assert.deepEqual(verify.gaps.map((gap) => [gap.from, gap.to]), [[missing, missing]]);
    assert.match(verify.report, new RegExp(`WAL MISSING in 15-1: ${missing}`));

    const targetDir = path.join(live.dataDir, 'restored');
    const restored = await restoreFiles(live.backup, { target: parseRestoreTarget(t), targetDir });
    await assert.rejects(
      startRestoredCluster(restored.pgDir, { port: await freeLoopbackPort(), password: live.password, timeoutMs: 120_000 }),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(error.message, /WAL archive ends before the target/);
        return true;
      },
    );
  });
});
