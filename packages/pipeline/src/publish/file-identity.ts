import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * What identifies one file on disk: inode, size, modification and status-change times (nanoseconds).
 * A rename of the folder holding it changes none of them; any write, truncation, replacement
 * or `touch` changes at least one (the status-change time cannot be set back by anyone).
 */
export interface FileIdentity {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** The files of a set of partition folders, by `<dataset>/<partition>/<file>`. */
export type PartitionFiles = Map<string, FileIdentity>;

/** A partition folder and the key its files are listed under (`<dataset>/<partition>`). */
export interface PartitionFolder {
  key: string;
  dir: string;
}

/**
 * Lists the Parquet files of every folder with their identities: the files readers and the
 * quality gate read (`*.parquet`); bookkeeping beside them, such as the S3 upload's partition
 * pointer, is not data. A missing folder lists nothing (the comparison then names its files as missing).
 */
export async function recordPartitionFiles(folders: readonly PartitionFolder[]): Promise<PartitionFiles> {
  // a year of four datasets is over a thousand folders: listed and stat'ed concurrently, in order
  const listed = await Promise.all(
    folders.map(async (folder): Promise<Array<[string, FileIdentity]>> => {
      let names: string[];
      try {
        names = await readdir(folder.dir);
      } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
        throw error;
      }
      const parquet = names.filter((name) => name.endsWith('.parquet')).sort();
      return Promise.all(
        parquet.map(async (name): Promise<[string, FileIdentity]> => {
          const info = await stat(path.join(folder.dir, name), { bigint: true });
          return [`${folder.key}/${name}`, { ino: info.ino, size: info.size, mtimeNs: info.mtimeNs, ctimeNs: info.ctimeNs }];
        }),
      );
    }),
  );
  return new Map(listed.flat());
}

/**
 * How `actual` differs from `expected`: files missing, added, or changed (another inode, size or
 * time). Empty when every file is the very one recorded.
 */
export function diffPartitionFiles(expected: PartitionFiles, actual: PartitionFiles): string[] {
  const differences: string[] = [];
  for (const [key, want] of expected) {
    const have = actual.get(key);
    if (!have) differences.push(`${key} is missing`);
    else if (have.ino !== want.ino) differences.push(`${key} was replaced by another file`);
    else if (have.size !== want.size) differences.push(`${key} changed size (${want.size} → ${have.size} bytes)`);
    else if (have.mtimeNs !== want.mtimeNs || have.ctimeNs !== want.ctimeNs) differences.push(`${key} was modified`);
  }
  for (const key of actual.keys()) if (!expected.has(key)) differences.push(`${key} was added`);
  return differences;
}
