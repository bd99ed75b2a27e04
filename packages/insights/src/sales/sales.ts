import { datesOf, type DateWindow } from '@threadline/domain';
import { toDateText, toNumber } from '@threadline/lake';

import type { InsightsLake } from '../lake/insights-lake.js';
import { SOLD } from '../lake/sold.js';
import { ratio } from '../window.js';
import type { SalesRateRow, SalesInsight } from '../types.js';

export type { SalesDay, SalesRateRow, SalesInsight } from '../types.js';

export interface SalesFilters extends DateWindow {
  category?: string;
  region?: string;
  /** products to list, by units sold */
  limit?: number;
}

export { SOLD };

function saleFilters(filters: SalesFilters): { where: string; params: Array<string | number> } {
  const params: Array<string | number> = [filters.from, filters.to];
  // dt is the partition of placed_date (a quality rule of the pipeline): filtering both lets
  // DuckDB skip the partitions outside the window without opening them
  let where = 'dt BETWEEN $1::DATE AND $2::DATE AND placed_date BETWEEN $1::DATE AND $2::DATE';
  if (filters.category) {
    params.push(filters.category);
    where += ` AND category_slug = $${params.length}`;
  }
  if (filters.region) {
    params.push(filters.region);
    where += ` AND region = $${params.length}`;
  }
  return { where, params };
}

function rateRow(row: Record<string, unknown>): SalesRateRow {
  const units = toNumber(row.units);
  const stock = toNumber(row.stock);
  const views = toNumber(row.views);
  const carts = toNumber(row.carts);
  const orders = toNumber(row.funnel_orders);
  return {
    key: String(row.key),
    name: String(row.name ?? row.key),
    category: String(row.category ?? ''),
    unitsSold: units,
    revenueCents: toNumber(row.revenue),
    stockOnHand: stock,
    sellThrough: ratio(units, units + stock),
    views,
    carts,
    orders,
    viewToCart: ratio(carts, views),
    cartToOrder: ratio(orders, carts),
    viewToOrder: ratio(orders, views),
  };
}

/**
 * Sales rates for 5.3: revenue and orders over time, and per category and product the units
 * sold against stock (sell-through) and the view → cart → order funnel from the clickstream.
 * The funnel covers every region (the clickstream has no customer region per product).
 */
export async function salesInsight(lake: InsightsLake, filters: SalesFilters): Promise<SalesInsight> {
  const { where, params } = saleFilters(filters);
  // one scan for the totals and the days: an order's lines share its date and status, so the
  // distinct orders of the window are the sum of each day's
  const daily = await lake.query(
    `SELECT placed_date AS date, count(DISTINCT order_id) FILTER (WHERE ${SOLD}) AS orders,
            coalesce(sum(quantity) FILTER (WHERE ${SOLD}), 0) AS units,
            coalesce(sum(line_total_cents) FILTER (WHERE ${SOLD}), 0) AS revenue,
            count(DISTINCT order_id) FILTER (WHERE NOT (${SOLD})) AS cancelled
       FROM sales WHERE ${where} GROUP BY 1`,
    params,
  );
  const totals = { orders: 0, units: 0, revenue: 0, cancelled: 0 };
  for (const row of daily) {
    totals.orders += toNumber(row.orders);
    totals.units += toNumber(row.units);
    totals.revenue += toNumber(row.revenue);
    totals.cancelled += toNumber(row.cancelled);
  }
  const byDate = new Map(daily.map((row) => [toDateText(row.date), row]));
  const overTime = datesOf(filters).map((date) => {
    const row = byDate.get(date);
    return { date, orders: toNumber(row?.orders), units: toNumber(row?.units), revenueCents: toNumber(row?.revenue) };
  });

  const funnelParams: Array<string | number> = [filters.from, filters.to];
  const categoryFilter = filters.category ? ` AND category_slug = $${funnelParams.push(filters.category)}` : '';
  const offset = funnelParams.length;
  const shifted = where.replace(/\$(\d+)/g, (_, index: string) => `$${Number(index) + offset}`);
  const allParams = [...funnelParams, ...params];
  const grouped = async (keyColumn: string, nameColumn: string, limit: number | undefined): Promise<SalesRateRow[]> => {
    const rows = await lake.query(
      `WITH sold AS (
          SELECT ${keyColumn} AS key, any_value(${nameColumn}) AS name, any_value(category_slug) AS category,
                 sum(quantity) AS units, sum(line_total_cents) AS revenue
            FROM sales WHERE ${shifted} AND ${SOLD} GROUP BY 1),
        funnel AS (
          SELECT ${keyColumn} AS key, any_value(${keyColumn === 'category_slug' ? 'category_slug' : 'product_name'}) AS name,
                 any_value(category_slug) AS category, sum(views) AS views, sum(carts) AS carts, sum(orders) AS funnel_orders
            FROM product_day WHERE dt BETWEEN $1::DATE AND $2::DATE${categoryFilter} GROUP BY 1),
        stock AS (
          SELECT ${keyColumn} AS key, any_value(${keyColumn === 'category_slug' ? 'category_name' : 'product_name'}) AS name,
                 any_value(category_slug) AS category, sum(stock_on_hand) AS stock
            FROM products WHERE dt = (SELECT max(dt) FROM products)${categoryFilter} GROUP BY 1)
        SELECT CAST(coalesce(s.key, f.key, st.key) AS VARCHAR) AS key,
               coalesce(st.name, s.name, f.name) AS name, coalesce(s.category, f.category, st.category) AS category,
               coalesce(s.units, 0) AS units, coalesce(s.revenue, 0) AS revenue, coalesce(st.stock, 0) AS stock,
               coalesce(f.views, 0) AS views, coalesce(f.carts, 0) AS carts, coalesce(f.funnel_orders, 0) AS funnel_orders
          FROM sold s FULL JOIN funnel f ON f.key = s.key FULL JOIN stock st ON st.key = coalesce(s.key, f.key)
         ORDER BY units DESC, revenue DESC, key
         ${limit === undefined ? '' : `LIMIT ${Math.max(1, Math.min(500, Math.trunc(limit)))}`}`,
      allParams,
    );
    return rows.map(rateRow);
  };

  return {
    totals: {
      orders: totals.orders,
      units: totals.units,
      revenueCents: totals.revenue,
      averageOrderCents: totals.orders === 0 ? null : Math.round(totals.revenue / totals.orders),
      cancelledOrders: totals.cancelled,
    },
    overTime,
    byCategory: await grouped('category_slug', 'category_name', undefined),
    products: await grouped('product_id', 'product_name', filters.limit ?? 20),
  };
}
