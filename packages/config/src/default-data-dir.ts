import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** Where root's data goes when the checkout sits under a directory other users cannot enter. */
export const SYSTEM_DATA_ROOT = '/var/lib/threadline';

/** The first existing directory on the way to `target` that other users cannot enter, if any. */
export function firstPrivateAncestor(target: string): string | undefined {
  const chain: string[] = [];
  for (let current = path.resolve(target); ; current = path.dirname(current)) {
    chain.unshift(current);
    if (current === path.dirname(current)) break;
  }
  for (const dir of chain) {
    if (!existsSync(dir)) return undefined;
    if ((statSync(dir).mode & 0o001) === 0) return dir;
  }
  return undefined;
}

/**
 * The data directory when THREADLINE_DATA_DIR is not set: `./var`, except for root with the
 * embedded database in a checkout under a private directory (root's home is mode 700). There the
 * PostgreSQL server, which runs as the `postgres` user, could not enter the data directory, and
 * changing the permissions of root's home is not ours to do: the data goes to
 * `/var/lib/threadline/<checkout id>` instead — the same place for every command run from that
 * checkout, since the id is a hash of its path.
 *
 * @example
 * defaultDataDir({ cwd: '/root/shop', isRoot: true, usesEmbeddedDatabase: true }) // '/var/lib/threadline/3f1c…'
 */
export function defaultDataDir(options: { cwd: string; isRoot: boolean; usesEmbeddedDatabase: boolean }): { dir: string; privateAncestor?: string } {
  const local = path.resolve(options.cwd, 'var');
  if (!options.isRoot || !options.usesEmbeddedDatabase) return { dir: local };
  const privateAncestor = firstPrivateAncestor(local);
  if (!privateAncestor) return { dir: local };
  const id = createHash('sha256').update(local).digest('hex').slice(0, 12);
  return { dir: path.join(SYSTEM_DATA_ROOT, id), privateAncestor };
}
