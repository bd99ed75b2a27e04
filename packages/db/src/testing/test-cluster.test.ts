import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { GROUP_COMMIT_SETTINGS } from '../embedded/group-commit.js';
import { withClient } from '../pool.js';
import { startTestCluster } from './test-cluster.js';

async function settingsOf(url: string): Promise<Record<string, string>> {
  const { rows } = await withClient({ connectionString: url }, (client) =>
    client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'commit_delay', 'commit_siblings', 'track_wal_io_timing')`,
    ),
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
}

describe('startTestCluster', () => {
  it('keeps production durability with group commit when asked (the checkout benchmark), with extra settings on top', async () => {
    const cluster = await startTestCluster({ isDurable: true, settings: { track_wal_io_timing: 'on' } });
    try {
      assert.deepEqual(await settingsOf(cluster.url), {
        fsync: 'on',
        synchronous_commit: 'on',
        full_page_writes: 'on',
        commit_delay: GROUP_COMMIT_SETTINGS.commit_delay,
        commit_siblings: GROUP_COMMIT_SETTINGS.commit_siblings,
        track_wal_io_timing: 'on',
      });
    } finally {
      await cluster.destroy();
    }
  });
});
