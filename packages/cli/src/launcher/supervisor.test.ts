import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, describe, it } from 'node:test';

import { claimPort, isPortFree } from '@threadline/config';

import { freeStablePort, PortReservations } from './ports.js';
import { Supervisor, type ServiceSpec } from './supervisor.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('Supervisor.stopAll', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-supervisor-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stops every tier at once and the database only after they have all exited', async () => {
    const journal = path.join(dir, 'journal');
    writeFileSync(journal, '');
    // a tier that, like the API, takes a while to drain after SIGTERM and writes down what happened
    const child = path.join(dir, 'tier.cjs');
    writeFileSync(
      child,
      `const fs = require('node:fs');
       const note = (what) => fs.appendFileSync(${JSON.stringify(journal)}, process.argv[2] + ' ' + what + '\\n');
       process.on('SIGTERM', () => { note('term'); setTimeout(() => { note('exit'); process.exit(0); }, 400); });
       setInterval(() => undefined, 1000);
       process.send({ type: 'ready' });`,
    );
    const spec = (name: string, isStoppedLast = false): ServiceSpec => ({ name, command: process.execPath, args: [child, name], isStoppedLast, isRestartable: false });
    const supervisor = new Supervisor(() => undefined, ['db', 'api-1', 'api-2', 'web'], false);
    for (const service of [spec('db', true), spec('api-1'), spec('api-2'), spec('web')]) await supervisor.start(service);
    appendFileSync(journal, 'stop\n');

    await supervisor.stopAll();

    const lines = readFileSync(journal, 'utf8').trim().split('\n').slice(1);
    const at = (line: string): number => lines.indexOf(line);
    for (const tier of ['api-1', 'api-2', 'web']) {
      assert.ok(at(`${tier} term`) >= 0 && at(`${tier} exit`) > at(`${tier} term`), `${tier} was stopped: ${lines.join(', ')}`);
      // all at once: every tier had its SIGTERM before the first one finished draining
      assert.ok(at(`${tier} term`) < Math.min(at('api-1 exit'), at('api-2 exit'), at('web exit')), `${tier} waited for another tier: ${lines.join(', ')}`);
      assert.ok(at(`${tier} exit`) < at('db term'), `the database stopped before ${tier} had finished: ${lines.join(', ')}`);
    }
    assert.ok(at('db exit') > at('db term'));
    assert.deepEqual(supervisor.names(), []);
  });
});

describe('port handover', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'threadline-handover-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds a chosen port until the child that binds it claims it, so nothing else can take it meanwhile', async () => {
    const reserved = new PortReservations();
    const port = await freeStablePort(async (candidate) => !(await reserved.hold(candidate)));
    assert.equal(await isPortFree(port), false, 'held by the launcher');
    // the child binds the port right after claimPort returns, as the db tier starts PostgreSQL
    const child = path.join(dir, 'binder.mts');
    writeFileSync(
      child,
      `import { createServer } from 'node:net';
       import { claimPort } from ${JSON.stringify(pathToFileURL(path.join(here, '..', '..', '..', 'config', 'src', 'lifecycle.ts')).href)};
       const port = Number(process.argv[2]);
       await claimPort(port);
       const server = createServer().listen({ port, host: '127.0.0.1', exclusive: true }, () => process.send?.({ type: 'ready', port }));
       server.once('error', (error) => { console.error(String(error)); process.exit(3); });
       process.on('SIGTERM', () => server.close(() => process.exit(0)));`,
    );
    const released: number[] = [];
    const output: string[] = [];
    const supervisor = new Supervisor((line) => output.push(line), ['binder'], false);
    const details = await supervisor.start({
      name: 'binder',
      command: process.execPath,
      args: ['--import', 'tsx', child, String(port)],
      isRestartable: false,
      readyTimeoutMs: 30_000,
      releasePort: async (wanted) => {
        released.push(wanted);
        await reserved.release(wanted);
      },
    }).catch((error: unknown) => assert.fail(`${String(error)}\n${output.join('\n')}`));
    assert.deepEqual(released, [port], 'released only when the child asked, and only that port');
    assert.equal(details.port, port, 'the child bound the port the launcher had held');
    assert.deepEqual(reserved.ports(), []);
    await supervisor.stopAll();
  });

  it('holds the port again while a crashed child waits to be restarted, and hands it to the restarted one', async () => {
    const reserved = new PortReservations();
    const port = await freeStablePort(async (candidate) => !(await reserved.hold(candidate)));
    const crashedOnce = path.join(dir, 'crashed-once');
    // binds the port like the db tier; the first one dies on its own a moment after it is ready
    const child = path.join(dir, 'crasher.mts');
    writeFileSync(
      child,
      `import { existsSync, writeFileSync } from 'node:fs';
       import { createServer } from 'node:net';
       import { claimPort } from ${JSON.stringify(pathToFileURL(path.join(here, '..', '..', '..', 'config', 'src', 'lifecycle.ts')).href)};
       const port = Number(process.argv[2]);
       await claimPort(port);
       const server = createServer().listen({ port, host: '127.0.0.1', exclusive: true }, () => process.send?.({ type: 'ready', port }));
       server.once('error', (error) => { console.error(String(error)); process.exit(3); });
       process.on('SIGTERM', () => server.close(() => process.exit(0)));
       if (!existsSync(${JSON.stringify(crashedOnce)})) { writeFileSync(${JSON.stringify(crashedOnce)}, ''); setTimeout(() => process.exit(1), 300); }`,
    );
    const output: string[] = [];
    const released: number[] = [];
    const supervisor = new Supervisor((line) => output.push(line), ['crasher'], false);
    await supervisor.start({
      name: 'crasher',
      command: process.execPath,
      args: ['--import', 'tsx', child, String(port)],
      readyTimeoutMs: 30_000,
      releasePort: async (wanted) => {
        released.push(wanted);
        await reserved.release(wanted);
      },
      holdPort: () => reserved.hold(port),
    }).catch((error: unknown) => assert.fail(`${String(error)}\n${output.join('\n')}`));
    const waitFor = async (pattern: RegExp): Promise<void> => {
      for (let tries = 0; tries < 600 && !output.some((line) => pattern.test(line)); tries += 1) await sleep(25);
      assert.ok(output.some((line) => pattern.test(line)), `no line matching ${pattern}:\n${output.join('\n')}`);
    };
    await waitFor(/restarting in/);
    // the child is gone and not yet restarted: the port is the launcher's, not free for the taking
    assert.deepEqual(reserved.ports(), [port], output.join('\n'));
    assert.equal(await isPortFree(port), false);
    await waitFor(/back up/);
    assert.deepEqual(released, [port, port], 'each start claimed the port');
    assert.deepEqual(reserved.ports(), [], 'the restarted child has it');
    assert.equal(await isPortFree(port), false, 'bound by the restarted child');
    assert.ok(!output.some((line) => line.includes('could not hold')), output.join('\n'));
    await supervisor.stopAll();
  });

  it('claimPort returns at once without a launcher', async () => {
    const startedAt = Date.now();
    await claimPort(1);
    assert.ok(Date.now() - startedAt < 1_000);
  });
});
