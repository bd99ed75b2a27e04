import type { Pool } from '@threadline/db';

/** The shop's products as demo traffic should visit them. */
export interface DemoProducts {
  /** Product ids, so demo page views point at real products (and join in analyses). */
  productIds: string[];
  /**
   * How often each product (same order as `productIds`) is viewed and carted relative to the
   * others: the order lines the shop has of it, plus half the mean as a floor, so a product
   * that sells is browsed in proportion and one that never sold is still looked at. Without it
   * every product got the same traffic, and the best sellers showed more orders than carts
   * (a cart → order rate of 166 % on the sales dashboard).
   */
  productWeights: number[];
}

/** The shop's products and how popular their orders say they are (see `DemoProducts`). */
export async function listDemoProducts(pool: Pool): Promise<DemoProducts> {
  const { rows } = await pool.query<{ id: string; lines: number }>(
    `SELECT p.id::text AS id, (SELECT count(*) FROM order_items i WHERE i.product_id = p.id)::integer AS lines
       FROM products p ORDER BY p.id`,
  );
  const mean = rows.length === 0 ? 0 : rows.reduce((sum, row) => sum + row.lines, 0) / rows.length;
  const floor = Math.max(1, mean / 2);
  return { productIds: rows.map((row) => row.id), productWeights: rows.map((row) => row.lines + floor) };
}
