import type { Logger } from '@threadline/config';
import type { Pool } from '@threadline/db';
import { dashboardRefresher } from '@threadline/insights';
import type { DuckDbLimits, LakeMirror } from '@threadline/lake';

/** What a refresher gets after each successful publish. */
export interface RefreshContext {
  pool: Pool;
  dataDir: string;
  lakeDir: string;
  /** The lake (local or S3) the refresher reads through. */
  lake: LakeMirror;
  /** The shop's time zone: the dashboards' preset windows end on today there. */
  timeZone: string;
  duckdb?: DuckDbLimits;
  /** The partition dates the run rebuilt (shop time zone). */
  dates: readonly string[];
  logger: Logger;
}

/** Rebuilds one family of cached dashboard aggregates (the SPICE part) from the fresh lake. */
export interface InsightRefresher {
  name: string;
  refresh(context: RefreshContext): Promise<{ rows: number }>;
}

/**
 * Every cache the last pipeline step refreshes. The insights package adds one line per
 * dashboard, e.g. `{ name: 'sales', refresh: refreshSalesCache }`.
 */
export const INSIGHT_REFRESHERS: InsightRefresher[] = [dashboardRefresher()];
