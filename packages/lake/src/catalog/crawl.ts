import type { Pool } from '@threadline/db';

import { findCatalogTable, saveCatalogTable } from './catalog.repo.js';
import type { LakeMirror } from '../storage/mirror.js';
import { scanLake } from './scan-lake.js';
import { diffSchemas, type SchemaChange } from './schema-diff.js';

export interface CrawlReport {
  tables: Array<{ name: string; partitions: number; rows: number; isNew: boolean; changes: SchemaChange[] }>;
  /** Breaking changes (type changed, column removed) found in this crawl. */
  breakingChanges: Array<SchemaChange & { table: string }>;
}

/**
 * Crawls the lake and registers what it finds: new tables, new partitions, row counts, and
 * schema changes against the registered version.
 *
 * @example
 * const report = await crawlLake(pool, lakeFromConfig(config)); // local or S3
 * await crawlLake(pool, lakeDir, { locations: ['raw/survey'] }); // one table only
 */
export async function crawlLake(pool: Pool, lake: string | LakeMirror, options: { locations?: readonly string[] } = {}): Promise<CrawlReport> {
  const report: CrawlReport = { tables: [], breakingChanges: [] };
  for (const table of await scanLake(lake, options)) {
    const existing = await findCatalogTable(pool, table.name);
    const changes = existing ? diffSchemas(existing.columns, table.columns) : [];
    await saveCatalogTable(pool, table, changes);
    report.tables.push({ name: table.name, partitions: table.partitions.length, rows: table.rowCount, isNew: existing === null, changes });
    for (const change of changes) if (change.isBreaking) report.breakingChanges.push({ ...change, table: table.name });
  }
  return report;
}
