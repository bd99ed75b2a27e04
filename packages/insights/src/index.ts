export { InsightsLake, type InsightRow, type InsightQuery, type InsightsLakeOptions } from './lake/insights-lake.js';
export { INSIGHT_DATASETS, type InsightDataset } from './lake/curated-schemas.js';
export { salesInsight, type SalesFilters, type SalesInsight, type SalesRateRow, type SalesDay } from './sales/sales.js';
export {
  segmentInsight,
  SEGMENT_DIMENSIONS,
  type SegmentDimension,
  type SegmentFilters,
  type SegmentInsight,
  type SegmentQueryOptions,
} from './segments/segments.js';
export { salesOrdersSelect } from './segments/sales-orders.js';
export { reviewInsight, type ReviewFilters, type ReviewInsight } from './reviews/reviews.js';
export {
  adChannelInsight,
  adChannelAnswers,
  AD_CHANNELS,
  OFFLINE_CHANNELS,
  type AdChannelFilters,
  type AdChannelInsight,
  type ChannelCost,
  type FreeTextQuery,
} from './ad-channels/ad-channels.js';
export { checkWindow, InsightInputError } from './window.js';
export {
  serveInsight,
  insightAnswerJson,
  materialiseInsights,
  paramsKey,
  DASHBOARDS,
  DEFAULT_LIMITS,
  PRESET_DAYS,
  type DashboardName,
  type InsightServices,
  type Served,
  type CacheInfo,
} from './cache/insight-cache.js';
export {
  peakHours,
  checkPeakHourFilters,
  PeakHoursInputError,
  type PeakHourFilters,
  type PeakHoursResult,
} from './peak-hours/peak-hours.js';
export type * from './types.js';
export { dashboardRefresher } from './cache/dashboard-refresher.js';
export { AnswerMemo } from './cache/answer-memo.js';
