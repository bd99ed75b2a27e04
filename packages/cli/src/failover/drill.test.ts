/**
 * `threadline failover drill` against a real `threadline start` (two API replicas, embedded
 * PostgreSQL with its synchronous hot standby, a small demo seed): killing an API replica fails no
 * idempotent request and loses no paid order; killing the PostgreSQL primary promotes the standby
 * (new timeline), loses no paid order and reports its recovery time.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

import { setTimeout as sleep } from 'node:timers/promises';

import { freePortBlock } from '@threadline/db/testing';

import { readStandbyState } from '../launcher/db-standby.js';
import { CLI_BIN } from '../launcher/services.js';
import { LAUNCH_PORTS, launch, scratchDir, stopLaunched, waitAllUp, type Launched } from '../launcher/test-instances.js';

const run = promisify(execFile);

after(stopLaunched);

interface Report {
  failed: { total: number; idempotent: number };
  paidOrders: number;
  lostPaidOrders: number;
  recoverySeconds: number | null;
  database?: { before: { timeline: number; failovers: number; standby: string }; after?: { timeline: number; failovers: number } };
  ok: boolean;
}

async function threadline(instance: Launched, args: string[]): Promise<{ stdout: string; code: number }> {
  const env: NodeJS.ProcessEnv = { ...process.env, THREADLINE_DATA_DIR: instance.dataDir, PORT: String(instance.port), THREADLINE_DEMO_EVENTS: '2000' };
  delete env.DATABASE_URL;
  delete env.THREADLINE_PG_PORT;
  try {
    const { stdout } = await run(process.execPath, [CLI_BIN, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
    return { stdout, code: 0 };
  } catch (error) {
    const stdout = typeof error === 'object' && error !== null && 'stdout' in error ? String(error.stdout) : '';
    const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number' ? error.code : 1;
    return { stdout, code };
  }
}

/** What one tier of the launched system logged (the last 150 lines, connection chatter left out). */
function tierLines(instance: Launched, tier: string): string {
  return instance
    .output()
    .split('\n')
    .filter((line) => line.startsWith(`[${tier}]`) && !/LOG: {2}(connection|disconnection)/.test(line))
    .slice(-150)
    .join('\n');
}

function parseReport(stdout: string): Report {
  // --format json prints the report alone
  return JSON.parse(stdout) as Report;
}

describe('threadline failover drill', { concurrency: false }, () => {
  let shop: Launched;

  it('loses no paid order and fails no idempotent request when an API replica is killed', async () => {
    const port = await freePortBlock(LAUNCH_PORTS);
    // PostgreSQL on the last port of this test's block, not the default 15432: a whole system another
    // test file starts while the primary is dead would otherwise take the free default port from
    // under the promoted standby (the db tier holds it, but only once it hears of the death)
    const env = { THREADLINE_MONITORING: 'off', THREADLINE_API_REPLICAS: '2', THREADLINE_DB_STANDBY: 'on', LOG_LEVEL: 'info', THREADLINE_PG_PORT: String(port + LAUNCH_PORTS - 1) };
    shop = launch({ dataDir: path.join(scratchDir('threadline-drill-'), 'var'), port, env });
    // the drill needs the whole system: the worker (standby metrics) starts after the shop answers
    await waitAllUp(shop);
    const seeded = await threadline(shop, ['seed', '--products', '20', '--customers', '30', '--days', '3', '--no-images']);
    assert.equal(seeded.code, 0, seeded.stdout);
    const result = await threadline(shop, ['failover', 'drill', '--kill', 'api', '--format', 'json']);
    const report = parseReport(result.stdout);
    assert.equal(report.failed.idempotent, 0, result.stdout);
    assert.equal(report.lostPaidOrders, 0);
    assert.ok(report.paidOrders > 0, 'orders were paid during the drill');
    assert.equal(typeof report.recoverySeconds, 'number', 'the replica came back');
    assert.equal(result.code, 0);
  });

  it('fails over to the synchronous standby, losing no paid order, when the PostgreSQL primary is killed', async () => {
    // the standby is copied in the background after start: the drill runs once it streams
    for (let tries = 0; readStandbyState(shop.dataDir)?.standby !== 'streaming'; tries += 1) {
      assert.ok(tries < 240, `the standby never streamed: ${JSON.stringify(readStandbyState(shop.dataDir))}`);
      await sleep(250);
    }
    const outputBefore = shop.output().length;
    const result = await threadline(shop, ['failover', 'drill', '--kill', 'primary', '--format', 'json']);
    const report = parseReport(result.stdout);
    // the standby took over: promoted onto a new timeline, the failover counted
    // on failure, what the launcher said (the database tier logs each failover step)
    const said = `${result.stdout.slice(0, 3000)}\ndatabase tier:\n${tierLines(shop, 'db')}`;
    assert.ok(report.database, said);
    assert.equal(report.database.before.standby, 'streaming', said);
    assert.equal(report.database.after?.timeline, report.database.before.timeline + 1, said);
    assert.equal(report.database.after?.failovers, report.database.before.failovers + 1);
    // the promoted standby archives the new timeline's history file itself (pgBackRest told its directory)
    assert.doesNotMatch(shop.output(), /is not the same as option pg1-path/);
    // the API replicas ride the failover out (the worker holding the jobs' leadership lock exits by design)
    assert.doesNotMatch(shop.output().slice(outputBefore), /^\[api-\d+\]\s+exited unexpectedly/m, tierLines(shop, 'api-1'));
    assert.equal(report.lostPaidOrders, 0, said);
    assert.ok(report.paidOrders > 0, said);
    assert.ok(report.recoverySeconds !== null && report.recoverySeconds > 0, `recovery measured: ${said}`);
    assert.ok(report.failed.total > 0, 'the outage was seen (the drill did kill the database)');
    assert.equal(result.code, 0);
  });

  it('copies a new standby from the new primary and exports its lag on the worker /metrics', async () => {
    for (let tries = 0; readStandbyState(shop.dataDir)?.standby !== 'streaming'; tries += 1) {
      assert.ok(tries < 240, `no new standby after the failover: ${JSON.stringify(readStandbyState(shop.dataDir))}\ndatabase tier:\n${tierLines(shop, 'db')}`);
      await sleep(250);
    }
    // the worker's port follows PORT (PORT + 2); its gauges read pg_stat_replication at scrape time
    // (the worker may be restarting: its leader session broke with the old primary)
    const lagBytes = /^threadline_db_replica_lag_bytes\{[^}]*standby="threadline_standby"[^}]*\} \d+$/m;
    let metrics = '';
    for (let tries = 0; !lagBytes.test(metrics) && tries < 60; tries += 1) {
      if (tries > 0) await sleep(500);
      metrics = await fetch(`http://127.0.0.1:${shop.port + 2}/metrics`).then((response) => response.text(), () => '');
    }
    const gauges = metrics.split('\n').filter((line) => line.startsWith('threadline_db_')).join('\n');
    assert.match(gauges, lagBytes, `${gauges}\ndatabase tier:\n${tierLines(shop, 'db')}\nworker:\n${tierLines(shop, 'worker')}`);
    assert.match(gauges, /^threadline_db_replica_lag_seconds\{[^}]*standby="threadline_standby"[^}]*\} [\d.e-]+$/m);
    assert.match(gauges, /^threadline_db_standbys_streaming(\{[^}]*\})? 1$/m);
    assert.match(gauges, /^threadline_db_standby_expected(\{[^}]*\})? 1$/m);
  });
});
