import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One child of the launcher: its process group id (= its pid, children run in their own groups). */
export interface RegistryEntry {
  name: string;
  pgid: number;
}

export interface Registry {
  launcherPid: number;
  children: RegistryEntry[];
}

/** True when any process of group `pgid` is alive. */
export function isGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but not ours to signal
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

/** A pid recorded before a reboot may now belong to anything: only a Node process can be our launcher. */
function isNodeProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true;
  }
}

export function writeRegistry(file: string, registry: Registry): void {
  mkdirSync(path.dirname(file), { recursive: true });
  if (registry.children.length === 0) rmSync(file, { force: true });
  else writeFileSync(file, `${JSON.stringify(registry)}\n`);
}

function readRegistry(file: string): Registry | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const launcherPid: unknown = Reflect.get(parsed, 'launcherPid');
    const children: unknown = Reflect.get(parsed, 'children');
    if (typeof launcherPid !== 'number' || !Array.isArray(children)) return undefined;
    const entries = children.filter(
      (child): child is RegistryEntry =>
        typeof child === 'object' && child !== null && typeof Reflect.get(child, 'pgid') === 'number' && typeof Reflect.get(child, 'name') === 'string',
    );
    return { launcherPid, children: entries };
  } catch {
    return undefined;
  }
}

/** Another launcher is running on the same data directory. */
export class LauncherRunningError extends Error {
  readonly kind = 'conflict';
  constructor(readonly pid: number, dataDir: string) {
    super(`Threadline is already running on ${dataDir} (launcher pid ${pid}): stop it first (kill ${pid}) or use another THREADLINE_DATA_DIR`);
    this.name = 'LauncherRunningError';
  }
}

/**
 * Before a start: refuses when another live launcher owns the data directory, and stops the
 * processes a crashed launcher left behind (its children's process groups: TERM, then KILL after
 * 10 s). Returns the names of the services it had to stop.
 */
export async function reapLeftovers(file: string, dataDir: string): Promise<string[]> {
  const registry = readRegistry(file);
  if (!registry) return [];
  if (registry.launcherPid !== process.pid && isAlive(registry.launcherPid) && isNodeProcess(registry.launcherPid)) throw new LauncherRunningError(registry.launcherPid, dataDir);
  const alive = registry.children.filter((child) => isGroupAlive(child.pgid));
  for (const child of alive) process.kill(-child.pgid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive.some((child) => isGroupAlive(child.pgid)) && Date.now() < deadline) await sleep(100);
  for (const child of alive) if (isGroupAlive(child.pgid)) process.kill(-child.pgid, 'SIGKILL');
  rmSync(file, { force: true });
  return alive.map((child) => child.name);
}
