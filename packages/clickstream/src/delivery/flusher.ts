import { mkdir, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';

import { CLICKSTREAM_DATASET, CLICKSTREAM_LATE_DATASET, hourPartitionPath, openDuckDb, sqlLiteral, walkFiles, type LakeDb, type LakeStorage } from '@threadline/lake';

import type { StreamPosition, StreamSource } from '../stream/stream.js';
import { PARQUET_OPTIONS, columnList, hourPartitionFromEpochMs, jsonColumnsSpec, selectFromJson } from './columns.js';
import { readJson, removeDurably, writeJsonAtomic } from './state.js';

/**
 * The Firehose part: moves acknowledged events from a stream source into Parquet files under
 * `raw/clickstream/dt=YYYY-MM-DD/hour=HH/` keyed by event time (UTC), exactly once.
 *
 * Protocol (state in `stateDir`, which is local to the source):
 * 1. read payloads after the committed position; write them as Parquet into `staging/flush-N/`
 *    (deduplicated by event id within the batch and against the target partitions);
 * 2. write `manifest.json` = { flush N, file moves, new position } durably — the commit point;
 * 3. move the files into the lake (idempotent), then write `checkpoint.json` with the new
 *    position and N+1, then delete the manifest and release the source.
 * A crash before 2 leaves nothing visible and the batch is read again from the old position; a
 * crash after 2 is rolled forward on restart. Either way every event is delivered once.
 */
export interface FlusherOptions {
  source: StreamSource;
  storage: LakeStorage;
  /** Local directory for checkpoint, manifest and staging. */
  stateDir: string;
  /** Largest batch per flush, in source bytes. Default 64 MiB. */
  maxBytes?: number;
  /** DuckDB threads. */
  threads?: number;
  /** DuckDB memory cap (default the lake's, 2GB); above it DuckDB spills under `stateDir`. */
  memoryLimit?: string;
}

export interface Checkpoint {
  version: 1;
  nextFlush: number;
  position: StreamPosition;
}

interface Move {
  from: string;
  key: string;
}

interface Manifest {
  flush: number;
  moves: Move[];
  position: StreamPosition;
  events: number;
}

export interface FlushResult {
  flush: number;
  events: number;
  late: number;
  duplicates: number;
  files: number;
  partitions: string[];
  bytes: number;
  /** The source had more than `maxBytes` pending: a backlog the next flush should take at once. */
  hasMore: boolean;
  /** Milliseconds per stage: read the source, load + dedupe in DuckDB, check the lake, write Parquet, commit. */
  stages: FlushStages;
}

export interface FlushStages {
  read: number;
  load: number;
  lakeDedupe: number;
  parquet: number;
  commit: number;
}

const EMPTY_CHECKPOINT: Checkpoint = { version: 1, nextFlush: 1, position: {} };

export class ClickstreamFlusher {
  private readonly source: StreamSource;
  private readonly storage: LakeStorage;
  private readonly stateDir: string;
  private readonly maxBytes: number;
  private readonly threads: number | undefined;
  private readonly memoryLimit: string | undefined;
  private db: LakeDb | undefined;

  constructor(options: FlusherOptions) {
    this.source = options.source;
    this.storage = options.storage;
    this.stateDir = options.stateDir;
    this.maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    this.threads = options.threads;
    this.memoryLimit = options.memoryLimit;
  }

  private get checkpointFile(): string {
    return path.join(this.stateDir, 'checkpoint.json');
  }

  private get manifestFile(): string {
    return path.join(this.stateDir, 'manifest.json');
  }

  /** Rolls forward a flush that committed its manifest before a crash; discards other staging. */
  async recover(): Promise<{ rolledForward: number | undefined }> {
    const manifest = parseManifest(await readJson(this.manifestFile));
    let rolledForward: number | undefined;
    if (manifest) {
      await this.finish(manifest);
      rolledForward = manifest.flush;
    }
    await rm(path.join(this.stateDir, 'staging'), { recursive: true, force: true });
    return { rolledForward };
  }

  async checkpoint(): Promise<Checkpoint> {
    return parseCheckpoint(await readJson(this.checkpointFile)) ?? EMPTY_CHECKPOINT;
  }

  /** One flush of up to maxBytes; returns undefined when nothing was pending. */
  async flushOnce(): Promise<FlushResult | undefined> {
    let mark = performance.now();
    const lap = (): number => {
      const now = performance.now();
      const ms = Math.round(now - mark);
      mark = now;
      return ms;
    };
    const checkpoint = await this.checkpoint();
    const batch = await this.source.read(checkpoint.position, this.maxBytes);
    if (batch.payloads.length === 0) {
      if (batch.bytes > 0) await this.commit({ flush: checkpoint.nextFlush, moves: [], position: batch.position, events: 0 });
      return undefined;
    }
    const flush = checkpoint.nextFlush;
    const staging = path.join(this.stateDir, 'staging', `flush-${pad(flush)}`);
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const input = path.join(staging, 'input.ndjson');
    await writePayloads(input, batch.payloads);
    const read = lap();

    const db = await this.openDb();
    // dt/hour straight from the spool's epoch milliseconds (integer arithmetic, a third of the cost
    // of strftime on a timestamp); in the SELECT list `event_time` is still the JSON's BIGINT
    await db.run(
      `CREATE OR REPLACE TEMP TABLE batch AS
       SELECT ${selectFromJson()}, ${hourPartitionFromEpochMs('event_time')}
       FROM read_json(${sqlLiteral(input)}, format = 'newline_delimited', columns = ${jsonColumnsSpec()})`,
    );
    // repeats within the batch (a retried beacon that reached another API process) are rare: a
    // distinct count (a hash of one column) decides whether the window over every row is needed
    const [{ repeats = 0 } = {}] = await db.all<{ repeats: number }>('SELECT (count(*) - count(DISTINCT event_id))::INTEGER AS repeats FROM batch');
    if (repeats > 0) {
      await db.run('CREATE OR REPLACE TEMP TABLE batch AS SELECT * FROM batch QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY received_at) = 1');
    }
    const inputLines = countLines(batch.payloads);
    const partitions = await db.all<{ dt: string; hour: string }>('SELECT DISTINCT dt, hour FROM batch ORDER BY dt, hour');
    const load = lap();

    // Duplicates of events already in the lake (a client retry after a lost 202, a replay) are
    // dropped here; same id ⇒ same event time ⇒ same hour partition, so only those are read.
    const latePartitions: string[] = [];
    const existing: string[] = [];
    for (const { dt, hour } of partitions) {
      const rel = hourPartitionPath({ dt, hour: Number(hour) });
      const keys = [...(await this.storage.list(`raw/${CLICKSTREAM_DATASET}/${rel}/`)), ...(await this.storage.list(`raw/${CLICKSTREAM_LATE_DATASET}/${rel}/`))].filter((k) => k.endsWith('.parquet'));
      if (keys.some((k) => path.posix.basename(k).startsWith('compacted-'))) latePartitions.push(`${dt}/${hour}`);
      for (const key of keys) existing.push(await this.readable(key, staging));
    }
    if (existing.length > 0) {
      await db.run(`DELETE FROM batch WHERE event_id IN (SELECT event_id FROM read_parquet([${existing.map(sqlLiteral).join(', ')}]))`);
    }
    await db.run('CREATE OR REPLACE TEMP TABLE late_parts (p VARCHAR)');
    for (const p of latePartitions) await db.run('INSERT INTO late_parts VALUES (?)', [p]);
    const [{ kept = 0, late = 0 } = {}] = await db.all<{ kept: number; late: number }>(
      "SELECT count(*)::INTEGER AS kept, count(*) FILTER (WHERE dt || '/' || hour IN (SELECT p FROM late_parts))::INTEGER AS late FROM batch",
    );

    const lakeDedupe = lap();

    const pattern = `flush-${pad(flush)}-{i}`;
    // each dataset's COPY only when it gets rows; without late partitions, no per-row filter at all
    const copies = [
      { dataset: CLICKSTREAM_DATASET, rows: kept - late, where: late === 0 ? '' : "WHERE NOT (dt || '/' || hour IN (SELECT p FROM late_parts))" },
      { dataset: CLICKSTREAM_LATE_DATASET, rows: late, where: late === kept ? '' : "WHERE dt || '/' || hour IN (SELECT p FROM late_parts)" },
    ];
    for (const { dataset, rows, where } of copies) {
      if (rows === 0) continue;
      const out = path.join(staging, dataset);
      // no ORDER BY: a flush file holds at most ~100k rows (one row group, so nothing to prune
      // within it), and the compactor keeps each finished hour in flush order
      await db.run(
        `COPY (SELECT ${columnList()}, dt, hour FROM batch ${where})
         TO ${sqlLiteral(out)} (${PARQUET_OPTIONS}, PARTITION_BY (dt, hour), FILENAME_PATTERN ${sqlLiteral(pattern)}, OVERWRITE_OR_IGNORE)`,
      );
    }
    await rm(input, { force: true });
    const moves: Move[] = [];
    for (const dataset of [CLICKSTREAM_DATASET, CLICKSTREAM_LATE_DATASET]) {
      for (const file of await walkFiles(path.join(staging, dataset))) {
        const rel = path.relative(path.join(staging, dataset), file).split(path.sep).join('/');
        moves.push({ from: file, key: `raw/${dataset}/${rel}` });
      }
    }
    const parquet = lap();
    const manifest: Manifest = { flush, moves, position: batch.position, events: kept };
    await this.commit(manifest);
    const commit = lap();
    return {
      flush,
      events: kept,
      late,
      duplicates: inputLines - kept,
      files: moves.length,
      partitions: partitions.map((p) => `dt=${p.dt}/hour=${p.hour}`),
      bytes: batch.bytes,
      hasMore: batch.hasMore,
      stages: { read, load, lakeDedupe, parquet, commit },
    };
  }

  /** Flushes until the source is drained (or `maxRounds`), e.g. on shutdown or in tests. */
  async drain(maxRounds = 1000): Promise<FlushResult[]> {
    const results: FlushResult[] = [];
    for (let i = 0; i < maxRounds; i += 1) {
      const result = await this.flushOnce();
      if (!result) break;
      results.push(result);
    }
    return results;
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }

  private async commit(manifest: Manifest): Promise<void> {
    await writeJsonAtomic(this.manifestFile, manifest);
    await this.finish(manifest);
  }

  private async finish(manifest: Manifest): Promise<void> {
    for (const move of manifest.moves) {
      if (await pathExists(move.from)) await this.storage.put(move.from, move.key);
      else if (!(await this.storage.exists(move.key))) {
        throw new Error(`flush ${manifest.flush}: ${move.key} is neither staged nor in the lake`);
      }
    }
    const checkpoint: Checkpoint = { version: 1, nextFlush: manifest.flush + 1, position: manifest.position };
    await writeJsonAtomic(this.checkpointFile, checkpoint);
    await removeDurably(this.manifestFile);
    await rm(path.join(this.stateDir, 'staging', `flush-${pad(manifest.flush)}`), { recursive: true, force: true });
    await this.source.release(manifest.position);
  }

  private async readable(key: string, staging: string): Promise<string> {
    const local = this.storage.localPath(key);
    if (local) return local;
    const file = path.join(staging, 'existing', key.replaceAll('/', '__'));
    await mkdir(path.dirname(file), { recursive: true });
    await this.storage.download(key, file);
    return file;
  }

  private async openDb(): Promise<LakeDb> {
    if (!this.db) {
      const db = await openDuckDb({
        threads: this.threads,
        memoryLimit: this.memoryLimit,
        tempDirectory: path.join(this.stateDir, 'duckdb-tmp'),
        label: 'clickstream-flush',
        // each file is read once here: DuckDB's file cache would only grow in this long-lived database
        cacheFiles: false,
      });
      // nothing here depends on row order (dedupe orders explicitly): let scans and COPY run in parallel
      await db.run('SET preserve_insertion_order = false');
      this.db = db;
    }
    return this.db;
  }
}

function pad(n: number): string {
  return String(n).padStart(10, '0');
}

/** Writes the payloads one after another (vectored writes, no concatenated copy of the batch). */
async function writePayloads(file: string, payloads: Buffer[]): Promise<void> {
  const handle = await open(file, 'w');
  try {
    // IOV_MAX is 1024 on Linux; writev loops over partial writes itself
    for (let i = 0; i < payloads.length; i += 1024) await handle.writev(payloads.slice(i, i + 1024));
  } finally {
    await handle.close();
  }
}

function countLines(payloads: Buffer[]): number {
  let lines = 0;
  for (const p of payloads) {
    for (let i = p.indexOf(10); i !== -1; i = p.indexOf(10, i + 1)) lines += 1;
  }
  return lines;
}

async function pathExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseCheckpoint(value: unknown): Checkpoint | undefined {
  if (!isRecord(value) || value.version !== 1 || typeof value.nextFlush !== 'number' || !isRecord(value.position)) return undefined;
  // validated shape: position is a JSON object written by this class
  return { version: 1, nextFlush: value.nextFlush, position: value.position as StreamPosition };
}

function parseManifest(value: unknown): Manifest | undefined {
  if (!isRecord(value) || typeof value.flush !== 'number' || !Array.isArray(value.moves) || !isRecord(value.position)) return undefined;
  const moves: Move[] = [];
  for (const m of value.moves) {
    if (!isRecord(m) || typeof m.from !== 'string' || typeof m.key !== 'string') throw new Error('corrupt flush manifest');
    moves.push({ from: m.from, key: m.key });
  }
  // validated shape: position is a JSON object written by this class
  return { flush: value.flush, moves, position: value.position as StreamPosition, events: typeof value.events === 'number' ? value.events : 0 };
}
