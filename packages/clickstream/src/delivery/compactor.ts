import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { openDuckDb, sqlLiteral, type LakeDb, CLICKSTREAM_DATASET, CLICKSTREAM_LATE_DATASET, hourPartitionPath, parseHourPartition, type LakeStorage } from '@threadline/lake';

import { PARQUET_OPTIONS, columnList } from './columns.js';
import { localFiles, rebuildDayRollup } from './rollup.js';
import { readJson, removeDurably, writeJsonAtomic } from './state.js';

/**
 * Compacts each finished hour partition into one file (`compacted-<stamp>.parquet`, deduplicated
 * by event id, rows in flush order) and merges late events into it, then rebuilds that hour's
 * rows of the day's rollup. Small per-flush files never stay behind: 90 days are ~2,160 files, not tens of thousands.
 *
 * Crash safety: the new file is staged, a manifest { add, remove } is written durably, then the
 * file is put and the inputs deleted; a restart replays the manifest. Readers may see the
 * compacted file and its inputs together for the milliseconds between put and delete; the
 * compacted file holds the same ids, which is why queries over raw files dedupe by event_id
 * (and dashboards read the rollup, rebuilt after the delete).
 *
 * Memory: the compactor's DuckDB has a memory cap of its own (`memoryLimit`,
 * THREADLINE_COMPACT_MEMORY, default 192MB), one thread (`threads`) and spills under
 * `<stateDir>/duckdb-tmp`. The hour is streamed into its file in the order of its files (flush
 * order), not sorted: see `writeCompacted`. Repeated event ids are found on the id column alone,
 * a share of the ids per pass, and only the first received copy of each — named by file and row —
 * is kept, so neither a window over every column of the hour (which cannot spill: at a 256MB cap
 * it ran out of memory on an hour of the soak) nor one hash table of every id of the hour is built.
 * The database is closed after each compaction round, giving back its buffers. An hour of the soak
 * (3M events) is measured by `bench/compaction-probe.ts` (docs/clickstream.md).
 */
export interface CompactorOptions {
  storage: LakeStorage;
  /** Local work directory (staging + manifest). */
  stateDir: string;
  /** An hour is compacted this long after it ends. */
  compactAfterMs: number;
  /** DuckDB threads (default 1: compaction runs in the background, and each thread's sort state costs memory). */
  threads?: number;
  /** DuckDB memory cap (default `DEFAULT_COMPACT_MEMORY`); above it DuckDB spills under `stateDir`. */
  memoryLimit?: string;
  now?: () => number;
}

/** The compactor's DuckDB memory cap unless configured (THREADLINE_COMPACT_MEMORY). */
export const DEFAULT_COMPACT_MEMORY = '192MB';

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
    // each rebuild closes the database after it, which also gives back the compaction's buffers
    for (const [dt, dayHours] of hours) await this.rebuildRollup(dt, dayHours);
    return { compacted, rollupDays: [...hours.keys()], rollupHours: hours };
  }

  /**
   * Rebuilds a day's rollup: only `hours` (UTC) when given, else the whole day. Closes the database
   * after it: kept open between the minute's rebuilds it held what the allocator kept, and in the
   * soak of 7 Dec 2026 21:00 UTC the worker's floor crept ~1 MB/min from the nightly pipeline to the
   * next compaction; reopening costs little.
   */
  async rebuildRollup(dt: string, hours?: readonly number[]): Promise<number> {
    try {
      return await rebuildDayRollup(await this.openDb(), this.options.storage, path.join(this.options.stateDir, 'rollup-staging'), dt, { hours });
    } finally {
      this.close();
    }
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
    // the hour's files in the order they were written (a previous `compacted-` file, then `flush-<n>`
    // files by number), then its late files: the order the compacted file keeps
    const inputs = [
      ...(await storage.list(`raw/${CLICKSTREAM_DATASET}/${rel}/`)).sort(),
      ...(await storage.list(`raw/${CLICKSTREAM_LATE_DATASET}/${rel}/`)).sort(),
    ].filter((k) => k.endsWith('.parquet'));
    const staging = path.join(this.options.stateDir, 'compact-staging', `${dt}-${hour}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const files = await localFiles(storage, inputs, staging);
    const stamp = `${this.now()}-${process.pid}`;
    const out = path.join(staging, `compacted-${stamp}.parquet`);
    const db = await this.openDb();
    await writeCompacted(db, files, out);
    const [row] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM read_parquet(?)', [out]);
    const manifest: CompactManifest = { partition: rel, add: { from: out, key: `raw/${CLICKSTREAM_DATASET}/${rel}/compacted-${stamp}.parquet` }, remove: inputs };
    await writeJsonAtomic(this.manifestFile, manifest);
    await this.finish(manifest);
    await rm(staging, { recursive: true, force: true });
    return { partition: rel, inputs: inputs.length, rows: row?.n ?? 0 };
  }

  /** The caps of the compactor's DuckDB as DuckDB reports them (the worker logs them at start). */
  async duckDbCaps(): Promise<{ memoryLimit: string; threads: number; tempDirectory: string }> {
    const [row] = await (await this.openDb()).all<{ memory: string; threads: bigint; temp: string }>(
      "SELECT current_setting('memory_limit') AS memory, current_setting('threads') AS threads, current_setting('temp_directory') AS temp",
    );
    return { memoryLimit: row?.memory ?? '', threads: Number(row?.threads ?? 0), tempDirectory: row?.temp ?? '' };
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
      threads: this.options.threads ?? 1,
      memoryLimit: this.options.memoryLimit ?? DEFAULT_COMPACT_MEMORY,
      tempDirectory: path.join(this.options.stateDir, 'duckdb-tmp'),
      label: 'clickstream-compact',
      // each file is read once here: DuckDB's file cache would only grow in this long-lived database
      cacheFiles: false,
    });
    return this.db;
  }
}

/**
 * Writes the events of `files` into `out`, one row per event id (its first received copy), in the
 * order of `files` and of each file's rows when `db` has one thread, as the compactor's has — the
 * flusher's order, so each row group holds a couple of minutes' flushes and its event-time
 * statistics stay narrow for readers to prune on (more threads interleave neighbouring row groups:
 * the same events, less tidy). No sort:
 * sorting the hour on event time held DuckDB at its cap, spilled ~0.9 GB and cost most of the
 * compaction's CPU, for row groups that are pruned on the same minutes either way.
 * Repeated ids are found on the id column alone, in passes over a share of the ids each
 * (`hash(event_id) % passes`, about `idsPerPass` ids per pass, so the aggregate's hash table stays
 * small; one hash table of every id of an hour took +210 MB). For each repeated id the first
 * received copy is named by file and row number (ties broken arbitrarily, exactly one kept), and
 * every other copy is left out as the rows stream through; without repeats (the flusher already
 * drops ids its partition holds) the files are copied as they are.
 */
export async function writeCompacted(db: LakeDb, files: readonly string[], out: string, options: { idsPerPass?: number } = {}): Promise<void> {
  const list = `[${files.map(sqlLiteral).join(', ')}]`;
  // the row counts come from the files' footers
  const [total] = await db.all<{ rows: number }>(`SELECT count(*)::INTEGER AS rows FROM read_parquet(${list}, hive_partitioning = false)`);
  const passes = Math.max(1, Math.ceil((total?.rows ?? 0) / (options.idsPerPass ?? IDS_PER_PASS)));
  // nothing asks DuckDB to keep an order: with one thread (the compactor's) it reads the files in
  // turn, each from its first row, and the copy streams them in that order; keeping insertion
  // order would make the copy hold whole row groups back (it ran out of memory at a 64MB cap)
  await db.run('SET preserve_insertion_order = false');
  await db.run('CREATE OR REPLACE TEMP TABLE compact_repeated_ids (event_id UUID)');
  try {
    for (let pass = 0; pass < passes; pass += 1) {
      await db.run(
        `INSERT INTO compact_repeated_ids
           SELECT event_id FROM read_parquet(${list}, hive_partitioning = false)
            WHERE hash(event_id) % ${passes} = ${pass} GROUP BY event_id HAVING count(*) > 1`,
      );
    }
    const [repeated] = await db.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM compact_repeated_ids');
    if ((repeated?.n ?? 0) === 0) {
      await db.run(`COPY (SELECT ${columnList()} FROM read_parquet(${list}, hive_partitioning = false)) TO ${sqlLiteral(out)} (${PARQUET_OPTIONS})`);
      return;
    }
    await db.run(
      `CREATE OR REPLACE TEMP TABLE compact_first_copies AS
         SELECT event_id, arg_min({'file': filename, 'row': file_row_number}, received_at) AS first
           FROM read_parquet(${list}, hive_partitioning = false, filename = true, file_row_number = true)
          WHERE event_id IN (SELECT event_id FROM compact_repeated_ids)
          GROUP BY event_id`,
    );
    await db.run(
      `COPY (SELECT ${columnList()}
               FROM read_parquet(${list}, hive_partitioning = false, filename = true, file_row_number = true) e
               LEFT JOIN compact_first_copies d USING (event_id)
              WHERE d.event_id IS NULL OR (e.filename = d.first.file AND e.file_row_number = d.first.row))
         TO ${sqlLiteral(out)} (${PARQUET_OPTIONS})`,
    );
  } finally {
    await db.run('DROP TABLE IF EXISTS compact_first_copies');
    await db.run('DROP TABLE IF EXISTS compact_repeated_ids');
    await db.run('RESET preserve_insertion_order');
  }
}

/** Event ids per pass when looking for repeated ids (`writeCompacted`): one pass per this many events. */
const IDS_PER_PASS = 500_000;

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
