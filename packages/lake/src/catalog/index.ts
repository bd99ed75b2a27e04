export { crawlLake, type CrawlReport } from './crawl.js';
export { scanLake, type ScannedTable, type ScannedPartition, type CatalogColumn } from './scan-lake.js';
export { diffSchemas, type SchemaChange } from './schema-diff.js';
export {
  listCatalogTables,
  findCatalogTable,
  listCatalogPartitions,
  listSchemaChanges,
  type CatalogTable,
  type CatalogPartition,
  type RecordedSchemaChange,
} from './catalog.repo.js';
