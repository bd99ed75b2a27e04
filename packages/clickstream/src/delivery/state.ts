import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

import { syncDir } from '@threadline/lake';

/** Writes JSON atomically and durably: temp file, fsync, rename, fsync of the directory. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify(value));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  await syncDir(path.dirname(file));
}

/** Reads a JSON file, or undefined when it does not exist. */
export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function removeDurably(file: string): Promise<void> {
  await rm(file, { force: true });
  await syncDir(path.dirname(file)).catch(() => undefined);
}

/**
 * A lock file holding the owner's pid. A lock left by a dead process is taken over, so a
 * kill -9 never blocks the next start.
 */
export async function acquirePidLock(file: string): Promise<() => Promise<void>> {
  await mkdir(path.dirname(file), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await rm(file, { force: true });
      };
    } catch (error) {
      if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'EEXIST')) throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new Error(`${file} is held by running process ${owner}`);
      }
      await rm(file, { force: true });
    }
  }
  throw new Error(`cannot acquire ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
  }
}
