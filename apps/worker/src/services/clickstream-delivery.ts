import { DeliveryLoop, createLakeStorage, createStreamSource, clickstreamSettings } from '@threadline/clickstream';

import type { WorkerService } from '../context.js';

/**
 * The Firehose part of the clickstream in the worker: spool (or Kinesis) → Parquet in
 * `lake/raw/clickstream/dt=/hour=` exactly once, hourly compaction and the hourly rollup that
 * peak-hour insights read. Not ready while delivery keeps failing.
 */
export const clickstreamDeliveryService: WorkerService = {
  name: 'clickstream-delivery',
  async start(context) {
    const settings = clickstreamSettings(context.config);
    const loop = new DeliveryLoop(settings, createStreamSource(settings), createLakeStorage(context.config.dataDir, settings), context.logger);
    await loop.start();
    return {
      stop: () => loop.stop(),
      async isReady() {
        if (loop.status.lastError) throw new Error(`clickstream delivery failing: ${loop.status.lastError}`);
      },
    };
  },
};
