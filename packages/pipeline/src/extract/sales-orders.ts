import type { DuckDBConnection } from '@duckdb/node-api';

import { salesOrdersSelect } from '@threadline/insights';

/**
 * Defines `out_sales_orders` — the `sales_orders` rollup, one row per sold order with its customer,
 * segment attributes, categories and totals — from the run's `out_sales`, so it always covers
 * exactly the dates `sales` is written for. A view, like `out_sales`: the rollup is computed
 * while it is written, on its writer's connection, so the joins after it need not wait for it.
 * The segments dashboard counts orders and customers from it (packages/insights/src/segments/sales-orders.ts holds its definition); the quality gate
 * checks its key (`order_id`), which also catches an order whose lines disagree on an attribute.
 */
export async function defineSalesOrders(connection: DuckDBConnection): Promise<void> {
  await connection.run(`CREATE OR REPLACE VIEW out_sales_orders AS ${salesOrdersSelect('out_sales')}`);
}
