export { extractShop, type ExtractOptions, type ExtractResult } from './extract-shop.js';
export { CURATED_DATASETS, DATASET_KEYS, DATASET_RULES, type CuratedDataset } from './datasets.js';
export { findChangedDates, findAllDates } from './shop-source.repo.js';
export { pseudonymiseUserId } from './pseudonym.js';
export type { BuiltDataset } from './build-datasets.js';
export type { ExtractStage } from './stage-timer.js';
