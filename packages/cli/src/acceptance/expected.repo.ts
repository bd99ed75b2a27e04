import type { Pool } from '@threadline/db';

/**
 * The acceptance suite's own answers, computed straight from the shop database — never through
 * the lake, the pipeline or the insight code — to compare each dashboard's headline figures with.
 * Sold = not cancelled or refunded; a day is a calendar day in the shop's time zone.
 */

interface Window {
  from: string;
  to: string;
  timeZone: string;
}

const IN_WINDOW = `o.placed_at >= ($1::date::timestamp AT TIME ZONE $3) AND o.placed_at < (($2::date + 1)::timestamp AT TIME ZONE $3)`;
const SOLD = `o.status NOT IN ('cancelled', 'refunded')`;

export interface ExpectedDay {
  date: string;
  orders: number;
  units: number;
  revenueCents: number;
}

/** Revenue, orders and units per shop day. */
export async function expectedSalesByDay(pool: Pool, window: Window): Promise<ExpectedDay[]> {
  const { rows } = await pool.query<{ day: string; orders: string; units: string; revenue: string }>(
    `SELECT ((o.placed_at AT TIME ZONE $3)::date)::text AS day, count(DISTINCT o.id) AS orders, sum(i.quantity) AS units,
            sum(i.quantity::bigint * i.unit_price_cents) AS revenue
       FROM orders o JOIN order_items i ON i.order_id = o.id
      WHERE ${IN_WINDOW} AND ${SOLD}
      GROUP BY 1 ORDER BY 1`,
    [window.from, window.to, window.timeZone],
  );
  return rows.map((row) => ({ date: row.day, orders: Number(row.orders), units: Number(row.units), revenueCents: Number(row.revenue) }));
}

export interface ExpectedSegment {
  segment: string;
  units: number;
  /** product ids by units, then revenue, then id */
  topProducts: Array<{ productId: number; units: number }>;
}

/** Customer attribute a segment is cut by, as the shop database holds it. */
export type SegmentColumn = 'age_band' | 'ship_country';

/** Top products per segment (age band of the customer, or the ship-to country of the order). */
export async function expectedSegments(pool: Pool, window: Window & { column: SegmentColumn; limit: number }): Promise<ExpectedSegment[]> {
  const segment = window.column === 'age_band' ? `coalesce(u.age_band, 'unknown')` : `coalesce(o.ship_country, 'unknown')`;
  const { rows } = await pool.query<{ segment: string; product_id: string; units: string; segment_units: string; position: string }>(
    `WITH lines AS (
       SELECT ${segment} AS segment, i.product_id, i.quantity, i.quantity::bigint * i.unit_price_cents AS total
         FROM orders o JOIN order_items i ON i.order_id = o.id
         LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL
        WHERE ${IN_WINDOW} AND ${SOLD}),
     per_product AS (SELECT segment, product_id, sum(quantity) AS units, sum(total) AS revenue FROM lines GROUP BY 1, 2),
     ranked AS (SELECT *, row_number() OVER (PARTITION BY segment ORDER BY units DESC, revenue DESC, product_id) AS position,
                       sum(units) OVER (PARTITION BY segment) AS segment_units FROM per_product)
     SELECT segment, product_id, units, segment_units, position FROM ranked WHERE position <= $4 ORDER BY segment, position`,
    [window.from, window.to, window.timeZone, window.limit],
  );
  const segments = new Map<string, ExpectedSegment>();
  for (const row of rows) {
    const entry = segments.get(row.segment) ?? { segment: row.segment, units: Number(row.segment_units), topProducts: [] };
    entry.topProducts.push({ productId: Number(row.product_id), units: Number(row.units) });
    segments.set(row.segment, entry);
  }
  return [...segments.values()];
}

export interface ExpectedProductReviews {
  productId: number;
  reviews: number;
  averageRating: number;
}

/** Review count and mean rating per product, reviews written in the window. */
export async function expectedReviewsByProduct(pool: Pool, window: Window): Promise<ExpectedProductReviews[]> {
  const { rows } = await pool.query<{ product_id: string; reviews: string; average: string }>(
    `SELECT product_id, count(*) AS reviews, avg(rating) AS average FROM reviews
      WHERE created_at >= ($1::date::timestamp AT TIME ZONE $3) AND created_at < (($2::date + 1)::timestamp AT TIME ZONE $3)
      GROUP BY 1 ORDER BY 1`,
    [window.from, window.to, window.timeZone],
  );
  return rows.map((row) => ({ productId: Number(row.product_id), reviews: Number(row.reviews), averageRating: Number(row.average) }));
}
