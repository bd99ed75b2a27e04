/** Shapes of GET /api/insights/* answers (see packages/insights for how each figure is computed). */
import type {
  AdChannelInsight,
  FreeTextAnswer,
  InsightEnvelope,
  PeakHoursInsight,
  ReviewInsight,
  SalesInsight,
  SegmentInsight,
} from '@threadline/insights/types';

export type { ChannelBreakdown, HeatCell, HourFigures, InsightEnvelope, RatingCount, SalesRateRow, SegmentProduct } from '@threadline/insights/types';

export type SalesData = InsightEnvelope & SalesInsight;
export type SegmentsData = InsightEnvelope & SegmentInsight;
export type ReviewsData = InsightEnvelope & ReviewInsight;
export type AdChannelsData = InsightEnvelope & AdChannelInsight;

export interface AnswersData {
  window: { from: string; to: string };
  total: number;
  answers: FreeTextAnswer[];
}

export const REGIONS = ['north_america', 'south_america', 'europe', 'asia_pacific', 'other'] as const;
export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const GENDERS = ['female', 'male', 'non_binary', 'undisclosed'] as const;
export const DIMENSIONS = ['age_band', 'gender', 'region', 'customer_type', 'ship_country', 'ship_region', 'sales_territory'] as const;

/** Peak hours' own `window` and `filters` take the envelope's place. */
export type PeakHoursData = Omit<InsightEnvelope, 'window' | 'filters'> & PeakHoursInsight;

export const DEVICES = ['desktop', 'mobile', 'tablet', 'other'] as const;
/** Live shop traffic, or history imported from old web server logs (both when no filter is set). */
export const TRAFFIC_SOURCES = ['live', 'import'] as const;
/** The clickstream's regions come from visitors' time zones (packages/clickstream/src/collect/region.ts). */
export const VISITOR_REGIONS = ['north_america', 'south_america', 'europe', 'asia', 'africa', 'oceania', 'other'] as const;
