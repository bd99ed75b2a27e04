import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { PORT_RELEASED, PORT_WANTED } from '@threadline/config';

import { isGroupAlive, writeRegistry, type RegistryEntry } from './registry.js';

/** Wraps non-Node programs so they die with the launcher (see bin/guard.mjs). */
const GUARD = fileURLToPath(new URL('../../bin/guard.mjs', import.meta.url));

/** One process the launcher runs. */
export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Ready when this URL answers 2xx; otherwise when the child sends `{ type: 'ready' }` over IPC. */
  readyUrl?: string;
  /** Ready only when `readyUrl` answers 2xx: the child's IPC `ready` (listening) is not enough. */
  isReadyByUrlOnly?: boolean;
  /** Restart after an unexpected exit (default true). */
  isRestartable?: boolean;
  readyTimeoutMs?: number;
  /**
   * Stopped after every other service (the database): the tiers that write into it finish first.
   * The others stop all at once — each drains on its own (the API keeps answering while it fails
   * /readyz), so a whole-system stop takes the longest drain, not the sum of them.
   */
  isStoppedLast?: boolean;
  /**
   * Hands over a port the launcher holds for this service: when the child asks for it (`claimPort`,
   * right before it binds), the launcher stops listening there and tells the child it may bind.
   */
  releasePort?: (port: number) => Promise<void>;
  /**
   * Takes that port back when the service exits unexpectedly (false when something still listens
   * there), so no other program binds it during the restart back-off; the restarted child claims
   * it again through `releasePort`.
   */
  holdPort?: () => Promise<boolean>;
}

interface Running {
  spec: ServiceSpec;
  child: ChildProcess;
  exited: Promise<number | null>;
  restarts: number[];
}

const COLOURS = [36, 35, 33, 32, 34, 31, 90];

/**
 * Runs services as child processes in their own process groups, prefixes their output with
 * their name, restarts the ones that crash (with backoff) and stops them (the database last).
 * Children get an IPC channel; each tier exits when that channel closes, so none outlives us.
 */
export class Supervisor {
  private readonly running = new Map<string, Running>();
  /** First-start order of every service; a restart keeps its place, so stops stay in tier order. */
  private readonly order: string[] = [];
  private isStopping = false;
  private readonly width: number;

  constructor(
    private readonly write: (line: string) => void,
    names: readonly string[],
    private readonly isColour: boolean,
    /** File listing every child's process group, so a launcher that crashed can be cleaned up after. */
    private readonly registryFile?: string,
  ) {
    this.width = Math.max(...names.map((name) => name.length), 6);
  }

  private saveRegistry(): void {
    if (!this.registryFile) return;
    const children: RegistryEntry[] = [];
    for (const [name, entry] of this.running) if (entry.child.pid) children.push({ name, pgid: entry.child.pid });
    for (const job of this.jobs) if (job.pid) children.push({ name: 'job', pgid: job.pid });
    writeRegistry(this.registryFile, { launcherPid: process.pid, children });
  }

  /** Names of the running services, in start order. */
  names(): string[] {
    return this.order.filter((name) => this.running.has(name));
  }

  private prefix(name: string): string {
    const label = `[${name}]`.padEnd(this.width + 2);
    if (!this.isColour) return label;
    const colour = COLOURS[[...name].reduce((sum, char) => sum + char.charCodeAt(0), 0) % COLOURS.length];
    return `\u001b[${colour}m${label}\u001b[0m`;
  }

  log(name: string, line: string): void {
    this.write(`${this.prefix(name)} ${line}`);
  }

  /** Runs a one-shot job (seed, build) to completion with prefixed output; rejects on a non-zero exit. */
  async run(spec: ServiceSpec): Promise<void> {
    const child = spawn(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...spec.env } });
    this.jobs.add(child);
    this.saveRegistry();
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.log(spec.name, line));
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    this.jobs.delete(child);
    this.saveRegistry();
    if (code !== 0) throw new Error(`${spec.name} failed (exit ${code ?? 'signal'})`);
  }

  private readonly jobs = new Set<ChildProcess>();

  /** Starts a service and resolves once it is ready; rejects if it exits or times out first. */
  async start(spec: ServiceSpec): Promise<Record<string, unknown>> {
    // a stop arrived while a later step was still starting things: start nothing more
    if (this.isStopping) throw new Error(`${spec.name} not started: stopping`);
    const isNode = spec.command === process.execPath;
    const command = isNode ? spec.command : process.execPath;
    const args = isNode ? spec.args : [GUARD, spec.command, ...spec.args];
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
      env: { ...process.env, ...spec.env },
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.log(spec.name, line));
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const previous = this.running.get(spec.name);
    const entry: Running = { spec, child, exited, restarts: previous?.restarts ?? [] };
    this.running.set(spec.name, entry);
    if (!this.order.includes(spec.name)) this.order.push(spec.name);
    this.saveRegistry();
    void exited.then((code) => this.onExit(entry, code));
    const { releasePort } = spec;
    if (releasePort) child.on('message', (message: unknown) => void this.handOverPort(child, message, releasePort));
    return this.waitReady(entry);
  }

  private async handOverPort(child: ChildProcess, message: unknown, releasePort: (port: number) => Promise<void>): Promise<void> {
    if (typeof message !== 'object' || message === null || Reflect.get(message, 'type') !== PORT_WANTED) return;
    const port: unknown = Reflect.get(message, 'port');
    if (typeof port !== 'number') return;
    await releasePort(port);
    if (child.connected) child.send({ type: PORT_RELEASED, port });
  }

  private async waitReady(entry: Running): Promise<Record<string, unknown>> {
    const { spec, child } = entry;
    const timeout = spec.readyTimeoutMs ?? 120_000;
    let hasExited = false;
    void entry.exited.then(() => (hasExited = true));
    const fromIpc = new Promise<Record<string, unknown>>((resolve) => {
      if (spec.isReadyByUrlOnly && spec.readyUrl) return;
      child.on('message', (message: unknown) => {
        if (typeof message === 'object' && message !== null && 'type' in message && message.type === 'ready') {
          resolve({ ...message });
        }
      });
    });
    const fromUrl = (async (): Promise<Record<string, unknown>> => {
      if (!spec.readyUrl) return new Promise<never>(() => undefined);
      while (!hasExited) {
        try {
          const response = await fetch(spec.readyUrl, { signal: AbortSignal.timeout(2_000) });
          if (response.ok) return {};
        } catch {
          // not listening yet
        }
        await sleep(200);
      }
      return new Promise<never>(() => undefined);
    })();
    const failed = entry.exited.then((code) => {
      throw new Error(`${spec.name} exited (code ${code ?? 'signal'}) before it was ready`);
    });
    const timedOut = sleep(timeout).then(() => {
      throw new Error(`${spec.name} was not ready within ${timeout / 1000} s`);
    });
    return Promise.race([fromIpc, fromUrl, failed, timedOut]);
  }

  private async onExit(entry: Running, code: number | null): Promise<void> {
    if (this.isStopping || this.running.get(entry.spec.name) !== entry) return;
    this.log(entry.spec.name, `exited unexpectedly (code ${code ?? 'signal'})`);
    if (entry.spec.isRestartable === false) return;
    const now = Date.now();
    entry.restarts = entry.restarts.filter((at) => now - at < 60_000);
    if (entry.restarts.length >= 5) {
      this.log(entry.spec.name, 'crashed 5 times within a minute; not restarting (see the log above)');
      return;
    }
    entry.restarts.push(now);
    const delay = 500 * 2 ** (entry.restarts.length - 1);
    if (entry.spec.holdPort && !(await entry.spec.holdPort())) {
      this.log(entry.spec.name, 'could not hold its port through the restart: something still listens there (its own server not gone yet, or another program)');
    }
    this.log(entry.spec.name, `restarting in ${delay} ms`);
    await sleep(delay);
    if (this.isStopping) return;
    await this.start(entry.spec).then(
      () => this.log(entry.spec.name, 'back up'),
      (error: unknown) => this.log(entry.spec.name, `restart failed: ${String(error)}`),
    );
  }

  /** Stops one service and waits until every process of its group has gone; SIGKILL after `graceMs`. */
  async stop(name: string, graceMs = 15_000): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) return;
    this.running.delete(name);
    await this.stopEntry(entry, graceMs);
    this.saveRegistry();
  }

  private async stopEntry(entry: Running, graceMs: number): Promise<void> {
    const { child, spec } = entry;
    const pgid = child.pid;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const deadline = Date.now() + graceMs;
    const isKilled = await Promise.race([entry.exited.then(() => false), sleep(graceMs).then(() => true)]);
    // the tier itself has exited; what it started (PostgreSQL, a program under the guard) shares
    // its process group and must be gone too before we call the service stopped
    while (pgid !== undefined && isGroupAlive(pgid)) {
      if (isKilled || Date.now() > deadline) {
        this.log(spec.name, `did not stop within ${graceMs / 1000} s; killing it`);
        process.kill(-pgid, 'SIGKILL');
        await sleep(50);
        if (!isGroupAlive(pgid)) break;
      }
      await sleep(50);
    }
  }

  /** Restarts one service: stops it (waiting for its group to end), starts it, resolves when ready. */
  async restart(name: string, spec?: ServiceSpec): Promise<Record<string, unknown>> {
    const entry = this.running.get(name);
    const next = spec ?? entry?.spec;
    if (!next) throw new Error(`no service named ${name}`);
    await this.stop(name);
    return this.start(next);
  }

  /**
   * Stops every service: all but the `isStoppedLast` ones at once, then those, last started first;
   * SIGKILL after `graceMs`. Resolves when no child process is left.
   */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.isStopping = true;
    for (const job of this.jobs) if (job.pid) process.kill(-job.pid, 'SIGTERM');
    const entries = [...this.order].reverse().flatMap((name) => this.running.get(name) ?? []);
    await Promise.all(entries.filter((entry) => !entry.spec.isStoppedLast).map((entry) => this.stopEntry(entry, graceMs)));
    for (const entry of entries.filter((candidate) => candidate.spec.isStoppedLast)) await this.stopEntry(entry, graceMs);
    for (const job of this.jobs) {
      while (job.pid && isGroupAlive(job.pid)) await sleep(50);
    }
    this.running.clear();
    this.saveRegistry();
  }
}
