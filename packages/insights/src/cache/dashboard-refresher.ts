import type { Pool } from '@threadline/db';
import type { DuckDbLimits, LakeMirror } from '@threadline/lake';
import { deleteLiveInsights } from '@threadline/db/insights';

import { InsightsLake } from '../lake/insights-lake.js';
import { materialiseInsights } from './insight-cache.js';

/**
 * The dashboards' step at the end of the nightly pipeline: forget remembered live results and
 * materialise every dashboard's preset windows from the freshly published lake, so the morning's
 * first views are served from the cache.
 */
export function dashboardRefresher() {
  return {
    name: 'dashboards',
    async refresh(context: { pool: Pool; dataDir: string; lake?: LakeMirror; timeZone: string; duckdb?: DuckDbLimits; logger: { info(message: string): void } }): Promise<{ rows: number }> {
      const lake = await InsightsLake.open(context.dataDir, { ...context.duckdb, lake: context.lake });
      try {
        await deleteLiveInsights(context.pool);
        const result = await materialiseInsights({ lake, pool: context.pool, timeZone: context.timeZone });
        context.logger.info(`dashboards: ${result.entries} saved views refreshed in ${result.ms} ms`);
        return { rows: result.entries };
      } finally {
        lake.close();
      }
    },
  };
}
