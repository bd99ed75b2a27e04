import { spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

import { OpsError } from '../errors.js';
import type { BackupConfig } from './backup-config.js';

export interface PgBackRestResult {
  code: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

let cachedBinary: string | null | undefined;

/** Absolute path of the pgbackrest binary, or null when it is not installed. */
export function findPgBackRest(): string | null {
  if (cachedBinary !== undefined) return cachedBinary;
  const found = spawnSync('sh', ['-c', 'command -v pgbackrest'], { encoding: 'utf8' });
  cachedBinary = found.status === 0 && found.stdout.trim() ? found.stdout.trim() : null;
  return cachedBinary;
}

/** The binary, or a typed error saying how to install it. */
export function requirePgBackRest(): string {
  const binary = findPgBackRest();
  if (!binary) {
    throw new OpsError('BACKUP_TOOL_MISSING', 'pgbackrest is not installed: apt-get install pgbackrest (Debian/Ubuntu), then retry');
  }
  return binary;
}

export interface RunOptions {
  /** Extra environment (e.g. faketime for retention tests); merged over the process environment. */
  env?: Record<string, string>;
  /** Wraps the call in another program (e.g. `faketime`), prepended to the command line. */
  wrapper?: string[];
  /** Called with each stderr/stdout line while the command runs (progress on long jobs). */
  onLine?: (line: string) => void;
}

/**
 * Runs `pgbackrest --config=… --stanza=… <args>` as the database OS user and collects its output.
 * Never throws for a non-zero exit: callers decide (see `runChecked`).
 */
export async function runPgBackRest(backup: BackupConfig, args: string[], options: RunOptions = {}): Promise<PgBackRestResult> {
  const binary = requirePgBackRest();
  const argv = [...(options.wrapper ?? []), binary, `--config=${backup.configPath}`, `--stanza=${backup.stanza}`, ...args];
  const [command = binary, ...rest] = argv;
  const startedAt = Date.now();
  const child = spawn(command, rest, {
    ...(backup.osIds ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    // libpq reads the password from the environment; the socket dir is HOME-independent
    env: { ...process.env, PGPASSWORD: backup.pgPassword, HOME: backup.backupDir, ...options.env },
    cwd: backup.backupDir,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const forward = (chunk: Buffer): void => {
    if (!options.onLine) return;
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) options.onLine(line);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    out.push(chunk);
    forward(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err.push(chunk);
    forward(chunk);
  });
  const code = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode ?? 1));
  });
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    durationMs: Date.now() - startedAt,
  };
}

/** Like `runPgBackRest`, but a non-zero exit becomes a BACKUP_COMMAND_FAILED error carrying the tool's words. */
export async function runChecked(backup: BackupConfig, args: string[], options: RunOptions = {}): Promise<PgBackRestResult> {
  const result = await runPgBackRest(backup, args, options);
  if (result.code !== 0) {
    const words = (result.stderr || result.stdout).trim().split('\n').slice(-6).join('\n');
    throw new OpsError('BACKUP_COMMAND_FAILED', `pgbackrest ${args[0] ?? ''} failed (exit ${result.code}): ${words}`, words);
  }
  return result;
}

/** pgBackRest's words when another pgBackRest process holds the stanza's lock. */
const LOCK_HELD = /unable to acquire lock/i;

/**
 * Like `runChecked`, but waits (up to `lockWaitMs`, default 10 min) while another pgBackRest
 * process holds the stanza's lock — e.g. the worker creating the stanza and taking the first
 * backup right after a start — instead of failing on it.
 */
export async function runCheckedWaitingForLock(
  backup: BackupConfig,
  args: string[],
  options: RunOptions & { lockWaitMs?: number; pollMs?: number } = {},
): Promise<PgBackRestResult> {
  const deadline = Date.now() + (options.lockWaitMs ?? 600_000);
  let hasSaidWaiting = false;
  for (;;) {
    // the lock message is expected here: keep it out of the progress lines
    const result = await runPgBackRest(backup, args, { ...options, onLine: undefined });
    if (result.code !== 0 && LOCK_HELD.test(result.stderr + result.stdout) && Date.now() < deadline) {
      if (!hasSaidWaiting) options.onLine?.(`another pgBackRest run holds the lock (the worker's backup?): waiting for it before ${args[0] ?? 'the command'}…`);
      hasSaidWaiting = true;
      await sleep(options.pollMs ?? 2_000);
      continue;
    }
    for (const line of (result.stdout + result.stderr).split('\n')) if (line.trim()) options.onLine?.(line);
    if (result.code !== 0) {
      const words = (result.stderr || result.stdout).trim().split('\n').slice(-6).join('\n');
      throw new OpsError('BACKUP_COMMAND_FAILED', `pgbackrest ${args[0] ?? ''} failed (exit ${result.code}): ${words}`, words);
    }
    return result;
  }
}
