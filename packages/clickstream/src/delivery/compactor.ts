import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { openDuckDb, sqlLiteral, type LakeDb, CLICKSTREAM_DATASET, CLICKSTREAM_LATE_DATASET, hourPartitionPath, parseHourPartition, type LakeStorage } from '@threadline/lake';

import { PARQUET_OPTIONS, columnList } from './columns.js';
import { localFiles, rebuildDayRollup } from './rollup.js';
import { readJson, removeDurably, writeJsonAtomic } from './state.js';

/**
 * Compacts each finished hour partition into one file (`compacted-<stamp>.parquet`, deduplicated
 * by event id, sorted by event time) and merges late events into it, then rebuilds that hour's
 * rows of the day's rollup. Small per-flush files never stay behind: 90 days are ~2,160 files, not tens of thousands.
 *
 * Crash safety: the new file is staged, a manifest { add, remove } is written durably, then the
 * file is put and the inputs deleted; a restart replays the manifest. Readers may see the
 * compacted file and its inputs together for the milliseconds between put and delete; the
 * compacted file holds the same ids, which is why queries over raw files dedupe by event_id
 * (and dashboards read the rollup, rebuilt after the delete).
 */
export interface CompactorOptions {
  storage: LakeStorage;
  /** Local work directory (staging + manifest). */
  stateDir: string;
  /** An hour is compacted this long after it ends. */
  compactAfterMs: number;
  threads?: number;
  /** DuckDB memory cap (default the lake's, 2GB); above it DuckDB spills under `stateDir`. */
  memoryLimit?: string;
  now?: () => number;
}

interface CompactManifest {
  partition: string;
  add: { from: string; key: string };
  remove: string[];
}

export interface CompactionResult {
  partition: string;
  inputs: number;
  rows: number;
}

export class ClickstreamCompactor {
  private db: LakeDb | undefined;
  private readonly now: () => number;

  constructor(private readonly options: CompactorOptions) {
    this.now = options.now ?? Date.now;
  }

  private get manifestFile(): string {
    return path.join(this.options.stateDir, 'compact-manifest.json');
  }

  /** Replays an interrupted compaction. */
  async recover(): Promise<void> {
    const manifest = parseManifest(await readJson(this.manifestFile));
    if (manifest) await this.finish(manifest);
    await rm(path.join(this.options.stateDir, 'compact-staging'), { recursive: true, force: true });
  }

  /** Compacts every due partition, then rebuilds the rollup rows of the hours touched. */
  async compactDue(): Promise<{ compacted: CompactionResult[]; rollupDays: string[]; rollupHours: Map<string, number[]> }> {
    const due = await this.duePartitions();
    const compacted: CompactionResult[] = [];
    const hours = new Map<string, number[]>();
    for (const partition of due) {
      compacted.push(await this.compactPartition(partition.dt, partition.hour));
      hours.set(partition.dt, [...(hours.get(partition.dt) ?? []), partition.hour]);
    }
    for (const [dt, dayHours] of hours) await this.rebuildRollup(dt, dayHours);
    return { compacted, rollupDays: [...hours.keys()], rollupHours: hours };
  }

  /** Rebuilds a day's rollup: only `hours` (UTC) when given, else the whole day. */
  async rebuildRollup(dt: string, hours?: readonly number[]): Promise<number> {
    return rebuildDayRollup(await this.openDb(), this.options.storage, path.join(this.options.stateDir, 'rollup-staging'), dt, { hours });
  }

  /** Hour partitions past their grace period holding more than one file or late events. */
  async duePartitions(): Promise<Array<{ dt: string; hour: number }>> {
    const groups = new Map<string, { dt: string; hour: number; main: string[]; late: string[] }>();
    for (const [dataset, field] of [
      [CLICKSTREAM_DATASET, 'main'],
      [CLICKSTREAM_LATE_DATASET, 'late'],
    ] as const) {
      for (const key of await this.options.storage.list(`raw/${dataset}/`)) {
        if (!key.endsWith('.parquet')) continue;
        const p = parseHourPartition(key);
        if (!p) continue;
        const id = `${p.dt}/${p.hour}`;
        const group = groups.get(id) ?? { ...p, main: [], late: [] };
        group[field].push(key);
        groups.set(id, group);
      }
    }
    const cutoff = this.now() - this.options.compactAfterMs;
    const due: Array<{ dt: string; hour: number }> = [];
    for (const group of groups.values()) {
      const hourEnd = Date.parse(`${group.dt}T00:00:00Z`) + (group.hour + 1) * 3600_000;
      if (hourEnd > cutoff) continue;
      const isCompact = group.main.length === 1 && path.posix.basename(group.main[0] ?? '').startsWith('compacted-');
      if (!isCompact || group.late.length > 0) due.push({ dt: group.dt, hour: group.hour });
    }
    return due.sort((a, b) => (a.dt === b.dt ? a.hour - b.hour : a.dt < b.dt ? -1 : 1));
  }

  async compactPartition(dt: string, hour: number): Promise<CompactionResult> {
    const rel = hourPartitionPath({ dt, hour });
    const { storage } = this.options;
    const inputs = [...(await storage.list(`raw/${CLICKSTREAM_DATASET}/${rel}/`)), ...(await storage.list(`raw/${CLICKSTREAM_LATE_DATASET}/${rel}/`))].filter((k) => k.endsWith('.parquet'));
    const staging = path.join(this.options.stateDir, 'compact-staging', `${dt}-${hour}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const files = await localFiles(storage, inputs, staging);
    const stamp = `${this.now()}-${process.pid}`;
    const out = path.join(staging, `compacted-${stamp}.parquet`);
    const db = await this.openDb();
    await db.run(
      `COPY (SELECT ${columnList()} FROM read_parquet([${files.map(sqlLiteral).join(', ')}], hive_partitioning = false)
             QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_at) = 1 ORDER BY event_time)
       TO ${sqlLiteral(out)} (${PARQUET_OPTIONS})`,
    );
    const [row] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM read_parquet(?)', [out]);
    const manifest: CompactManifest = { partition: rel, add: { from: out, key: `raw/${CLICKSTREAM_DATASET}/${rel}/compacted-${stamp}.parquet` }, remove: inputs };
    await writeJsonAtomic(this.manifestFile, manifest);
    await this.finish(manifest);
    await rm(staging, { recursive: true, force: true });
    return { partition: rel, inputs: inputs.length, rows: row?.n ?? 0 };
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  private async finish(manifest: CompactManifest): Promise<void> {
    const { storage } = this.options;
    if (await exists(manifest.add.from)) await storage.put(manifest.add.from, manifest.add.key);
    else if (!(await storage.exists(manifest.add.key))) {
      // staged file lost before it was put: the inputs are still all there, so just forget it
      await removeDurably(this.manifestFile);
      return;
    }
    await storage.delete(manifest.remove.filter((k) => k !== manifest.add.key));
    await removeDurably(this.manifestFile);
  }

  private async openDb(): Promise<LakeDb> {
    this.db ??= await openDuckDb({
      threads: this.options.threads,
      memoryLimit: this.options.memoryLimit,
      tempDirectory: path.join(this.options.stateDir, 'duckdb-tmp'),
      label: 'clickstream-compact',
      // each file is read once here: DuckDB's file cache would only grow in this long-lived database
      cacheFiles: false,
    });
    return this.db;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function parseManifest(value: unknown): CompactManifest | undefined {
  if (typeof value !== 'object' || value === null || !('add' in value) || !('remove' in value) || !('partition' in value)) return undefined;
  const { add, remove, partition } = value;
  if (typeof partition !== 'string' || typeof add !== 'object' || add === null || !('from' in add) || !('key' in add) || !Array.isArray(remove)) return undefined;
  if (typeof add.from !== 'string' || typeof add.key !== 'string' || !remove.every((k): k is string => typeof k === 'string')) return undefined;
  return { partition, add: { from: add.from, key: add.key }, remove };
}
