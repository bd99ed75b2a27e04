import type { DuckDBConnection } from '@duckdb/node-api';

import { salesOrdersSelect } from '@threadline/insights';

/**
 * Builds `out_sales_orders` — the `sales_orders` rollup, one row per sold order with its customer,
 * segment attributes, categories and totals — from the run's `out_sales`, so it always covers
 * exactly the dates `sales` is written for. The segments dashboard counts orders and customers
 * from it (packages/insights/src/segments/sales-orders.ts holds its definition); the quality gate
 * checks its key (`order_id`), which also catches an order whose lines disagree on an attribute.
 */
export async function buildSalesOrders(connection: DuckDBConnection): Promise<void> {
  await connection.run(`CREATE OR REPLACE TABLE out_sales_orders AS ${salesOrdersSelect('out_sales')}`);
}
