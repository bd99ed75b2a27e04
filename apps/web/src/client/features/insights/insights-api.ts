/** Shapes of GET /api/insights/* answers (see packages/insights for how each figure is computed). */

export interface InsightEnvelope {
  window: { from: string; to: string };
  filters: Record<string, unknown>;
  asOf: string | null;
  cache: { status: 'hit' | 'live'; computedAt: string; computationMs: number };
}

export interface SalesRateRow {
  key: string;
  name: string;
  category: string;
  unitsSold: number;
  revenueCents: number;
  stockOnHand: number;
  sellThrough: number | null;
  views: number;
  carts: number;
  orders: number;
  viewToCart: number | null;
  cartToOrder: number | null;
  viewToOrder: number | null;
}

export interface SalesData extends InsightEnvelope {
  totals: { orders: number; units: number; revenueCents: number; averageOrderCents: number | null; cancelledOrders: number };
  overTime: Array<{ date: string; orders: number; units: number; revenueCents: number }>;
  byCategory: SalesRateRow[];
  products: SalesRateRow[];
}

export interface SegmentProduct {
  rank: number;
  productId: number;
  name: string;
  category: string;
  units: number;
  revenueCents: number;
  buyers: number;
  share: number | null;
  lift: number | null;
}

export interface SegmentsData extends InsightEnvelope {
  dimension: string;
  segments: Array<{ segment: string; customers: number; orders: number; units: number; revenueCents: number; topProducts: SegmentProduct[] }>;
}

export interface RatingCount {
  rating: number;
  count: number;
}

export interface ReviewsData extends InsightEnvelope {
  totals: { reviews: number; averageRating: number | null; withText: number };
  distribution: RatingCount[];
  byCategory: Array<{ category: string; reviews: number; averageRating: number; distribution: RatingCount[] }>;
  lowestRated: Array<{
    productId: number;
    name: string;
    category: string;
    reviews: number;
    averageRating: number;
    texts: Array<{ rating: number; title: string | null; body: string | null; date: string }>;
    topWords: Array<{ word: string; count: number }>;
  }>;
}

export interface ChannelShare {
  channel: string;
  isOffline: boolean;
  respondents: number;
  share: number | null;
  costCents: number | null;
  costPerRespondentCents: number | null;
}

export interface ChannelBreakdown {
  segment: string;
  respondents: number;
  channels: Array<{ channel: string; respondents: number; share: number | null }>;
}

export interface AdChannelsData extends InsightEnvelope {
  totals: { respondents: number; offlineRespondents: number; uploads: number };
  channels: ChannelShare[];
  byAgeBand: ChannelBreakdown[];
  byGender: ChannelBreakdown[];
  byRegion: ChannelBreakdown[];
  byMonth: Array<{ month: string; channel: string; respondents: number }>;
  byUpload: Array<{ uploadDate: string; channel: string; respondents: number }>;
}

export interface AnswersData {
  window: { from: string; to: string };
  total: number;
  answers: Array<{ responseDate: string; channel: string; ageBand: string | null; region: string | null; text: string }>;
}

export const REGIONS = ['north_america', 'south_america', 'europe', 'asia_pacific', 'other'] as const;
export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const GENDERS = ['female', 'male', 'non_binary', 'undisclosed'] as const;
export const DIMENSIONS = ['age_band', 'gender', 'region', 'customer_type'] as const;

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
