export { seedDemoData, DEMO_PASSWORD, DEFAULT_SEED_SIZES, type SeedOptions, type SeedSummary } from './seed.js';
export { hashShopContent } from './content-hash.repo.js';
export { readSeedMarker, SEED_META_KEY, SEEDED_TABLES, type SeedMarker } from './seed.repo.js';
export { DEMO_EMAILS } from './customers.js';
export { DemoSeedError, DEMO_ERROR, isDemoSeedError, type DemoErrorCode } from './errors.js';
export { Random, WeightedTable } from './random.js';
export { AGE_BANDS, GENDERS, REGIONS, CATEGORIES, type AgeBand, type Gender, type Region } from './catalogue-data.js';
