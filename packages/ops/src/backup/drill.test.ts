import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { runRestoreDrill } from './drill.js';
import { runBackup } from './run-backup.js';
import { startArchivingCluster, type ArchivingCluster } from './test-helpers.js';

describe('restore drill', () => {
  let live: ArchivingCluster;
  const posted: string[] = [];
  const slack = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      posted.push(body);
      res.writeHead(200).end('ok');
    });
  });
  before(async () => {
    live = await startArchivingCluster();
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    await live?.destroy();
    await new Promise((resolve) => slack.close(resolve));
  });

  it('restores the latest backup into a scratch cluster, finds the canary and equal counts, and posts to Slack', async () => {
    await live.query('CREATE TABLE orders (id int PRIMARY KEY)');
    await live.query('INSERT INTO orders SELECT generate_series(1, 300)');
    assert.equal((await runBackup(live.backup, { type: 'full', repos: [1], isVerifySkipped: true })).status, 'ok');
    await live.query('INSERT INTO orders SELECT generate_series(301, 350)');
    // listen() on a TCP port always yields an AddressInfo
    const { port } = slack.address() as AddressInfo;
    const result = await runRestoreDrill(live.backup, {
      liveUrl: live.url,
      password: live.password,
      isFast: true,
      slackWebhookUrl: `http://127.0.0.1:${port}/hook`,
    });
    assert.equal(result.status, 'passed', result.error);
    assert.equal(result.hasCanary, true);
    assert.deepEqual(result.mismatches, []);
    assert.ok(result.tablesChecked >= 2);
    assert.ok(result.restoreSeconds > 0);
    assert.ok(result.rpoSeconds >= 0 && result.rpoSeconds < 60);
    assert.equal(result.archiveTimeoutSeconds, 60);
    assert.equal(existsSync(result.scratchDir), false, 'scratch cluster removed');
    assert.equal(result.notice?.status, 'sent');
    assert.match(posted[0] ?? '', /Restore drill on .* PASSED/);
    assert.match(posted[0] ?? '', /RPO/);
  });

  it('fails loudly when there is no backup to restore', async () => {
    const empty = await startArchivingCluster();
    try {
      const result = await runRestoreDrill(empty.backup, { liveUrl: empty.url, password: empty.password, isFast: true });
      assert.equal(result.status, 'failed');
      assert.match(result.error ?? '', /no backup/);
      assert.equal(result.notice?.status, 'logged-only');
    } finally {
      await empty.destroy();
    }
  });
});
