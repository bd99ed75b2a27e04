import type { Command } from 'commander';

import { crawlLake, findCatalogTable, lakeFromConfig, listCatalogPartitions, listCatalogTables, listSchemaChanges } from '@threadline/lake';

import { parseFormat, printRows, withFormat } from '../output.js';
import { loadRuntime, withPool } from '../runtime.js';

export function registerCatalog(program: Command): void {
  const catalog = program.command('catalog').description('the lake catalog: tables, columns, partitions and schema changes (the Glue Data Catalog)');

  withFormat(
    catalog
      .command('list')
      .description('registered lake tables')
      .option('--crawl', 'scan the lake first (otherwise the catalog is as of the last pipeline run)'),
  ).action(async (options: { crawl?: boolean; format?: string }) => {
    const format = parseFormat(options.format);
    const runtime = loadRuntime('catalog');
    await withPool(runtime, async (pool) => {
      if (options.crawl) {
        const report = await crawlLake(pool, lakeFromConfig(runtime.config));
        if (format === 'table') console.log(`crawled: ${report.tables.length} table(s), ${report.breakingChanges.length} breaking schema change(s)\n`);
      }
      const tables = await listCatalogTables(pool);
      printRows(
        tables.map((table) => ({
          name: table.name,
          location: table.location,
          columns: table.columns.length,
          partitionKeys: table.partitionKeys.join(','),
          partitions: table.partitionCount,
          files: table.fileCount,
          rows: table.rowCount,
          sizeBytes: table.sizeBytes,
          schemaVersion: table.schemaVersion,
          lastModified: table.lastModified,
        })),
        format,
      );
    });
  });

  withFormat(catalog.command('show').description('one table: columns, partitions, schema changes').argument('<table>', 'table name, e.g. sales')).action(
    async (name: string, options: { format?: string }) => {
      const format = parseFormat(options.format);
      const runtime = loadRuntime('catalog');
      await withPool(runtime, async (pool) => {
        const table = await findCatalogTable(pool, name);
        if (!table) {
          const known = (await listCatalogTables(pool)).map((item) => item.name);
          throw new Error(`no table "${name}" in the catalog; known: ${known.join(', ') || 'none (run the pipeline or `threadline catalog list --crawl`)'}`);
        }
        const partitions = await listCatalogPartitions(pool, name, 50);
        const changes = await listSchemaChanges(pool, name);
        if (format === 'json') {
          console.log(JSON.stringify({ ...table, partitions, schemaChanges: changes }, null, 2));
          return;
        }
        if (format === 'csv') {
          printRows(table.columns.map((column) => ({ ...column })), 'csv');
          return;
        }
        console.log(`${table.name}  (${table.location}, ${table.format}, schema v${table.schemaVersion})  ${table.rowCount} rows in ${table.fileCount} file(s)\n`);
        printRows(table.columns.map((column) => ({ column: column.name, type: column.type, partitionKey: column.isPartitionKey ? 'yes' : '' })), 'table');
        console.log(`\npartitions (${table.partitionCount}, newest 50):`);
        printRows(partitions.map((partition) => ({ path: partition.path, files: partition.fileCount, rows: partition.rowCount, bytes: partition.sizeBytes, modified: partition.lastModified })), 'table');
        if (changes.length > 0) {
          console.log('\nschema changes:');
          printRows(changes.map((change) => ({ at: change.detectedAt, change: change.change, column: change.column, from: change.oldType ?? '', to: change.newType ?? '', breaking: change.isBreaking ? 'BREAKING' : '' })), 'table');
        }
      });
    },
  );
}
