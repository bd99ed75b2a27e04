// The lake's public surface: layout, storage (local | S3), the one DuckDB resource, the catalog and
// read-only SQL over it. Producers (clickstream, pipeline, survey) are their own packages.
export * from './errors.js';
export * from './layout.js';
export * from './duckdb.js';
export * from './catalog/index.js';
export * from './query/index.js';
export * from './storage/storage.js';
export * from './storage/local.js';
export * from './storage/s3.js';
export * from './storage/mirror.js';
