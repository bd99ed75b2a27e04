import type { QualityRule } from '../quality/rules.js';

/** The curated datasets the nightly run builds, each with its quality rules (one place per dataset). */
export const CURATED_DATASETS = ['products', 'sales', 'reviews', 'product_day'] as const;
export type CuratedDataset = (typeof CURATED_DATASETS)[number];

const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'];
const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'];
const GENDERS = ['female', 'male', 'non_binary', 'undisclosed'];
const REGIONS = ['north_america', 'south_america', 'europe', 'asia_pacific', 'other'];

/**
 * Data-quality rules per dataset, checked on staging before publish and on the published
 * partitions after. Severity `error` blocks publish; `warn` is reported only.
 */
export const DATASET_RULES: Record<CuratedDataset, QualityRule[]> = {
  products: [
    { type: 'completeness', column: 'product_id' },
    { type: 'uniqueness', columns: ['product_id'] },
    { type: 'completeness', column: 'category_slug' },
    { type: 'range', column: 'stock_on_hand', min: 0 },
    { type: 'range', column: 'min_price_cents', min: 0, max: 100_000_000 },
  ],
  sales: [
    { type: 'completeness', column: 'order_item_id' },
    { type: 'uniqueness', columns: ['order_item_id'] },
    { type: 'completeness', column: 'order_id' },
    { type: 'completeness', column: 'product_id' },
    { type: 'allowedValues', column: 'status', values: ORDER_STATUSES },
    { type: 'allowedValues', column: 'age_band', values: AGE_BANDS },
    { type: 'allowedValues', column: 'gender', values: GENDERS },
    { type: 'allowedValues', column: 'region', values: REGIONS },
    { type: 'range', column: 'quantity', min: 1, max: 1000 },
    { type: 'range', column: 'unit_price_cents', min: 0, max: 100_000_000 },
    { type: 'rowCount', min: 0, max: 50_000_000 },
    { type: 'referentialIntegrity', column: 'product_id', references: { dataset: 'products', column: 'product_id' } },
    // a quiet day is not an error, but the operator should hear about it
    { type: 'freshness', column: 'placed_at', maxAgeHours: 48, severity: 'warn' },
    {
      type: 'customSql',
      name: 'line-total-matches',
      description: 'line_total_cents = quantity × unit_price_cents',
      badRowsSql: 'SELECT * FROM sales WHERE line_total_cents <> quantity * unit_price_cents',
    },
    {
      type: 'customSql',
      name: 'placed-in-partition',
      description: 'placed_at (shop time zone) falls on the partition date',
      badRowsSql: 'SELECT * FROM sales WHERE placed_date <> dt',
    },
  ],
  reviews: [
    { type: 'completeness', column: 'review_id' },
    { type: 'uniqueness', columns: ['review_id'] },
    { type: 'range', column: 'rating', min: 1, max: 5 },
    { type: 'completeness', column: 'product_id' },
    { type: 'referentialIntegrity', column: 'product_id', references: { dataset: 'products', column: 'product_id' } },
  ],
  product_day: [
    { type: 'uniqueness', columns: ['dt', 'product_id'] },
    { type: 'range', column: 'units_sold', min: 0 },
    { type: 'range', column: 'sell_through', min: 0, max: 1 },
    { type: 'referentialIntegrity', column: 'product_id', references: { dataset: 'products', column: 'product_id' } },
  ],
};
