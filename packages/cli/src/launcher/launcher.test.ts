/**
 * The launcher as users run it (`threadline start`, the command behind `npm start`), on real
 * processes: a checkout inside a mode-700 directory, a stop that leaves nothing behind (SIGTERM
 * and kill -9), two instances side by side, and a taken port.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { isPortFree } from './ports.js';
import { isGroupAlive } from './registry.js';
import { CLI_BIN, REPO_ROOT } from './services.js';

interface Launched {
  child: ChildProcess;
  dataDir: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

const launched: Launched[] = [];
const scratch: string[] = [];

/** A base port with the next 12 ports free (web, API replicas, workers), so tiers get fixed ports. */
async function freeBlock(): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let isFree = true;
    for (let port = base; port < base + 12 && isFree; port += 1) isFree = await isPortFree(port);
    if (isFree) return base;
  }
}

function scratchDir(prefix: string, mode = 0o755): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, mode);
  scratch.push(dir);
  return dir;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra, THREADLINE_DEMO: '0', LOG_LEVEL: 'warn' };
  for (const name of ['DATABASE_URL', 'THREADLINE_PG_PORT', 'THREADLINE_PROMETHEUS_PORT', 'THREADLINE_ALERTMANAGER_PORT', 'THREADLINE_API_PORT', 'THREADLINE_WORKER_PORT', 'THREADLINE_API_URL']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

function launch(options: { bin?: string; dataDir: string; port: number; env?: Record<string, string> }): Launched {
  const child = spawn(process.execPath, [options.bin ?? CLI_BIN, 'start', '--no-seed'], {
    env: cleanEnv({ THREADLINE_DATA_DIR: options.dataDir, PORT: String(options.port), ...options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const entry = { child, dataDir: options.dataDir, port: options.port, output: () => text, exited };
  launched.push(entry);
  return entry;
}

async function waitReady(instance: Launched, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/Threadline is ready/.test(instance.output())) {
    if (instance.child.exitCode !== null) assert.fail(`launcher exited (${instance.child.exitCode}) before ready:\n${instance.output().slice(-3000)}`);
    if (Date.now() > deadline) assert.fail(`not ready within ${timeoutMs / 1000} s:\n${instance.output().slice(-3000)}`);
    await sleep(250);
  }
}

/** Process groups of every child the launcher started (its registry in the data directory). */
function childGroups(dataDir: string): number[] {
  const file = path.join(dataDir, 'run', 'launcher.json');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const children: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'children') : undefined;
  assert.ok(Array.isArray(children));
  return children.map((child: unknown) => Number(typeof child === 'object' && child !== null ? Reflect.get(child, 'pgid') : NaN));
}

/** Every process whose command line or working directory mentions `dir`. */
function processesUsing(dir: string): string[] {
  const found: string[] = [];
  for (const pid of execFileSync('ps', ['-e', '-o', 'pid=']).toString().trim().split(/\s+/)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(dir) && Number(pid) !== process.pid) found.push(`${pid} ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

after(async () => {
  for (const instance of launched) {
    const pgid = instance.child.pid;
    if (pgid && isGroupAlive(pgid)) process.kill(-pgid, 'SIGTERM');
    await Promise.race([instance.exited, sleep(30_000)]);
    if (existsSync(path.join(instance.dataDir, 'run', 'launcher.json'))) {
      for (const group of childGroups(instance.dataDir)) if (isGroupAlive(group)) process.kill(-group, 'SIGKILL');
    }
  }
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

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
      port: await freeBlock(),
      env: { THREADLINE_MONITORING: 'off', THREADLINE_API_REPLICAS: '1' },
    });
    await waitReady(instance);
    const health = await fetch(`http://127.0.0.1:${instance.port}/readyz`);
    assert.equal(health.status, 200, 'web tier ready, API and database behind it');
    assert.equal(execFileSync('stat', ['-c', '%a', privateDir]).toString().trim(), privateMode, 'no permission was changed on the way');
    const groups = childGroups(dataDir);
    assert.ok(groups.length >= 4, 'db, api, web and workers registered');

    process.kill(instance.child.pid ?? 0, 'SIGTERM');
    assert.equal(await instance.exited, 0);
    // right when the launcher returns, nothing it started is left
    assert.deepEqual(groups.filter((group) => isGroupAlive(group)), []);
    assert.deepEqual(processesUsing(dataDir), []);
    assert.ok(await isPortFree(instance.port), 'web port released');
  });

  it('runs two instances side by side, each with its own database and monitoring ports', async () => {
    const first = launch({ dataDir: scratchDir('threadline-a-'), port: await freeBlock(), env: { THREADLINE_API_REPLICAS: '1' } });
    await waitReady(first);
    const second = launch({ dataDir: scratchDir('threadline-b-'), port: await freeBlock(), env: { THREADLINE_API_REPLICAS: '1' } });
    await waitReady(second);
    const recorded = [first, second].map((instance) => JSON.parse(readFileSync(path.join(instance.dataDir, 'ports.json'), 'utf8')) as Record<string, number>); // written by the launcher
    assert.notEqual(recorded[0]?.pg, recorded[1]?.pg, 'two PostgreSQL ports');
    for (const [index, instance] of [first, second].entries()) {
      const response = await fetch(`http://127.0.0.1:${instance.port}/api/products`);
      assert.equal(response.status, 200, `instance ${index + 1} serves its shop`);
      const ports = recorded[index] ?? {};
      if (ports.prometheus) {
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

  it('says in one line which port is taken', async () => {
    const port = await freeBlock();
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
