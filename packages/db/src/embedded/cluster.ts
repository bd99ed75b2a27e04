import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { connectClient, withClient } from '../pool.js';
import { findBlockedAncestor, pgProgram, postgresUserIds, reachableBinDir, type OsIds } from './binaries.js';
import { GROUP_COMMIT_SETTINGS } from './group-commit.js';

/** Superuser of every embedded cluster. */
export const EMBEDDED_USER = 'threadline';
export const EMBEDDED_DATABASE = 'threadline';

export interface EmbeddedClusterOptions {
  /** Cluster directory (PGDATA). */
  dir: string;
  port: number;
  password: string;
  /** Extra `-c name=value` server settings (WAL archiving, etc.). */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

/**
 * A cluster the server cannot use as configured (its directory is out of the `postgres` user's
 * reach, or its port is taken). Messages are one line and say what to do.
 */
export class EmbeddedClusterError extends Error {
  readonly kind = 'unavailable';
  constructor(
    readonly code: 'CLUSTER_DIR_UNREACHABLE' | 'INITDB_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmbeddedClusterError';
  }
}

/** The directory holding the cluster's neighbours (binaries mirror, socket dir): the data directory. */
function clusterHome(dir: string): string {
  return path.dirname(path.resolve(dir));
}

function assertReachable(dir: string, ids: OsIds | undefined): void {
  if (!ids) return;
  const blocked = findBlockedAncestor(dir, ids);
  if (blocked) {
    throw new EmbeddedClusterError(
      'CLUSTER_DIR_UNREACHABLE',
      `PostgreSQL runs as the postgres user, who cannot enter ${blocked}: set THREADLINE_DATA_DIR to a directory it can reach (for example /var/lib/threadline)`,
    );
  }
}

/** True when `dir` already holds an initialised cluster. */
export function isClusterInitialised(dir: string): boolean {
  return existsSync(path.join(dir, 'PG_VERSION'));
}

/**
 * Creates the cluster on first use (initdb) and leaves an existing one alone. As root the
 * server's files belong to the `postgres` OS user (created when missing), and the binaries it runs
 * are mirrored next to the cluster so a checkout in a private directory works.
 */
export async function initialiseCluster(options: EmbeddedClusterOptions): Promise<boolean> {
  if (isClusterInitialised(options.dir)) return false;
  const ids = postgresUserIds();
  const home = clusterHome(options.dir);
  mkdirSync(home, { recursive: true });
  assertReachable(home, ids);
  const binDir = await reachableBinDir({ home });
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  if (ids) chownSync(options.dir, ids.uid, ids.gid);
  const passwordFile = path.join(home, `.pg-password-${process.pid}`);
  writeFileSync(passwordFile, `${options.password}\n`, { mode: 0o600 });
  if (ids) chownSync(passwordFile, ids.uid, ids.gid);
  try {
    const output = await runProgram(pgProgram(binDir, 'initdb'), [
      `--pgdata=${path.resolve(options.dir)}`,
      '--auth=scram-sha-256',
      `--username=${EMBEDDED_USER}`,
      `--pwfile=${passwordFile}`,
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--data-checksums',
    ], ids);
    for (const line of output.split('\n')) if (line.trim()) options.onLog?.(line);
  } catch (error) {
    throw new EmbeddedClusterError('INITDB_FAILED', `initdb failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    rmSync(passwordFile, { force: true });
  }
  return true;
}

function runProgram(program: string, args: string[], ids: OsIds | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { ...(ids ?? {}), cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(program)} exited with ${code}: ${output.trim().split('\n').slice(-3).join(' / ')}`))));
  });
}

/** PostgreSQL's own severity of one log line, so WARNING and ERROR lines are not logged as info. */
export function pgLogLevel(line: string): 'debug' | 'info' | 'warn' | 'error' {
  // a connection refused while the server starts or stops (the launcher's readiness probe, a pool
  // reconnecting during Ctrl-C) is expected, not an error of the server
  if (/\bFATAL:\s+the database system is (starting up|shutting down|not yet accepting connections)/.test(line)) return 'debug';
  const match = /\b(DEBUG\d?|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|STATEMENT|CONTEXT):\s/.exec(line);
  switch (match?.[1]) {
    case 'WARNING':
      return 'warn';
    case 'ERROR':
    case 'FATAL':
    case 'PANIC':
      return 'error';
    case undefined:
    case 'LOG':
    case 'INFO':
    case 'NOTICE':
    case 'DETAIL':
    case 'HINT':
    case 'STATEMENT':
    case 'CONTEXT':
      return 'info';
    default:
      return 'debug';
  }
}

export interface RunningCluster {
  process: ChildProcess;
  url: string;
  /**
   * Fast shutdown (SIGINT); resolves when the server has exited. With `immediateAfterMs`, a server
   * still running that long after is shut down immediately (SIGQUIT: no checkpoint, crash
   * recovery at its next start, no committed transaction lost).
   */
  stop(options?: { immediateAfterMs?: number }): Promise<void>;
}

/**
 * The directory holding a cluster's unix socket: `run` beside its data directory. The primary
 * and its standby share it; each server's socket file is named after its own port
 * (`.s.PGSQL.<port>`), so every cluster of a data directory is reached at its port as over TCP.
 */
export function embeddedSocketDir(dir: string): string {
  return path.join(clusterHome(dir), 'run');
}

/** sun_path holds 108 bytes, the terminating NUL included. */
const SOCKET_PATH_MAX = 107;

/** The unix socket path of the server on `port` in `socketDir`, or null when it is too long for a socket address. */
export function embeddedSocketPath(socketDir: string, port: number): string | null {
  const socket = path.join(path.resolve(socketDir), `.s.PGSQL.${port}`);
  return Buffer.byteLength(socket) <= SOCKET_PATH_MAX ? socket : null;
}

/**
 * Connection URL of an embedded cluster. With `socketDir` (the server runs on this machine, see
 * embeddedSocketDir) it goes over the server's unix socket, which costs each statement less
 * CPU on both sides than loopback TCP; without it, or when the socket path is too long for a
 * socket address, over TCP on loopback. The same port names the server either way.
 */
export function embeddedUrl(port: number, password: string, database = EMBEDDED_DATABASE, options: { socketDir?: string | undefined } = {}): string {
  const socketDir = options.socketDir === undefined ? null : path.resolve(options.socketDir);
  const host = socketDir !== null && embeddedSocketPath(socketDir, port) !== null ? encodeURIComponent(socketDir) : '127.0.0.1';
  return `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@${host}:${port}/${database}`;
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}) during start`);
    try {
      const client = await connectClient({ connectionString: url.replace(/\/[^/]*$/, '/postgres'), connectionTimeoutMillis: 5_000 });
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await sleep(100);
    }
  }
  throw new Error(`postgres not ready after ${timeoutMs} ms: ${String(lastError)}`);
}

/**
 * Starts the PostgreSQL server of an initialised cluster as a child process on loopback, waits
 * until it accepts connections and makes sure the `threadline` database exists.
 */
export async function startCluster(options: EmbeddedClusterOptions): Promise<RunningCluster> {
  const ids = postgresUserIds();
  const home = clusterHome(options.dir);
  assertReachable(home, ids);
  const postgres = pgProgram(await reachableBinDir({ home }), 'postgres');
  const socketDir = embeddedSocketDir(options.dir);
  mkdirSync(socketDir, { recursive: true });
  if (ids) chownSync(socketDir, ids.uid, ids.gid);
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: path.resolve(socketDir),
    max_connections: '200',
    shared_buffers: '256MB',
    ...GROUP_COMMIT_SETTINGS,
    ...options.settings,
  };
  const args = ['-D', options.dir, '-p', String(options.port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(postgres, args, {
    ...(ids ?? {}),
    cwd: '/',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) options.onLog?.(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // over the socket: this process and the tiers it hands the URL to run beside the server
  const url = embeddedUrl(options.port, options.password, EMBEDDED_DATABASE, { socketDir });
  try {
    await waitUntilReady(url, child, 60_000);
    await ensureDatabase(url);
  } catch (error) {
    child.kill('SIGINT');
    await exited;
    throw error;
  }
  return {
    process: child,
    url,
    async stop(stopOptions = {}) {
      const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
      if (isRunning()) child.kill('SIGINT');
      const { immediateAfterMs } = stopOptions;
      const escalation =
        immediateAfterMs === undefined
          ? undefined
          : setTimeout(() => {
              if (!isRunning()) return;
              options.onLog?.(`fast shutdown still running after ${immediateAfterMs} ms: immediate shutdown (SIGQUIT)`);
              child.kill('SIGQUIT');
            }, immediateAfterMs);
      await exited;
      clearTimeout(escalation);
    },
  };
}

/** Creates the database named in `url` when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  await withClient({ connectionString: url.replace(/\/[^/]*$/, '/postgres') }, async (admin) => {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  });
}
