// Clickstream (the Kinesis + Firehose part): collect beacon batches → durable spool (or Kinesis) →
// delivery into the lake's raw zone by event time → compaction and the hourly rollup the peak-hours
// dashboard reads. Demo traffic fills the same layout for a fresh shop.
export * from './collect/event.js';
export * from './collect/validate.js';
export * from './collect/privacy.js';
export * from './collect/region.js';
export * from './collect/user-agent.js';
export * from './collect/analytics-ids.js';
export * from './collect/settings.js';
export * from './collect/collector.js';
export * from './collect/rate-limit.js';
export { SpoolWriter, retryAfterOf, type SpoolWriterOptions, type SpoolFailure } from './spool/writer.js';
export * from './stream/stream.js';
export { SpoolSource } from './stream/spool-source.js';
export { KinesisSink, KinesisSource, kinesisClientConfig, type KinesisOptions } from './stream/kinesis.js';
export { ClickstreamFlusher, type FlushResult, type FlusherOptions, type Checkpoint } from './delivery/flusher.js';
export { ClickstreamCompactor, DEFAULT_COMPACT_MEMORY, type CompactorOptions, type CompactionResult } from './delivery/compactor.js';
export { IMPORTED_TIER, ROLLUP_SELECT, rebuildDayRollup, rebuildDayRollupsFromTable, rollupKey, type HeldEventsRollupOptions, TRAFFIC_SOURCES, type TrafficSource } from './delivery/rollup.js';
export { PARQUET_OPTIONS, columnList, jsonColumnsSpec, selectFromJson } from './delivery/columns.js';
export * from './delivery/factory.js';
export * from './delivery/delivery-loop.js';
export * from './demo/traffic.js';
export * from './demo/demo-products.repo.js';
