export * from './errors.js';
export * from './layout.js';
export * from './duckdb.js';
export * from './extract/index.js';
export * from './quality/index.js';
export * from './catalog/index.js';
export * from './query/index.js';
export * from './survey/index.js';
