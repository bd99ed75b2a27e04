import { SOLD } from '../sales/sales.js';

/**
 * The `sales_orders` rollup: one row per order with at least one sold line, carrying what the
 * segments dashboard (5.3) counts orders and customers by — the order's customer and every
 * attribute a segment can be cut by — plus the categories of its sold lines and its totals.
 *
 * The nightly pipeline writes it beside `sales`, from the same table in the same run and for the
 * same date partitions (packages/pipeline/src/extract/sales-orders.ts). The dashboard then counts
 * a segment's orders (`count(*)`) and customers (`count(DISTINCT customer_key)`) over about a
 * third of the rows, without first folding three million lines into (segment, order) groups.
 *
 * Exact by construction: the attributes are grouped on, not picked, so an order whose lines
 * disagreed would come out as two rows and fail the dataset's key (`order_id`) in the build's
 * quality gate instead of skewing a count. `category_slugs` holds the category of each sold line
 * (repeats kept: de-duplicating the lists as well doubled the cost of building the rollup in the
 * nightly run, and `list_contains` reads them the same), so "orders with a sold line in this
 * category" is `list_contains(category_slugs, $category)`. The list is sorted: `list` takes the
 * lines in the order the join hands them over, which depends on the plan DuckDB picks for the
 * run's size (a one-day re-run and a backfill gave 42 of 100 orders of a day their categories in
 * another order), and sorting the short lists costs about 0.15 s of CPU per million orders where
 * `list(… ORDER BY order_item_id)` cost 2.5 s.
 */
export function salesOrdersSelect(salesTable: string): string {
  const grouped = 'dt, order_id, placed_date, customer_key, age_band, gender, region, is_returning, ship_country, ship_region, sales_territory';
  return `SELECT ${grouped}, list_sort(list(category_slug)) AS category_slugs,
                 count(*) AS sold_lines, sum(quantity) AS units, sum(line_total_cents) AS revenue_cents
            FROM ${salesTable} WHERE ${SOLD}
           GROUP BY ${grouped}`;
}
