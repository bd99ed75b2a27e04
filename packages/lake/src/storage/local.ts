import { copyFile, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { LakeError } from '../errors.js';
import { assertKey, type LakeFile, type LakeStorage } from './storage.js';

/** The default lake storage: a directory (`<dataDir>/lake`). Puts are rename + directory fsync. */
export class LocalLakeStorage implements LakeStorage {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  localPath(key: string): string {
    assertKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async put(localFile: string, key: string): Promise<void> {
    const target = this.localPath(key);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      const handle = await open(localFile, 'r+');
      await handle.datasync();
      await handle.close();
      try {
        await rename(localFile, target);
      } catch (error) {
        // staging on another filesystem: copy then rename within the target directory
        if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'EXDEV')) throw error;
        const tmp = `${target}.tmp-${process.pid}`;
        await copyFile(localFile, tmp);
        await rename(tmp, target);
        await rm(localFile, { force: true });
      }
      await syncDir(path.dirname(target));
    } catch (cause) {
      throw new LakeError('STORAGE_FAILED', `cannot put ${key}: ${messageOf(cause)}`, { cause });
    }
  }

  async download(key: string, localFile: string): Promise<void> {
    await copyFile(this.localPath(key), localFile);
  }

  async list(prefix: string): Promise<string[]> {
    return (await this.listFiles(prefix)).map((file) => file.key);
  }

  async listFiles(prefix: string): Promise<LakeFile[]> {
    const base = prefix === '' ? this.root : this.localPath(prefix.replace(/\/$/, ''));
    const files: LakeFile[] = [];
    for (const file of await walkFiles(base)) {
      const info = await stat(file).catch(() => undefined);
      // removed between the listing and the stat (a compaction swapped it): not part of the lake now
      if (!info) continue;
      files.push({ key: path.relative(this.root, file).split(path.sep).join('/'), bytes: info.size, modifiedMs: info.mtimeMs });
    }
    return files;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.localPath(key));
      return true;
    } catch {
      return false;
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const key of keys) {
      const file = this.localPath(key);
      await rm(file, { force: true });
      dirs.add(path.dirname(file));
    }
    for (const dir of dirs) await syncDir(dir).catch(() => undefined);
  }
}

/**
 * Every file below a local directory (recursive), as absolute paths sorted; a missing directory
 * has no files. The one directory walk of the lake: storage listings, staging folders, tests.
 */
export async function walkFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      if (typeof error === 'object' && error !== null && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return;
      throw error;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) files.push(full);
    }
  };
  await walk(dir);
  return files.sort();
}

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
