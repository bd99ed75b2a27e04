import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';

import { planStart, readStartState, recordStartState, startStateFile } from './start-state.js';

function scratchDataDir(): { dataDir: string; clusterDir: string } {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'threadline-start-state-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  return { dataDir, clusterDir: path.join(dataDir, 'pg') };
}

test('a first start takes the careful path: no cluster, then no recorded demo shop', () => {
  const { dataDir, clusterDir } = scratchDataDir();
  assert.deepEqual(planStart({ dataDir, clusterDir, wantsSeed: true, isWebBuildFresh: true }), { isOverlapped: false, reason: 'no PostgreSQL cluster yet' });
  mkdirSync(clusterDir);
  writeFileSync(path.join(clusterDir, 'PG_VERSION'), '15\n');
  assert.deepEqual(planStart({ dataDir, clusterDir, wantsSeed: true, isWebBuildFresh: true }), {
    isOverlapped: false,
    reason: 'the demo shop is not recorded as loaded',
  });
  assert.equal(planStart({ dataDir, clusterDir, wantsSeed: true, isWebBuildFresh: false }).reason, 'the web pages need building');
});

test('a second start on the same data dir skips the wait: the tiers boot while PostgreSQL starts', () => {
  const { dataDir, clusterDir } = scratchDataDir();
  mkdirSync(clusterDir);
  writeFileSync(path.join(clusterDir, 'PG_VERSION'), '15\n');
  // what the first start records once it has checked the demo shop is loaded
  recordStartState(dataDir, { isSeeded: true });
  assert.equal(readStartState(dataDir)?.isSeeded, true);
  assert.deepEqual(planStart({ dataDir, clusterDir, wantsSeed: true, isWebBuildFresh: true }), { isOverlapped: true, reason: '' });
  // an external database has no cluster directory to look at; without demo data nothing is recorded
  assert.equal(planStart({ dataDir, wantsSeed: false, isWebBuildFresh: true }).isOverlapped, true);
});

test('a damaged or foreign start-state file is ignored, never trusted', () => {
  const { dataDir, clusterDir } = scratchDataDir();
  mkdirSync(clusterDir);
  writeFileSync(path.join(clusterDir, 'PG_VERSION'), '15\n');
  mkdirSync(path.dirname(startStateFile(dataDir)), { recursive: true });
  for (const text of ['{not json', '{"isSeeded":"yes"}', 'null', '[]']) {
    writeFileSync(startStateFile(dataDir), text);
    assert.equal(readStartState(dataDir), undefined, text);
    assert.equal(planStart({ dataDir, clusterDir, wantsSeed: true, isWebBuildFresh: true }).isOverlapped, false, text);
  }
});
