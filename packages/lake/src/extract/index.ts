export { extractShop, type ExtractOptions, type ExtractResult } from './extract-shop.js';
export { CURATED_DATASETS, DATASET_KEYS, DATASET_RULES, type CuratedDataset } from './datasets.js';
export { findChangedDates, findAllDates } from './shop-source.repo.js';
export { publishPartitions, finishPublish, undoPublish, recoverPublishes, type PublishItem, type PublishJournal, type PublishFault } from './publish.js';
export { pseudonymiseUserId } from './pseudonym.js';
export { curatedDir, runStagingDir, datePartition, dateRange, dateInZone, addDays, isIsoDate } from './lake-paths.js';
export type { BuiltDataset } from './build-datasets.js';
