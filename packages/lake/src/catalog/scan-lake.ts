import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { openDuckDb, readRows, sqlLiteral } from '../duckdb.js';
import { hiveReadOptions, ZONE_DIRS } from '../layout.js';
import type { LakeMirror } from '../storage/mirror.js';

/** A column as the catalog records it. */
export interface CatalogColumn {
  name: string;
  type: string;
  /** True for a Hive partition key (from the folder names, not the files). */
  isPartitionKey: boolean;
}

export interface ScannedPartition {
  /** e.g. `dt=2026-11-24/hour=13` */
  path: string;
  values: Record<string, string>;
  fileCount: number;
  rowCount: number;
  sizeBytes: number;
  lastModified: Date;
}

/** One table found in the lake: where it is, its schema and its partitions. */
export interface ScannedTable {
  name: string;
  /** Lake-relative folder, e.g. `curated/sales`. */
  location: string;
  columns: CatalogColumn[];
  partitionKeys: string[];
  partitions: ScannedPartition[];
  fileCount: number;
  rowCount: number;
  sizeBytes: number;
  lastModified: Date | null;
}

/**
 * Table names for lake folders whose name is not the table name. Every other folder under raw/
 * and curated/ is a table of its own name.
 */
const TABLE_NAMES: Record<string, string> = { 'raw/survey': 'survey_responses' };

const HIVE_SEGMENT = /^([a-z_][a-z0-9_]*)=([^/]+)$/;

interface FoundFile {
  file: string;
  partition: string;
  size: number;
  mtime: Date;
}

async function findParquet(dir: string, partition: string[], found: FoundFile[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('_') || entry.name.startsWith('.')) continue; // bookkeeping, temp files
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (HIVE_SEGMENT.test(entry.name)) await findParquet(full, [...partition, entry.name], found);
      continue;
    }
    if (!entry.name.endsWith('.parquet')) continue;
    const info = await stat(full);
    found.push({ file: full, partition: partition.join('/'), size: info.size, mtime: info.mtime });
  }
}

async function describe(files: FoundFile[], partitionKeys: readonly string[]): Promise<{ columns: Array<{ name: string; type: string }>; rowsByFile: Map<string, number> }> {
  const session = await openDuckDb();
  try {
    const list = `[${files.map((file) => sqlLiteral(file.file)).join(', ')}]`;
    const described = await readRows(session.connection, `DESCRIBE SELECT * FROM read_parquet(${list}, ${hiveReadOptions(partitionKeys)}, union_by_name = true)`);
    const meta = await readRows(session.connection, `SELECT file_name, num_rows FROM parquet_file_metadata(${list})`);
    return {
      columns: described.map((row) => ({ name: String(row.column_name), type: String(row.column_type) })),
      rowsByFile: new Map(meta.map((row) => [String(row.file_name), Number(row.num_rows)])),
    };
  } finally {
    session.close();
  }
}

/**
 * The crawler: walks raw/ and curated/, reads each table's Parquet schema (footers only) and row
 * counts, and discovers its Hive partitions from the folder names. Given a `LakeMirror`, the
 * zones (or only the `locations` asked for) are synced first, so an S3 lake is crawled the same way.
 */
export async function scanLake(lake: string | LakeMirror, options: { locations?: readonly string[] } = {}): Promise<ScannedTable[]> {
  const lakeDir = typeof lake === 'string' ? lake : lake.root;
  if (typeof lake !== 'string') {
    for (const prefix of options.locations ?? [ZONE_DIRS.curated, ZONE_DIRS.raw]) await lake.sync(`${prefix}/`);
  }
  const tables: ScannedTable[] = [];
  for (const zone of [ZONE_DIRS.curated, ZONE_DIRS.raw]) {
    const zoneDir = path.join(lakeDir, zone);
    if (!existsSync(zoneDir)) continue;
    for (const entry of await readdir(zoneDir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('_') || entry.name.startsWith('.')) continue;
      const location = `${zone}/${entry.name}`;
      if (options.locations && !options.locations.includes(location)) continue;
      const name = TABLE_NAMES[location] ?? entry.name;
      if (!/^[a-z][a-z0-9_]*$/.test(name)) continue;
      const files: FoundFile[] = [];
      await findParquet(path.join(zoneDir, entry.name), [], files);
      if (files.length === 0) continue;
      const partitionKeys = [...new Set(files.flatMap((file) => (file.partition ? file.partition.split('/').map((segment) => segment.split('=')[0] ?? '') : [])))];
      const { columns, rowsByFile } = await describe(files, partitionKeys);
      const byPartition = new Map<string, ScannedPartition>();
      for (const file of files) {
        const existing = byPartition.get(file.partition);
        const rows = rowsByFile.get(file.file) ?? 0;
        if (existing) {
          existing.fileCount += 1;
          existing.rowCount += rows;
          existing.sizeBytes += file.size;
          if (file.mtime > existing.lastModified) existing.lastModified = file.mtime;
          continue;
        }
        const values: Record<string, string> = {};
        for (const segment of file.partition ? file.partition.split('/') : []) {
          const match = HIVE_SEGMENT.exec(segment);
          if (match?.[1] && match[2]) values[match[1]] = decodeURIComponent(match[2]);
        }
        byPartition.set(file.partition, { path: file.partition, values, fileCount: 1, rowCount: rows, sizeBytes: file.size, lastModified: file.mtime });
      }
      const partitions = [...byPartition.values()].sort((a, b) => a.path.localeCompare(b.path));
      tables.push({
        name,
        location,
        columns: columns.map((column) => ({ ...column, isPartitionKey: partitionKeys.includes(column.name) })),
        partitionKeys,
        partitions,
        fileCount: files.length,
        rowCount: partitions.reduce((sum, partition) => sum + partition.rowCount, 0),
        sizeBytes: partitions.reduce((sum, partition) => sum + partition.sizeBytes, 0),
        lastModified: files.reduce<Date | null>((latest, file) => (latest === null || file.mtime > latest ? file.mtime : latest), null),
      });
    }
  }
  return tables;
}
