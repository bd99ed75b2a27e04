/** Whole-system test helpers: real `threadline start` launchers on free ports and scratch data dirs. */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { isGroupAlive } from './registry.js';
import { CLI_BIN } from './services.js';

export interface Launched {
  child: ChildProcess;
  dataDir: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

const launched: Launched[] = [];
const scratch: string[] = [];

/** Ports a launched system takes from its base: web, API replicas, workers, standby (fixed ports). */
export const LAUNCH_PORTS = 12;

export function scratchDir(prefix: string, mode = 0o755): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, mode);
  scratch.push(dir);
  return dir;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ...extra, THREADLINE_DEMO: '0' };
  for (const name of ['DATABASE_URL', 'THREADLINE_PG_PORT', 'THREADLINE_PROMETHEUS_PORT', 'THREADLINE_ALERTMANAGER_PORT', 'THREADLINE_API_PORT', 'THREADLINE_WORKER_PORT', 'THREADLINE_API_URL']) {
    if (!(name in extra)) delete env[name];
  }
  return env;
}

export function launch(options: { bin?: string; dataDir: string; port: number; env?: Record<string, string> }): Launched {
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

export async function waitReady(instance: Launched, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/Threadline is ready/.test(instance.output())) {
    if (instance.child.exitCode !== null) assert.fail(`launcher exited (${instance.child.exitCode}) before ready:\n${instance.output().slice(-3000)}`);
    if (Date.now() > deadline) assert.fail(`not ready within ${timeoutMs / 1000} s:\n${instance.output().slice(-3000)}`);
    await sleep(250);
  }
}

/** Waits until the launcher has started everything, the worker and monitoring companions included. */
export async function waitAllUp(instance: Launched, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!/everything is up/.test(instance.output())) {
    if (instance.child.exitCode !== null) assert.fail(`launcher exited (${instance.child.exitCode}) before everything was up:\n${instance.output().slice(-3000)}`);
    if (Date.now() > deadline) assert.fail(`not all up within ${timeoutMs / 1000} s:\n${instance.output().slice(-3000)}`);
    await sleep(250);
  }
}

/** Process groups of every child the launcher started (its registry in the data directory). */
export function childGroups(dataDir: string): number[] {
  const file = path.join(dataDir, 'run', 'launcher.json');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const children: unknown = typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'children') : undefined;
  assert.ok(Array.isArray(children));
  return children.map((child: unknown) => Number(typeof child === 'object' && child !== null ? Reflect.get(child, 'pgid') : NaN));
}

/** Every process whose command line or working directory mentions `dir`. */
export function processesUsing(dir: string): string[] {
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

/** Stops every launched instance and whatever it left, and removes the scratch directories. */
export async function stopLaunched(): Promise<void> {
  for (const instance of launched) {
    const pgid = instance.child.pid;
    if (pgid && isGroupAlive(pgid)) process.kill(-pgid, 'SIGTERM');
    await Promise.race([instance.exited, sleep(30_000)]);
    if (existsSync(path.join(instance.dataDir, 'run', 'launcher.json'))) {
      for (const group of childGroups(instance.dataDir)) if (isGroupAlive(group)) process.kill(-group, 'SIGKILL');
    }
  }
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
}

