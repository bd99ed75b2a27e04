import path from 'node:path';

import { loadConfig } from '@threadline/config';
import type { Pool } from '@threadline/db';
import { deleteLiveInsights } from '@threadline/db/insights';

import { InsightsLake } from '../lake/insights-lake.js';
import { materialiseInsights } from './insight-cache.js';

/**
 * The dashboards' step at the end of the nightly pipeline: forget remembered live results and
 * materialise every dashboard's preset windows from the freshly published lake, so the morning's
 * first views are served from the cache.
 */
export function dashboardRefresher(options: { timeZone?: string } = {}) {
  return {
    name: 'dashboards',
    async refresh(context: { pool: Pool; lakeDir: string; logger: { info(message: string): void } }): Promise<{ rows: number }> {
      // the lake directory is <dataDir>/lake
      const lake = await InsightsLake.open(path.dirname(context.lakeDir));
      try {
        await deleteLiveInsights(context.pool);
        const result = await materialiseInsights({ lake, pool: context.pool, timeZone: options.timeZone ?? loadConfig().shopTimeZone });
        context.logger.info(`dashboards: ${result.entries} saved views refreshed in ${result.ms} ms`);
        return { rows: result.entries };
      } finally {
        lake.close();
      }
    },
  };
}
