import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

/** One process the launcher runs. */
export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Ready when this URL answers 2xx; otherwise when the child sends `{ type: 'ready' }` over IPC. */
  readyUrl?: string;
  /** Restart after an unexpected exit (default true). */
  isRestartable?: boolean;
  readyTimeoutMs?: number;
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
 * their name, restarts the ones that crash (with backoff) and stops them in reverse order.
 * Children get an IPC channel; each tier exits when that channel closes, so none outlives us.
 */
export class Supervisor {
  private readonly running = new Map<string, Running>();
  private isStopping = false;
  private readonly width: number;

  constructor(
    private readonly write: (line: string) => void,
    names: readonly string[],
    private readonly isColour: boolean,
  ) {
    this.width = Math.max(...names.map((name) => name.length), 6);
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
    const child = spawn(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...spec.env } });
    this.jobs.add(child);
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.log(spec.name, line));
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    this.jobs.delete(child);
    if (code !== 0) throw new Error(`${spec.name} failed (exit ${code ?? 'signal'})`);
  }

  private readonly jobs = new Set<ChildProcess>();

  /** Starts a service and resolves once it is ready; rejects if it exits or times out first. */
  async start(spec: ServiceSpec): Promise<Record<string, unknown>> {
    const child = spawn(spec.command, spec.args, {
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
    void exited.then((code) => this.onExit(entry, code));
    return this.waitReady(entry);
  }

  private async waitReady(entry: Running): Promise<Record<string, unknown>> {
    const { spec, child } = entry;
    const timeout = spec.readyTimeoutMs ?? 120_000;
    let hasExited = false;
    void entry.exited.then(() => (hasExited = true));
    const fromIpc = new Promise<Record<string, unknown>>((resolve) => {
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
    this.log(entry.spec.name, `restarting in ${delay} ms`);
    await sleep(delay);
    if (this.isStopping) return;
    await this.start(entry.spec).then(
      () => this.log(entry.spec.name, 'back up'),
      (error: unknown) => this.log(entry.spec.name, `restart failed: ${String(error)}`),
    );
  }

  /** Stops every service, last started first; SIGKILL after `graceMs`. */
  async stopAll(graceMs = 15_000): Promise<void> {
    this.isStopping = true;
    for (const job of this.jobs) job.kill('SIGTERM');
    for (const entry of [...this.running.values()].reverse()) {
      const { child, spec } = entry;
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      const killed = sleep(graceMs).then(() => {
        this.log(spec.name, `did not stop within ${graceMs / 1000} s; killing it`);
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      });
      await Promise.race([entry.exited, killed]);
    }
  }
}
