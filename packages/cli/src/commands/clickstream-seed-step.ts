import { generateDemoTraffic, listDemoProducts, MAX_DEMO_EVENTS } from '@threadline/clickstream';
import { lakeFromConfig } from '@threadline/lake';

import type { PostSeedStep } from './seed-step.js';

/**
 * `threadline seed` step: demo web traffic for the peak-hour dashboards, ending at the shop
 * seed's window end. Size from THREADLINE_DEMO_EVENTS (default 1,000,000; up to 50,000,000).
 */
export const clickstreamSeedStep: PostSeedStep = {
  name: 'clickstream',
  async run(context) {
    const events = Math.min(context.config.demoEvents, MAX_DEMO_EVENTS);
    const windowEnd = new Date(context.marker.generatedAt);
    const result = await generateDemoTraffic({
      storage: lakeFromConfig(context.config).storage,
      workDir: context.config.dataDir,
      events,
      days: 90,
      end: Number.isNaN(windowEnd.getTime()) ? new Date() : windowEnd,
      seed: context.seed,
      // product pages visited as often as the demo orders say each product sells
      ...(await listDemoProducts(context.pool)),
      onProgress: context.log,
    });
    context.log(`${result.events.toLocaleString('en-US')} web events ${result.from} … ${result.to}`);
  },
};
