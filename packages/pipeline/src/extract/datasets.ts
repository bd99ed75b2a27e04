import type { QualityRule } from '../quality/rules.js';

/** The curated datasets the nightly run builds, each with its quality rules (one place per dataset). */
export const CURATED_DATASETS = ['products', 'sales', 'sales_orders', 'reviews', 'product_day'] as const;
export type CuratedDataset = (typeof CURATED_DATASETS)[number];

/**
 * The datasets written as month partitions (`month=YYYY-MM/part-0.parquet`, `dt` a sorted column
 * in the file); `products`, a snapshot per run, keeps its `dt=` day folder.
 */
export const MONTH_DATASETS: readonly CuratedDataset[] = ['sales', 'sales_orders', 'reviews', 'product_day'];

/** Whether `dataset` is written as month partitions. */
export function isMonthDataset(dataset: string): boolean {
  return (MONTH_DATASETS as readonly string[]).includes(dataset);
}

/**
 * The key of every curated dataset: one row per key value within a run's output (`products` is a
 * snapshot, one row per product in its partition). The build declares each key as a unique index
 * (so a join that fans out fails at once, naming the dataset) and the quality gate checks it again
 * on staging and on the published partitions.
 */
export const DATASET_KEYS: Record<CuratedDataset, readonly string[]> = {
  products: ['dt', 'product_id'],
  sales: ['order_item_id'],
  sales_orders: ['order_id'],
  reviews: ['review_id'],
  product_day: ['dt', 'product_id'],
};

const keyRule = (dataset: CuratedDataset): QualityRule => ({ type: 'uniqueness', columns: [...DATASET_KEYS[dataset]] });

/** A month dataset's row sits in its date's month folder (`month` is the folder's key, `dt` the file's column). */
const inMonthRule = (dataset: CuratedDataset): QualityRule => ({
  type: 'customSql',
  name: 'in-month-partition',
  description: 'each row sits in the month partition of its dt',
  badRowsSql: `SELECT * FROM ${dataset} WHERE dt IS NULL OR left(CAST(dt AS VARCHAR), 7) <> month`,
});

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
    keyRule('products'),
    { type: 'completeness', column: 'category_slug' },
    { type: 'range', column: 'stock_on_hand', min: 0 },
    { type: 'range', column: 'min_price_cents', min: 0, max: 100_000_000 },
  ],
  sales: [
    { type: 'completeness', column: 'order_item_id' },
    keyRule('sales'),
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
      // shop lines are exact; imported lines keep the booked total and derive the unit price
      // (rounded half to even), so quantity × unit price may miss it by under a cent per unit
      description: 'line_total_cents = quantity × unit_price_cents (within half a cent per unit for imported lines)',
      badRowsSql: 'SELECT * FROM sales WHERE abs(line_total_cents - quantity * unit_price_cents) * 2 > quantity',
    },
    {
      type: 'customSql',
      name: 'sales-territory-label',
      // a free label of the old system ("Central"): marketing groups by it, so stray spaces or empty
      // strings would split one territory into several
      description: 'sales_territory, when set, is a trimmed, non-empty label of at most 100 characters',
      badRowsSql: `SELECT * FROM sales WHERE sales_territory IS NOT NULL
                     AND (sales_territory = '' OR sales_territory <> trim(sales_territory) OR length(sales_territory) > 100)`,
    },
    {
      type: 'customSql',
      name: 'shipping-method-label',
      description: 'shipping_method, when set, is a trimmed, non-empty method name of at most 80 characters',
      badRowsSql: `SELECT * FROM sales WHERE shipping_method IS NOT NULL
                     AND (shipping_method = '' OR shipping_method <> trim(shipping_method) OR length(shipping_method) > 80)`,
    },
    {
      type: 'customSql',
      name: 'placed-in-partition',
      // placed_date is the shop date of placed_at as the orders' COPY computed it (the same value
      // as the row's dt when it was written), so this catches a row filed under another date's partition
      description: 'placed_date (the shop date of placed_at) is the partition date',
      badRowsSql: 'SELECT * FROM sales WHERE placed_date <> dt',
    },
    inMonthRule('sales'),
  ],
  // the segments dashboard's per-order rollup of sales (segments/sales-orders.ts in insights):
  // its key also fails an order whose lines disagree on the customer or a segment attribute
  sales_orders: [
    { type: 'completeness', column: 'order_id' },
    keyRule('sales_orders'),
    { type: 'range', column: 'units', min: 1 },
    inMonthRule('sales_orders'),
  ],
  reviews: [
    { type: 'completeness', column: 'review_id' },
    keyRule('reviews'),
    { type: 'range', column: 'rating', min: 1, max: 5 },
    { type: 'completeness', column: 'product_id' },
    { type: 'referentialIntegrity', column: 'product_id', references: { dataset: 'products', column: 'product_id' } },
    inMonthRule('reviews'),
  ],
  product_day: [
    keyRule('product_day'),
    { type: 'range', column: 'units_sold', min: 0 },
    { type: 'range', column: 'sell_through', min: 0, max: 1 },
    { type: 'referentialIntegrity', column: 'product_id', references: { dataset: 'products', column: 'product_id' } },
    inMonthRule('product_day'),
  ],
};
