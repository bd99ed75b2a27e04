/**
 * The launcher as users run it (`threadline start`, the command behind `npm start`), on real
 * processes: a checkout inside a mode-700 directory, a stop that leaves nothing behind (SIGTERM
 * and kill -9), two instances side by side, and a taken port.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePortBlock } from '@threadline/db/testing';

import { isPortFree } from '@threadline/config';
import { isGroupAlive } from './registry.js';
import { REPO_ROOT } from './services.js';
import { childGroups, LAUNCH_PORTS, launch, processesUsing, scratchDir, stopLaunched, waitAllUp, waitReady } from './test-instances.js';

after(stopLaunched);

function statusOverSocket(socketPath: string, requestPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.get({ socketPath, path: requestPath, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
  });
}

describe('threadline start', { concurrency: false }, () => {
  it('runs from a checkout inside a mode-700 directory, and a stop leaves no process behind', async () => {
    // a copy of this checkout (hard links: cheap) inside a directory only its owner may enter
    const privateDir = scratchDir('threadline-private-', 0o700);
    const clone = path.join(privateDir, 'threadline');
    mkdirSync(clone);
    execFileSync('sh', ['-c', `cd "${REPO_ROOT}" && for entry in * .[!.]*; do case "$entry" in .git|var|test-artifacts) ;; *) cp -al "$entry" "${clone}/";; esac; done`]);
    const privateMode = execFileSync('stat', ['-c', '%a', privateDir]).toString().trim();
    const dataDir = path.join(scratchDir('threadline-data-'), 'var');
    const instance = launch({
      bin: path.join(clone, 'packages', 'cli', 'bin', 'threadline.mjs'),
      dataDir,
      port: await freePortBlock(LAUNCH_PORTS),
      env: { THREADLINE_MONITORING: 'off', THREADLINE_API_REPLICAS: '1' },
    });
    await waitReady(instance);
    const health = await fetch(`http://127.0.0.1:${instance.port}/readyz`);
    assert.equal(health.status, 200, 'web tier ready, API and database behind it');
    assert.equal(execFileSync('stat', ['-c', '%a', privateDir]).toString().trim(), privateMode, 'no permission was changed on the way');
    await waitAllUp(instance);
    const groups = childGroups(dataDir);
    assert.ok(groups.length >= 4, 'db, api, web and workers registered');
    // the web tier's way to the API on this host: the replica's owner-only Unix socket
    const apiSocket = path.join(dataDir, 'run', 'api-1.sock');
    assert.equal(lstatSync(apiSocket).isSocket(), true, 'the API listens on its Unix socket');
    assert.equal(lstatSync(apiSocket).mode & 0o777, 0o600);
    assert.equal(await statusOverSocket(apiSocket, '/readyz'), 200);

    process.kill(instance.child.pid ?? 0, 'SIGTERM');
    assert.equal(await instance.exited, 0);
    assert.equal(existsSync(apiSocket), false, 'the socket file is removed on stop');
    // right when the launcher returns, nothing it started is left
    assert.deepEqual(groups.filter((group) => isGroupAlive(group)), []);
    assert.deepEqual(processesUsing(dataDir), []);
    assert.ok(await isPortFree(instance.port), 'web port released');
  });

  it('runs two instances side by side, each with its own database and monitoring ports', async () => {
    const first = launch({ dataDir: scratchDir('threadline-a-'), port: await freePortBlock(LAUNCH_PORTS), env: { THREADLINE_API_REPLICAS: '1' } });
    // the first one's monitoring companions start right after its shop is ready: once they hold
    // their ports, the second one must pick others
    await waitAllUp(first);
    const second = launch({ dataDir: scratchDir('threadline-b-'), port: await freePortBlock(LAUNCH_PORTS), env: { THREADLINE_API_REPLICAS: '1' } });
    await waitReady(second);
    const recorded = [first, second].map((instance) => JSON.parse(readFileSync(path.join(instance.dataDir, 'ports.json'), 'utf8')) as Record<string, number>); // written by the launcher
    assert.notEqual(recorded[0]?.pg, recorded[1]?.pg, 'two PostgreSQL ports');
    for (const [index, instance] of [first, second].entries()) {
      const response = await fetch(`http://127.0.0.1:${instance.port}/api/products`);
      assert.equal(response.status, 200, `instance ${index + 1} serves its shop`);
      const ports = recorded[index] ?? {};
      if (ports.prometheus) {
        // ready means the shop answers; the monitoring companions start right after it
        await waitAllUp(instance);
        assert.ok(instance.output().includes(`prometheus: http://127.0.0.1:${ports.prometheus}/`), 'the banner lists the Prometheus that runs');
        assert.equal((await fetch(`http://127.0.0.1:${ports.prometheus}/-/ready`)).status, 200, `instance ${index + 1} has its own Prometheus`);
      }
    }
    if (recorded[0]?.prometheus) assert.notEqual(recorded[0].prometheus, recorded[1]?.prometheus);

    // a crash of the launcher (kill -9 of its process group) takes every child with it
    const groups = childGroups(first.dataDir);
    process.kill(-(first.child.pid ?? 0), 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (groups.some((group) => isGroupAlive(group)) && Date.now() < deadline) await sleep(200);
    assert.deepEqual(groups.filter((group) => isGroupAlive(group)), [], 'no orphan after kill -9');
    assert.equal((await fetch(`http://127.0.0.1:${second.port}/api/products`)).status, 200, 'the other instance is untouched');
  });

  it('a second start on the same data dir boots the tiers alongside PostgreSQL and applies no migration', async () => {
    const dataDir = path.join(scratchDir('threadline-again-'), 'var');
    const port = await freePortBlock(LAUNCH_PORTS);
    const env = { THREADLINE_MONITORING: 'off', THREADLINE_API_REPLICAS: '1' };
    const first = launch({ dataDir, port, env });
    await waitReady(first);
    assert.match(first.output(), /first-start path \(no PostgreSQL cluster yet\)/);
    assert.match(first.output(), /migrations checked \([1-9]\d* applied, 0 already\)/);
    process.kill(first.child.pid ?? 0, 'SIGTERM');
    assert.equal(await first.exited, 0);

    const second = launch({ dataDir, port, env });
    await waitReady(second);
    const output = second.output();
    assert.match(output, /later start: the API replicas and the web tier boot while PostgreSQL starts/);
    assert.match(output, /migrations checked \(0 applied, \d+ already\)/);
    assert.doesNotMatch(output, /first-start path|building the web pages|created a new PostgreSQL/);
    // honest readiness: when the launcher says ready, the shop answers with the database behind it
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/products`)).status, 200);
    process.kill(second.child.pid ?? 0, 'SIGTERM');
    assert.equal(await second.exited, 0);
  });

  it('says in one line which port is taken', async () => {
    const port = await freePortBlock(LAUNCH_PORTS);
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const instance = launch({ dataDir: scratchDir('threadline-busy-'), port, env: { THREADLINE_MONITORING: 'off' } });
      assert.equal(await instance.exited, 1);
      const lines = instance.output().trim().split('\n');
      assert.equal(lines.length, 1, instance.output());
      assert.match(lines[0] ?? '', new RegExp(`port ${port} \\(web tier\\) is already in use.*set PORT`));
    } finally {
      blocker.close();
    }
  });
});
