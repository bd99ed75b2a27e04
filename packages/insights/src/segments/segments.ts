import type { DateWindow } from '@threadline/domain';
import { toNumber } from '@threadline/lake';

import type { InsightsLake } from '../lake/insights-lake.js';
import { SOLD } from '../sales/sales.js';
import { ratio } from '../window.js';
import type { Segment, SegmentDimension, SegmentInsight } from '../types.js';

export type { Segment, SegmentDimension, SegmentInsight, SegmentProduct } from '../types.js';

/** Customer characteristics a segment can be cut by. */
export const SEGMENT_DIMENSIONS = ['age_band', 'gender', 'region', 'customer_type', 'ship_country', 'ship_region', 'sales_territory'] as const satisfies readonly SegmentDimension[];

// Only these expressions ever reach the SQL text: the dimension is chosen from the list above.
const DIMENSION_SQL: Record<SegmentDimension, string> = {
  age_band: `coalesce(age_band, 'unknown')`,
  gender: `coalesce(gender, 'unknown')`,
  region: `coalesce(region, 'unknown')`,
  customer_type: `CASE WHEN is_returning THEN 'returning' WHEN NOT is_returning THEN 'new' ELSE 'guest' END`,
  // where the customer lives: the order's ship-to country (ISO code), and region/state within it
  // (a state name alone is ambiguous across countries, so the segment carries the country too)
  ship_country: `coalesce(ship_country, 'unknown')`,
  ship_region: `CASE WHEN ship_region IS NULL THEN 'unknown' ELSE ship_region || ', ' || coalesce(ship_country, '?') END`,
  // a free label kept from a legacy import; orders placed in this shop carry none
  sales_territory: `coalesce(sales_territory, 'unknown')`,
};

export interface SegmentFilters extends DateWindow {
  dimension: SegmentDimension;
  category?: string;
  /** products per segment */
  limit?: number;
}

export interface SegmentQueryOptions {
  /**
   * Count orders and customers from the `sales_orders` rollup when it covers the window (the
   * default), or always from the lines. Both give the same figures; the rollup is faster.
   */
  useOrderRollup?: boolean;
}

/**
 * Popular products per customer segment (5.3): the list a buyer reads before a launch. Ranked by
 * units, then revenue; ties share a rank (SQL `rank()`), listed by product id for a stable order.
 */
export async function segmentInsight(lake: InsightsLake, filters: SegmentFilters, options: SegmentQueryOptions = {}): Promise<SegmentInsight> {
  const limit = Math.max(1, Math.min(50, Math.trunc(filters.limit ?? 10)));
  const params: Array<string | number> = [filters.from, filters.to];
  const category = filters.category ? `$${params.push(filters.category)}` : undefined;
  const categoryFilter = category ? ` AND category_slug = ${category}` : '';
  const segmentSql = DIMENSION_SQL[filters.dimension];
  await lake.ensureCurrent();
  const useRollup = (options.useOrderRollup ?? true) && lake.covers('sales_orders', 'sales', filters);
  // Where the time goes (EXPLAIN ANALYZE, 1M orders): reading the lines, then the distinct counts.
  // - Products are ranked on plain integer sums (no names carried through the 3M-line hash); the
  //   names, and the buyers (distinct customers of a product), are taken from the lines of the
  //   `limit` products shown per segment only (a semi-join).
  // - Orders and customers per segment: from the `sales_orders` rollup (one row per sold order,
  //   written by the nightly run beside `sales`) when it has every partition `sales` has in the
  //   window — a plain count and one distinct count over a third of the rows. Otherwise (a lake
  //   from before the rollup) the lines are folded to one row per (segment, order) first; an
  //   order has one customer (its customer_key is the order's, copied onto each line), so
  //   `any_value` picks the only one.
  // - Segment units and revenue add up the (segment, product) sums; the overall share comes from
  //   the same 6,000-row rollup. Every figure stays exact.
  const window = 'dt BETWEEN $1::DATE AND $2::DATE AND placed_date BETWEEN $1::DATE AND $2::DATE';
  const counts = useRollup
    ? `SELECT ${segmentSql} AS segment, count(DISTINCT customer_key) AS customers, count(*) AS orders
         FROM sales_orders WHERE ${window}${category ? ` AND list_contains(category_slugs, ${category})` : ''} GROUP BY 1`
    : `SELECT segment, count(DISTINCT customer_key) AS customers, count(*) AS orders
         FROM (SELECT segment, order_id, any_value(customer_key) AS customer_key FROM lines GROUP BY 1, 2) GROUP BY 1`;
  const rows = await lake.query(
    `WITH lines AS MATERIALIZED (
        SELECT ${segmentSql} AS segment, customer_key,${useRollup ? '' : ' order_id,'} product_id, product_name,
               category_slug, quantity, line_total_cents
          FROM sales WHERE ${window} AND ${SOLD}${categoryFilter}),
      prod AS (SELECT segment, product_id, sum(quantity) AS units, sum(line_total_cents) AS revenue FROM lines GROUP BY 1, 2),
      overall AS (SELECT product_id, sum(units) / (SELECT sum(units) FROM prod) AS share FROM prod GROUP BY 1),
      seg AS (
        SELECT o.segment, o.customers, o.orders, p.units, p.revenue
          FROM (${counts}) o
          JOIN (SELECT segment, sum(units) AS units, sum(revenue) AS revenue FROM prod GROUP BY 1) p ON p.segment = o.segment),
      top AS (
        SELECT * FROM (
          SELECT p.*, rank() OVER (PARTITION BY p.segment ORDER BY p.units DESC, p.revenue DESC) AS rank,
                 row_number() OVER (PARTITION BY p.segment ORDER BY p.units DESC, p.revenue DESC, p.product_id) AS position
            FROM prod p)
         WHERE position <= ${limit}),
      shown AS (
        SELECT l.segment, l.product_id, count(DISTINCT l.customer_key) AS buyers,
               any_value(l.product_name) AS name, any_value(l.category_slug) AS category
          FROM lines l SEMI JOIN top t ON t.segment = l.segment AND t.product_id = l.product_id
         GROUP BY 1, 2)
      SELECT s.segment, s.customers, s.orders, s.units AS segment_units, s.revenue AS segment_revenue,
             r.rank, r.product_id, b.name, b.category, r.units, r.revenue, b.buyers, o.share AS overall_share
        FROM seg s JOIN top r ON r.segment = s.segment
        JOIN overall o ON o.product_id = r.product_id
        JOIN shown b ON b.segment = r.segment AND b.product_id = r.product_id
       ORDER BY s.units DESC, s.segment, r.position`,
    params,
  );
  const segments = new Map<string, Segment>();
  for (const row of rows) {
    const key = String(row.segment);
    let segment = segments.get(key);
    if (!segment) {
      segment = {
        segment: key,
        customers: toNumber(row.customers),
        orders: toNumber(row.orders),
        units: toNumber(row.segment_units),
        revenueCents: toNumber(row.segment_revenue),
        topProducts: [],
      };
      segments.set(key, segment);
    }
    const units = toNumber(row.units);
    const share = ratio(units, segment.units);
    const overall = toNumber(row.overall_share);
    segment.topProducts.push({
      rank: toNumber(row.rank),
      productId: toNumber(row.product_id),
      name: String(row.name),
      category: String(row.category ?? ''),
      units,
      revenueCents: toNumber(row.revenue),
      buyers: toNumber(row.buyers),
      share,
      lift: share === null || overall === 0 ? null : share / overall,
    });
  }
  return { dimension: filters.dimension, segments: [...segments.values()] };
}
