export * from './errors.js';
export * from './layout.js';
export * from './duckdb.js';
