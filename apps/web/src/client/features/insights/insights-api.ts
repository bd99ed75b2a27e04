/** Shapes of GET /api/insights/* answers (see packages/insights for how each figure is computed). */
import type { AdChannelInsight, FreeTextAnswer, ReviewInsight, SalesInsight, SegmentInsight } from '@threadline/insights/types';

export interface InsightEnvelope {
  window: { from: string; to: string };
  filters: Record<string, unknown>;
  asOf: string | null;
  cache: { status: 'hit' | 'live'; computedAt: string; computationMs: number };
}

export type { ChannelBreakdown, RatingCount, SalesRateRow, SegmentProduct } from '@threadline/insights/types';

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
export const DIMENSIONS = ['age_band', 'gender', 'region', 'customer_type', 'ship_country', 'ship_region'] as const;

export interface HourFigures {
  hour: number;
  visits: number;
  sessions: number;
  visitors: number;
  conversions: number;
  share: number | null;
  conversionRate: number | null;
}

export interface HeatCell {
  weekday: number;
  hour: number;
  visits: number;
  sessions: number;
  conversions: number;
}

export interface PeakHoursData extends InsightEnvelope {
  timeZone: string;
  totals: { visits: number; sessions: number; visitors: number; conversions: number };
  byHour: HourFigures[];
  byHourLocal: HourFigures[];
  heatmap: HeatCell[];
  heatmapLocal: HeatCell[];
  topPeaks: HourFigures[];
  topPeaksLocal: HourFigures[];
  quietestHour: HourFigures | null;
  weekly: Array<{ weekStart: string; visits: number; sessions: number; visitors: number; conversions: number; visitsChange: number | null; peakHour: number | null }>;
}

export const DEVICES = ['desktop', 'mobile', 'tablet', 'other'] as const;
/** The clickstream's regions come from visitors' time zones (packages/lake/src/clickstream/region.ts). */
export const VISITOR_REGIONS = ['north_america', 'south_america', 'europe', 'asia', 'africa', 'oceania', 'other'] as const;
