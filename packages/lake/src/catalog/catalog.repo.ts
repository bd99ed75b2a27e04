import type { Pool } from '@threadline/db';

import type { CatalogColumn, ScannedTable } from './scan-lake.js';
import type { SchemaChange } from './schema-diff.js';

/** A registered lake table as `threadline catalog list` and the query layer see it. */
export interface CatalogTable {
  name: string;
  location: string;
  format: string;
  columns: CatalogColumn[];
  partitionKeys: string[];
  partitionCount: number;
  fileCount: number;
  rowCount: number;
  sizeBytes: number;
  schemaVersion: number;
  lastModified: Date | null;
  registeredAt: Date;
  updatedAt: Date;
}

export interface CatalogPartition {
  path: string;
  values: Record<string, string>;
  fileCount: number;
  rowCount: number;
  sizeBytes: number;
  lastModified: Date;
}

export interface RecordedSchemaChange extends SchemaChange {
  detectedAt: Date;
}

interface TableRow {
  name: string;
  location: string;
  format: string;
  columns: CatalogColumn[];
  partition_keys: string[];
  partition_count: number;
  file_count: number;
  row_count: number;
  size_bytes: number;
  schema_version: number;
  last_modified: Date | null;
  registered_at: Date;
  updated_at: Date;
}

function toTable(row: TableRow): CatalogTable {
  return {
    name: row.name,
    location: row.location,
    format: row.format,
    columns: row.columns,
    partitionKeys: row.partition_keys,
    partitionCount: row.partition_count,
    fileCount: row.file_count,
    rowCount: row.row_count,
    sizeBytes: row.size_bytes,
    schemaVersion: row.schema_version,
    lastModified: row.last_modified,
    registeredAt: row.registered_at,
    updatedAt: row.updated_at,
  };
}

export async function listCatalogTables(pool: Pool): Promise<CatalogTable[]> {
  const { rows } = await pool.query<TableRow>('SELECT * FROM lake_tables ORDER BY name');
  return rows.map(toTable);
}

export async function findCatalogTable(pool: Pool, name: string): Promise<CatalogTable | null> {
  const { rows } = await pool.query<TableRow>('SELECT * FROM lake_tables WHERE name = $1', [name]);
  return rows[0] ? toTable(rows[0]) : null;
}

export async function listCatalogPartitions(pool: Pool, name: string, limit = 1000): Promise<CatalogPartition[]> {
  const { rows } = await pool.query<{ path: string; values: Record<string, string>; file_count: number; row_count: number; size_bytes: number; last_modified: Date }>(
    `SELECT path, "values", file_count, row_count, size_bytes, last_modified FROM lake_partitions
      WHERE table_name = $1 ORDER BY path DESC LIMIT $2`,
    [name, limit],
  );
  return rows.map((row) => ({ path: row.path, values: row.values, fileCount: row.file_count, rowCount: row.row_count, sizeBytes: row.size_bytes, lastModified: row.last_modified }));
}

export async function listSchemaChanges(pool: Pool, name: string, limit = 50): Promise<RecordedSchemaChange[]> {
  const { rows } = await pool.query<{ change: SchemaChange['change']; column_name: string; old_type: string | null; new_type: string | null; is_breaking: boolean; detected_at: Date }>(
    `SELECT change, column_name, old_type, new_type, is_breaking, detected_at FROM lake_schema_changes
      WHERE table_name = $1 ORDER BY detected_at DESC, id DESC LIMIT $2`,
    [name, limit],
  );
  return rows.map((row) => ({ change: row.change, column: row.column_name, oldType: row.old_type, newType: row.new_type, isBreaking: row.is_breaking, detectedAt: row.detected_at }));
}

/** Writes one scanned table, its partitions and its schema changes in a transaction. */
export async function saveCatalogTable(pool: Pool, table: ScannedTable, changes: readonly SchemaChange[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO lake_tables (name, location, columns, partition_keys, partition_count, file_count, row_count, size_bytes, last_modified)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (name) DO UPDATE SET location = EXCLUDED.location, columns = EXCLUDED.columns,
         partition_keys = EXCLUDED.partition_keys, partition_count = EXCLUDED.partition_count, file_count = EXCLUDED.file_count,
         row_count = EXCLUDED.row_count, size_bytes = EXCLUDED.size_bytes, last_modified = EXCLUDED.last_modified,
         schema_version = lake_tables.schema_version + $10, updated_at = now()`,
      [
        table.name,
        table.location,
        JSON.stringify(table.columns),
        JSON.stringify(table.partitionKeys),
        table.partitions.length,
        table.fileCount,
        table.rowCount,
        table.sizeBytes,
        table.lastModified,
        changes.length > 0 ? 1 : 0,
      ],
    );
    await client.query('DELETE FROM lake_partitions WHERE table_name = $1', [table.name]);
    if (table.partitions.length > 0) {
      await client.query(
        `INSERT INTO lake_partitions (table_name, path, "values", file_count, row_count, size_bytes, last_modified)
         SELECT $1, p.path, p.vals, p.files, p.rows, p.bytes, p.modified
           FROM unnest($2::text[], $3::jsonb[], $4::int[], $5::bigint[], $6::bigint[], $7::timestamptz[]) AS p(path, vals, files, rows, bytes, modified)`,
        [
          table.name,
          table.partitions.map((partition) => partition.path),
          table.partitions.map((partition) => JSON.stringify(partition.values)),
          table.partitions.map((partition) => partition.fileCount),
          table.partitions.map((partition) => partition.rowCount),
          table.partitions.map((partition) => partition.sizeBytes),
          table.partitions.map((partition) => partition.lastModified),
        ],
      );
    }
    for (const change of changes) {
      await client.query(
        `INSERT INTO lake_schema_changes (table_name, change, column_name, old_type, new_type, is_breaking) VALUES ($1, $2, $3, $4, $5, $6)`,
        [table.name, change.change, change.column, change.oldType, change.newType, change.isBreaking],
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
