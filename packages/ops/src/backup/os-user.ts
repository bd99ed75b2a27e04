import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

export interface OsIds {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root, so as root the embedded server runs as `postgres`; pgbackrest
 * reads the data directory and is called by the server's archive_command, so it must be that user
 * too. Undefined when we are not root (then everything runs as the current user).
 */
export function postgresOsIds(): OsIds | undefined {
  if (userInfo().uid !== 0) return undefined;
  try {
    return {
      uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
      gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
    };
  } catch {
    return undefined;
  }
}

/** Creates `dir` (and parents) and hands it, recursively, to the database OS user when we are root. */
export function ensureOwnedDir(dir: string, ids: OsIds | undefined, mode = 0o750): void {
  mkdirSync(dir, { recursive: true, mode });
  if (ids) chownTree(dir, ids);
}

function chownTree(target: string, ids: OsIds): void {
  chownSync(target, ids.uid, ids.gid);
  if (!statSync(target).isDirectory()) return;
  for (const entry of readdirSync(target)) chownTree(path.join(target, entry), ids);
}
