/**
 * The shapes the analyses answer with. Types only, no imports: the dashboards (browser code)
 * import them from `@threadline/insights/types` so client and server share one definition.
 */

export interface SalesDay {
  date: string;
  orders: number;
  units: number;
  revenueCents: number;
}

export interface SalesRateRow {
  key: string;
  name: string;
  category: string;
  unitsSold: number;
  revenueCents: number;
  stockOnHand: number;
  /** units sold ÷ (units sold + stock on hand): share of the available goods that sold */
  sellThrough: number | null;
  views: number;
  carts: number;
  orders: number;
  viewToCart: number | null;
  cartToOrder: number | null;
  viewToOrder: number | null;
}

export interface SalesInsight {
  totals: { orders: number; units: number; revenueCents: number; averageOrderCents: number | null; cancelledOrders: number };
  overTime: SalesDay[];
  byCategory: SalesRateRow[];
  products: SalesRateRow[];
}

/** Customer characteristics a segment can be cut by. */
/** `ship_country` / `ship_region`: where customers live, from the orders' ship-to address. */
/** `sales_territory`: the old system's own sales territory of imported orders ("Central"). */
export type SegmentDimension = 'age_band' | 'gender' | 'region' | 'customer_type' | 'ship_country' | 'ship_region' | 'sales_territory';

export interface SegmentProduct {
  /** 1 = best seller of the segment; tied products share a rank */
  rank: number;
  productId: number;
  name: string;
  category: string;
  units: number;
  revenueCents: number;
  buyers: number;
  /** this product's share of the segment's units */
  share: number | null;
  /** share in the segment ÷ share among all customers: > 1 means the segment likes it more than average */
  lift: number | null;
}

export interface Segment {
  segment: string;
  customers: number;
  orders: number;
  units: number;
  revenueCents: number;
  topProducts: SegmentProduct[];
}

export interface SegmentInsight {
  dimension: SegmentDimension;
  segments: Segment[];
}

export interface RatingCount {
  rating: number;
  count: number;
}

export interface CategoryRatings {
  category: string;
  reviews: number;
  averageRating: number;
  distribution: RatingCount[];
}

export interface LowRatedProduct {
  productId: number;
  name: string;
  category: string;
  reviews: number;
  averageRating: number;
  /** the newest reviews that have text, lowest ratings first */
  texts: Array<{ rating: number; title: string | null; body: string | null; date: string }>;
  /** most frequent meaningful words in this product's review texts */
  topWords: Array<{ word: string; count: number }>;
}

export interface ReviewInsight {
  totals: { reviews: number; averageRating: number | null; withText: number };
  distribution: RatingCount[];
  byCategory: CategoryRatings[];
  lowestRated: LowRatedProduct[];
}

export interface ChannelShare {
  channel: string;
  isOffline: boolean;
  respondents: number;
  share: number | null;
  /** what the marketing team entered for the months of the window, if anything */
  costCents: number | null;
  costPerRespondentCents: number | null;
}

export interface ChannelBreakdown {
  segment: string;
  respondents: number;
  channels: Array<{ channel: string; respondents: number; share: number | null }>;
}

export interface AdChannelInsight {
  totals: { respondents: number; offlineRespondents: number; uploads: number };
  channels: ChannelShare[];
  byAgeBand: ChannelBreakdown[];
  byGender: ChannelBreakdown[];
  byRegion: ChannelBreakdown[];
  /** respondents per month of response and channel */
  byMonth: Array<{ month: string; channel: string; respondents: number }>;
  /** respondents per upload and channel */
  byUpload: Array<{ uploadDate: string; channel: string; respondents: number }>;
}

export interface FreeTextAnswer {
  responseDate: string;
  channel: string;
  ageBand: string | null;
  region: string | null;
  text: string;
}

/** One hour of the day (0–23) in the peak-hours analysis (5.1). */
export interface HourFigures {
  hour: number;
  visits: number;
  sessions: number;
  visitors: number;
  conversions: number;
  /** visits in this hour / visits in all hours; null when there were no visits. */
  share: number | null;
  conversionRate: number | null;
}

export interface HeatCell {
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  hour: number;
  visits: number;
  sessions: number;
  conversions: number;
}

export interface WeekFigures {
  /** Monday of the week (shop time zone). */
  weekStart: string;
  /** Days of this week inside the window (1–7): the window's first and last week may be cut short. */
  days: number;
  /** Of those days, how much has begun (shop time, in whole hours): below `days` only for a week that runs to today, e.g. 3.5. */
  elapsedDays: number;
  visits: number;
  /** visits ÷ elapsedDays: what the weeks are compared by. */
  visitsPerDay: number;
  sessions: number;
  visitors: number;
  conversions: number;
  /** Change of visits per day vs the previous week, e.g. 0.12 = +12 %; null for the first week or from 0. */
  visitsChange: number | null;
  peakHour: number | null;
}

export interface PeakHoursInsight {
  window: { from: string; to: string };
  timeZone: string;
  filters: { region: string | null; device: string | null; includeBots: boolean; source: string | null };
  totals: { visits: number; sessions: number; visitors: number; conversions: number };
  byHour: HourFigures[];
  byHourLocal: HourFigures[];
  heatmap: HeatCell[];
  heatmapLocal: HeatCell[];
  topPeaks: HourFigures[];
  topPeaksLocal: HourFigures[];
  /** Hour (shop time) with the fewest visits: the recommended maintenance window. */
  quietestHour: HourFigures | null;
  weekly: WeekFigures[];
}

/** Where a dashboard answer came from: the materialised/remembered cache, or computed now. */
export interface CacheInfo {
  status: 'hit' | 'live';
  computedAt: string;
  computationMs: number;
}

/** What every `GET /api/insights/<dashboard>` answer carries besides its figures. */
export interface InsightEnvelope {
  window: { from: string; to: string };
  filters: Record<string, unknown>;
  /** When the newest file behind these figures was written; null before the first data. */
  asOf: string | null;
  cache: CacheInfo;
}
