import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { findPgBackRest } from './pgbackrest.js';
import { runBackup } from './run-backup.js';
import { startArchivingCluster, type ArchivingCluster } from './test-helpers.js';

describe('backup now while another pgBackRest run holds the lock', { skip: findPgBackRest() ? false : 'pgbackrest not installed' }, () => {
  let live: ArchivingCluster;
  before(async () => {
    live = await startArchivingCluster();
  });
  after(async () => {
    await live?.destroy();
  });

  it('waits for the lock (as after a start, when the worker creates the stanza) instead of failing', async () => {
    const lockDir = path.join(live.backup.backupDir, 'lock');
    mkdirSync(lockDir, { recursive: true });
    // pgBackRest's own lock: an flock on <lock-path>/<stanza>-backup.lock, held here for 4 s as
    // the worker's first backup would hold it
    const lockFile = path.join(lockDir, `${live.backup.stanza}-backup.lock`);
    // the file belongs to the database OS user, as when pgBackRest made it
    writeFileSync(lockFile, '');
    if (live.backup.osIds) chownSync(lockFile, live.backup.osIds.uid, live.backup.osIds.gid);
    const holder = spawn('flock', ['--exclusive', lockFile, 'sleep', '4'], { stdio: 'ignore' });
    const released = new Promise((resolve) => holder.once('exit', resolve));
    await sleep(300);
    const lines: string[] = [];
    const startedAt = Date.now();
    const result = await runBackup(live.backup, { type: 'full', repos: [1], isVerifySkipped: true, onLine: (line) => lines.push(line) });
    assert.equal(result.status, 'ok', result.errors.join('\n'));
    assert.ok(Date.now() - startedAt >= 3_000, 'it waited for the holder');
    assert.ok(lines.some((line) => /holds the lock.*waiting/.test(line)), 'and said so');
    assert.equal(result.sets.length, 1);
    await released;
  });
});
