import type { PoolClient, Queryable } from '../pool.js';

/** Account that owns imported products whose export names no seller. */
export const LEGACY_SELLER_EMAIL = 'legacy-catalogue@threadline.invalid';

export type Upserted = { id: number; isNew: boolean };

// an export names a few dozen categories on 100,000 lines: each is slugified once (bounded cache)
const slugs = new Map<string, string>();

/** The URL slug of a category name ("Men's Shirts" → "mens-shirts"); empty names → "uncategorised". */
export function slugifyCategory(name: string): string {
  const known = slugs.get(name);
  if (known !== undefined) return known;
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '') || 'uncategorised';
  if (slugs.size >= 10_000) slugs.clear();
  slugs.set(name, slug);
  return slug;
}

export async function ensureLegacySeller(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO users (email, name, role) VALUES ($1, 'Legacy catalogue', 'seller')
     ON CONFLICT (lower(email)) DO UPDATE SET updated_at = users.updated_at
     RETURNING id`,
    [LEGACY_SELLER_EMAIL],
  );
  return rows[0]!.id; // INSERT … RETURNING always yields one row
}

/**
 * Settings of one import transaction (they revert at its end), right after BEGIN:
 * - memory for the set-based statements: the sorts and hashes over a 100,000-line staging table
 *   (DISTINCT ON per product, order and line; the pairing of lines) fit in memory instead of
 *   spilling to temporary files at the default 4 MB;
 * - the import's variant inserts carry the colour family they looked up once per distinct colour,
 *   so the insert trigger does not look up again, row by row, the colours no family is known for
 *   (migration 3000);
 * - a smaller sample for the statistics of the staging tables: ANALYZE reads 300 rows per unit of
 *   the statistics target (30,000 at the default 100) and sorts them for every analysed column,
 *   three times per order import (lines, resolved lines, paired lines). The set-based statements
 *   only need row counts and rough distinct counts to choose hash joins and aggregates, which a
 *   3,000-row sample gives; only staging tables are analysed inside an import.
 */
export async function prepareBulkImport(client: PoolClient): Promise<void> {
  await client.query("SET LOCAL work_mem = '128MB'; SET LOCAL threadline.colour_family_given = 'on'; SET LOCAL default_statistics_target = 10");
}

export interface LegacyCustomer {
  legacyId: string;
  /** null: the old system had none; the account is claimable once an e-mail is added */
  email: string | null;
  name: string;
  ageBand: string | null;
  gender: string | null;
  country: string | null;
  region: string | null;
  stateProvince: string | null;
  customerSegment: string | null;
  marketingConsent: boolean;
  createdAt: Date | null;
}

/**
 * Creates or updates a customer by legacy id. A customer who already has an account with the same
 * email (and no legacy id yet) is linked instead of duplicated. Imported accounts get no password:
 * they are claimed with a reset token.
 */
export async function upsertLegacyCustomer(client: PoolClient, customer: LegacyCustomer): Promise<Upserted | { conflict: string }> {
  const { rows: byEmail } = customer.email === null ? { rows: [] } : await client.query<{ id: number; legacy_id: string | null }>(
    'SELECT id, legacy_id FROM users WHERE lower(email) = lower($1)',
    [customer.email],
  );
  const sameEmail = byEmail[0];
  if (sameEmail && sameEmail.legacy_id !== null && sameEmail.legacy_id !== customer.legacyId) {
    return { conflict: `email already belongs to legacy customer ${sameEmail.legacy_id}` };
  }
  const values = [
    customer.legacyId,
    customer.email,
    customer.name,
    customer.ageBand,
    customer.gender,
    customer.country,
    customer.region,
    customer.stateProvince,
    customer.customerSegment,
    customer.marketingConsent,
    customer.createdAt,
  ];
  if (sameEmail && sameEmail.legacy_id === null) {
    await client.query(
      `UPDATE users SET legacy_id = $1, age_band = coalesce($4, age_band), gender = coalesce($5, gender),
              country = coalesce($6, country), region = coalesce($7, region), state_province = coalesce($8, state_province),
              customer_segment = coalesce($9, customer_segment)
        WHERE id = $12`,
      [...values, sameEmail.id],
    );
    return { id: sameEmail.id, isNew: false };
  }
  const { rows } = await client.query<{ id: number; is_new: boolean }>(
    `INSERT INTO users (legacy_id, email, name, role, age_band, gender, country, region, state_province,
                        customer_segment, marketing_consent, created_at)
     VALUES ($1, $2, $3, 'customer', $4, $5, $6, $7, $8, $9, $10, coalesce($11, now()))
     ON CONFLICT (legacy_id) DO UPDATE
       SET email = coalesce(EXCLUDED.email, users.email), name = EXCLUDED.name, age_band = EXCLUDED.age_band, gender = EXCLUDED.gender,
           country = EXCLUDED.country, region = EXCLUDED.region, state_province = EXCLUDED.state_province,
           customer_segment = EXCLUDED.customer_segment, marketing_consent = EXCLUDED.marketing_consent
     RETURNING id, (xmax = 0) AS is_new`,
    values,
  );
  const row = rows[0]!; // INSERT … RETURNING always yields one row
  return { id: row.id, isNew: row.is_new };
}

export interface VariantRef {
  variantId: number;
  productId: number;
  sellerId: number;
  productName: string;
  size: string;
  colour: string;
}

export async function findUserByLegacyIdOrEmail(client: PoolClient, legacyId?: string, email?: string): Promise<number | undefined> {
  const { rows } = await client.query<{ id: number }>(
    `SELECT id FROM users WHERE ($1::text IS NOT NULL AND legacy_id = $1) OR ($2::text IS NOT NULL AND lower(email) = lower($2))
      ORDER BY (legacy_id = $1) DESC NULLS LAST LIMIT 1`,
    [legacyId ?? null, email ?? null],
  );
  return rows[0]?.id;
}

export interface LegacyOrder {
  legacyId: string;
  userId: number | null;
  status: string;
  currency: string;
  placedAt: Date;
  shippingCents: number;
  lines: Array<VariantRef & { quantity: number; unitPriceCents: number }>;
}

/**
 * Creates or updates an imported order with its historical timestamps and amounts. Stock is not
 * touched: these goods left the warehouse years ago. Lines are matched by variant so a re-run
 * updates them in place (and keeps any reviews attached to them).
 */
export async function upsertLegacyOrder(client: PoolClient, order: LegacyOrder): Promise<Upserted> {
  const subtotal = order.lines.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0);
  const isPaid = ['paid', 'shipped', 'delivered', 'refunded'].includes(order.status);
  const { rows } = await client.query<{ id: number; is_new: boolean }>(
    `INSERT INTO orders (legacy_id, user_id, status, currency, subtotal_cents, shipping_cents, total_cents, source,
                         placed_at, created_at, paid_at, shipped_at, delivered_at, cancelled_at, refunded_at)
     VALUES ($1, $2, $3::text::order_status, $4, $5::int, $6::int, $5::int + $6::int, 'legacy', $7::timestamptz, $7::timestamptz,
             CASE WHEN $8::boolean THEN $7::timestamptz END,
             CASE WHEN $3::text IN ('shipped', 'delivered') THEN $7::timestamptz END,
             CASE WHEN $3::text = 'delivered' THEN $7::timestamptz END,
             CASE WHEN $3::text = 'cancelled' THEN $7::timestamptz END,
             CASE WHEN $3::text = 'refunded' THEN $7::timestamptz END)
     ON CONFLICT (legacy_id) DO UPDATE
       SET user_id = EXCLUDED.user_id, status = EXCLUDED.status, currency = EXCLUDED.currency,
           subtotal_cents = EXCLUDED.subtotal_cents, shipping_cents = EXCLUDED.shipping_cents,
           total_cents = EXCLUDED.total_cents, placed_at = EXCLUDED.placed_at, paid_at = EXCLUDED.paid_at,
           shipped_at = EXCLUDED.shipped_at, delivered_at = EXCLUDED.delivered_at,
           cancelled_at = EXCLUDED.cancelled_at, refunded_at = EXCLUDED.refunded_at
     RETURNING id, (xmax = 0) AS is_new`,
    [order.legacyId, order.userId, order.status, order.currency, subtotal, order.shippingCents, order.placedAt, isPaid],
  );
  const { id, is_new: isNew } = rows[0]!; // INSERT … RETURNING always yields one row
  const { rows: existing } = await client.query<{ id: number; variant_id: number }>(
    'SELECT id, variant_id FROM order_items WHERE order_id = $1',
    [id],
  );
  const kept = new Set<number>();
  for (const line of order.lines) {
    const match = existing.find((item) => item.variant_id === line.variantId && !kept.has(item.id));
    if (match) {
      kept.add(match.id);
      await client.query('UPDATE order_items SET quantity = $2, unit_price_cents = $3 WHERE id = $1', [
        match.id,
        line.quantity,
        line.unitPriceCents,
      ]);
    } else {
      await client.query(
        `INSERT INTO order_items (order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, product_name, size, colour)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [id, line.productId, line.variantId, line.sellerId, line.quantity, line.unitPriceCents, line.productName, line.size, line.colour],
      );
    }
  }
  const stale = existing.filter((item) => !kept.has(item.id)).map((item) => item.id);
  if (stale.length > 0) await client.query('DELETE FROM order_items WHERE id = ANY($1)', [stale]);
  return { id, isNew };
}

/**
 * Recomputes the denormalised counters of products from their facts: units sold (paid, shipped or
 * delivered lines) and ratings. Used after a bulk import touched many products.
 */
export async function refreshProductCounters(client: PoolClient, productIds: readonly number[]): Promise<void> {
  if (productIds.length === 0) return;
  // the ids as a set joined by hash (`= ANY(array)` would compare every line with every id)
  await client.query(
    `WITH target AS (SELECT DISTINCT unnest($1::bigint[]) AS id),
     sold AS (SELECT i.product_id, sum(i.quantity)::int AS units
                FROM order_items i JOIN target t ON t.id = i.product_id JOIN orders o ON o.id = i.order_id
               WHERE o.status IN ('paid', 'shipped', 'delivered')
               GROUP BY i.product_id),
     rated AS (SELECT r.product_id, count(*)::int AS n, sum(r.rating)::int AS total
                 FROM reviews r JOIN target t ON t.id = r.product_id GROUP BY r.product_id)
     UPDATE products p
        SET units_sold = coalesce(s.units, 0), rating_count = coalesce(r.n, 0), rating_sum = coalesce(r.total, 0)
       FROM target
       LEFT JOIN sold s ON s.product_id = target.id
       LEFT JOIN rated r ON r.product_id = target.id
      WHERE p.id = target.id
        -- a product whose counters are right is not rewritten (nor are its search entries)
        AND (p.units_sold, p.rating_count, p.rating_sum) IS DISTINCT FROM (coalesce(s.units, 0), coalesce(r.n, 0), coalesce(r.total, 0))`,
    [productIds],
  );
}

/**
 * Gives a customer imported without an e-mail the address they will sign in with (before a claim
 * link is sent to it). Refuses when the customer already has another e-mail or the address
 * belongs to another account.
 */
export async function setLegacyCustomerEmail(
  db: PoolClient | Queryable,
  input: { legacyId: string; email: string },
): Promise<{ userId: number } | { refused: string }> {
  const { rows } = await db.query<{ id: number; email: string | null }>(
    `SELECT id, email FROM users WHERE legacy_id = $1 AND role = 'customer' AND deleted_at IS NULL`,
    [input.legacyId],
  );
  const customer = rows[0];
  if (!customer) return { refused: `no imported customer with legacy id ${input.legacyId}` };
  if (customer.email !== null) {
    return customer.email.toLowerCase() === input.email.toLowerCase()
      ? { userId: customer.id }
      : { refused: `legacy customer ${input.legacyId} already has the e-mail ${customer.email}` };
  }
  const { rows: taken } = await db.query<{ id: number }>('SELECT id FROM users WHERE lower(email) = lower($1)', [input.email]);
  if (taken[0]) return { refused: `${input.email} already belongs to another account` };
  await db.query('UPDATE users SET email = $2 WHERE id = $1', [customer.id, input.email]);
  return { userId: customer.id };
}
