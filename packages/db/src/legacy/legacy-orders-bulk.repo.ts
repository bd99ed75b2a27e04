import type { PoolClient } from '../pool.js';
import { analyseStage, copyIntoStage, mapRows, type StageValue } from './copy-stage.js';
import { loadIntoEmptyTables } from './empty-table-load.js';
import { ensureLegacySeller, LEGACY_SELLER_EMAIL } from './legacy-import.repo.js';
import { summariseOrderLines } from './order-line-summaries.js';
import type { StagedOrderLine } from './staged-order-line.js';

/**
 * Set-based import of legacy order lines: the parsed lines are COPYed into a temporary staging
 * table, then products, customers, orders and lines are upserted with a handful of statements,
 * whatever the size of the file. Everything runs inside the caller's transaction.
 */

export type { StagedOrderLine } from './staged-order-line.js';

const STAGE = 'legacy_stage_lines';
/** one row per product the lines create or update, and one per variant SKU they name */
const STAGED_PRODUCTS = 'legacy_stage_line_products';
const STAGED_VARIANTS = 'legacy_stage_line_variants';
/**
 * What each line stages: its own values and what it is resolved by. The order's own fields (date,
 * status, ship-to, method) are the same on every line of an order and staged once per order.
 */
const STAGE_COLUMNS = [
  'row_number', 'order_key', 'customer_legacy_id', 'customer_email', 'product_legacy_id', 'sku', 'variant_sku', 'size', 'colour',
  'product_name', 'quantity', 'line_total_cents', 'unit_price_cents', 'discount_rate', 'cost_cents', 'profit_cents',
] as const;

function stageRow(line: StagedOrderLine): StageValue[] {
  return [
    line.rowNumber, line.orderKey, line.customerLegacyId, line.customerEmail, line.productLegacyId, line.sku, line.variantSku,
    line.size, line.colour, line.productName, line.quantity, line.lineTotalCents, line.unitPriceCents, line.discountRate,
    line.costCents, line.profitCents,
  ];
}

const ORDER_COLUMNS = [
  'order_key', 'first_row', 'split_of', 'status', 'placed_at', 'ship_country', 'ship_region', 'ship_city', 'ship_postal_code',
  'sales_territory', 'shipping_method', 'subtotal_cents', 'shipping_cents', 'shipped_at',
] as const;

/** one row per product category and sub-category the lines name, per product name used, per customer, per order */
const STAGED_CATEGORIES = 'legacy_stage_line_categories';
const STAGED_NAMES = 'legacy_stage_line_names';
const STAGED_CUSTOMERS = 'legacy_stage_line_customers';
const STAGED_ORDERS = 'legacy_stage_line_orders';

/**
 * Creates the staging tables (dropped at commit or rollback) and COPYs the lines in, with the
 * summaries of their products, variants, categories, customers and orders (made in one pass
 * over the lines here, so the upserts below never sort or group the whole file again).
 */
export async function stageOrderLines(client: PoolClient, lines: readonly StagedOrderLine[]): Promise<void> {
  await client.query(`
    CREATE TEMP TABLE ${STAGE} (
      row_number int PRIMARY KEY, order_key text NOT NULL, customer_legacy_id text, customer_email text, product_legacy_id text,
      sku text, variant_sku text, size text, colour text, product_name text, quantity int NOT NULL, line_total_cents int NOT NULL,
      unit_price_cents int NOT NULL, discount_rate numeric(5,4), cost_cents int, profit_cents int
    ) ON COMMIT DROP;
    CREATE TEMP TABLE legacy_stage_orders (order_key text PRIMARY KEY, order_id bigint NOT NULL, is_new boolean NOT NULL) ON COMMIT DROP;
    CREATE TEMP TABLE ${STAGED_PRODUCTS} (
      product_legacy_id text PRIMARY KEY, latest_name text NOT NULL, slug text NOT NULL, mapped_created_at timestamptz,
      born_at timestamptz NOT NULL, units_sold int NOT NULL
    ) ON COMMIT DROP;
    CREATE TEMP TABLE ${STAGED_VARIANTS} (
      variant_sku text PRIMARY KEY, product_legacy_id text, size text NOT NULL, colour text NOT NULL, unit_price_cents int NOT NULL
    ) ON COMMIT DROP;
    CREATE TEMP TABLE ${STAGED_CATEGORIES} (slug text NOT NULL, name text NOT NULL, parent_slug text, is_sub boolean NOT NULL) ON COMMIT DROP;
    CREATE TEMP TABLE ${STAGED_NAMES} (
      product_legacy_id text NOT NULL, name text NOT NULL, first_seen timestamptz NOT NULL, last_seen timestamptz NOT NULL
    ) ON COMMIT DROP;
    CREATE TEMP TABLE ${STAGED_CUSTOMERS} (
      customer_legacy_id text PRIMARY KEY, customer_name text NOT NULL, customer_segment text, customer_email text,
      first_order timestamptz NOT NULL
    ) ON COMMIT DROP;
    CREATE TEMP TABLE ${STAGED_ORDERS} (
      order_key text PRIMARY KEY, first_row int NOT NULL, split_of text, status text NOT NULL, placed_at timestamptz NOT NULL,
      ship_country char(2), ship_region text, ship_city text, ship_postal_code text, sales_territory text, shipping_method text,
      subtotal_cents int NOT NULL, shipping_cents int NOT NULL, shipped_at timestamptz
    ) ON COMMIT DROP`);
  const summaries = summariseOrderLines(lines);
  await copyIntoStage(client, STAGE, STAGE_COLUMNS, mapRows(lines, stageRow), {
    analysed: ['row_number', 'order_key', 'customer_legacy_id', 'customer_email', 'product_legacy_id', 'variant_sku'],
  });
  await copyIntoStage(
    client, STAGED_PRODUCTS, ['product_legacy_id', 'latest_name', 'slug', 'mapped_created_at', 'born_at', 'units_sold'],
    summaries.products.map((p) => [p.productLegacyId, p.latestName, p.slug, p.mappedCreatedAt, p.bornAt, p.unitsSold]),
    { analysed: ['product_legacy_id', 'slug'] },
  );
  await copyIntoStage(
    client, STAGED_VARIANTS, ['variant_sku', 'product_legacy_id', 'size', 'colour', 'unit_price_cents'],
    summaries.variants.map((v) => [v.variantSku, v.productLegacyId, v.size, v.colour, v.unitPriceCents]),
    { analysed: ['variant_sku', 'product_legacy_id', 'colour'] },
  );
  await copyIntoStage(
    client, STAGED_CATEGORIES, ['slug', 'name', 'parent_slug', 'is_sub'],
    summaries.categories.map((c) => [c.slug, c.name, c.parentSlug, c.isSub]),
  );
  await copyIntoStage(
    client, STAGED_NAMES, ['product_legacy_id', 'name', 'first_seen', 'last_seen'],
    summaries.productNames.map((n) => [n.productLegacyId, n.name, n.firstSeen, n.lastSeen]),
    { analysed: ['product_legacy_id'] },
  );
  await copyIntoStage(
    client, STAGED_CUSTOMERS, ['customer_legacy_id', 'customer_name', 'customer_segment', 'customer_email', 'first_order'],
    summaries.customers.map((c) => [c.customerLegacyId, c.name, c.segment, c.email, c.firstOrder]),
    { analysed: ['customer_legacy_id'] },
  );
  await copyIntoStage(
    client, STAGED_ORDERS, ORDER_COLUMNS,
    mapRows(summaries.orders, ({ orderKey, first, subtotalCents, shippingCents, shippedAt }) => [
      orderKey, first.rowNumber, first.splitOf, first.status, first.placedAt, first.shipCountry, first.shipRegion, first.shipCity,
      first.shipPostalCode, first.salesTerritory, first.shippingMethod, subtotalCents, shippingCents, shippedAt,
    ]),
    { analysed: ['order_key', 'first_row'] },
  );
}

/**
 * Products named by the lines themselves (a flat export: Product ID, Product Name, Category…):
 * categories (category → sub-category), products and one variant each are upserted. The latest
 * name (by order date) wins; every name used is kept in product_name_history. `created_at` is the
 * mapped date, else the first sale, and a re-import moves it accordingly.
 */
export async function upsertStagedProducts(client: PoolClient): Promise<void> {
  const sellerId = await ensureLegacySeller(client);
  await client.query(`
    INSERT INTO categories (slug, name) SELECT slug, name FROM ${STAGED_CATEGORIES} WHERE NOT is_sub
    ON CONFLICT (slug) DO NOTHING`);
  await client.query(`
    INSERT INTO categories (slug, name, parent_id)
    SELECT s.slug, s.name, c.id FROM ${STAGED_CATEGORIES} s LEFT JOIN categories c ON c.slug = s.parent_slug WHERE s.is_sub
    ON CONFLICT (slug) DO UPDATE SET parent_id = coalesce(categories.parent_id, EXCLUDED.parent_id)`);
  await client.query(`
    INSERT INTO categories (slug, name)
    SELECT 'uncategorised', 'Uncategorised' WHERE EXISTS (SELECT 1 FROM ${STAGED_PRODUCTS} WHERE slug = 'uncategorised')
    ON CONFLICT (slug) DO NOTHING`);
  // a shop moving in (no products yet): products and their names are loaded with their foreign keys
  // checked once and their indexes (three GIN search indexes among them) built after the load; the
  // variants keep their indexes, which the statement trigger of their minimum price looks them up by
  const isLoaded = await loadIntoEmptyTables(
    client,
    ['products', 'product_variants', 'product_name_history'],
    async () => {
      await writeStagedProducts(client, sellerId);
      return true;
    },
    { keepIndexesOf: ['product_variants'] },
  );
  if (isLoaded === undefined) await writeStagedProducts(client, sellerId);
}

/** The products, names and variants of upsertStagedProducts (categories and seller are there). */
async function writeStagedProducts(client: PoolClient, sellerId: number): Promise<void> {
  // names the products had before this import, so a rename through a re-import is listed too
  await client.query(`
    INSERT INTO product_name_history (product_id, name, first_seen, last_seen)
    SELECT p.id, p.name, p.created_at, NULL
      FROM products p JOIN ${STAGED_PRODUCTS} s ON s.product_legacy_id = p.legacy_id
    ON CONFLICT (product_id, name) DO NOTHING`);
  await client.query(
    `INSERT INTO products (legacy_id, seller_id, category_id, name, description, status, published_at, created_at, min_price_cents,
                           units_sold)
     SELECT l.product_legacy_id, $1, c.id, l.latest_name, '', 'published', l.born_at, l.born_at, m.min_price_cents, l.units_sold
       FROM ${STAGED_PRODUCTS} l JOIN categories c ON c.slug = l.slug
       -- the cheapest of the variants inserted below, so that their insert leaves a new product alone
       LEFT JOIN (SELECT product_legacy_id, min(unit_price_cents) AS min_price_cents FROM ${STAGED_VARIANTS} GROUP BY product_legacy_id) m
         USING (product_legacy_id)
     ON CONFLICT (legacy_id) DO UPDATE
       SET name = EXCLUDED.name, category_id = EXCLUDED.category_id,
           created_at = least(products.created_at, EXCLUDED.created_at),
           published_at = least(products.published_at, EXCLUDED.published_at)
       -- an unchanged product is not rewritten (nor are its search entries)
       WHERE (products.name, products.category_id, products.created_at, products.published_at)
             IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.category_id, least(products.created_at, EXCLUDED.created_at),
                               least(products.published_at, EXCLUDED.published_at))`,
    [sellerId],
  );
  // a mapped creation date is taken as given, also when a re-import moves it later
  await client.query(`
    UPDATE products p SET created_at = m.mapped_created_at, published_at = m.mapped_created_at
      FROM ${STAGED_PRODUCTS} m
     WHERE m.mapped_created_at IS NOT NULL AND p.legacy_id = m.product_legacy_id
       AND (p.created_at, p.published_at) IS DISTINCT FROM (m.mapped_created_at, m.mapped_created_at)`);
  // every name used, with when it was used; a re-import of the same lines rewrites nothing
  await client.query(`
    INSERT INTO product_name_history (product_id, name, first_seen, last_seen)
    SELECT p.id, s.name, s.first_seen, s.last_seen
      FROM ${STAGED_NAMES} s JOIN products p ON p.legacy_id = s.product_legacy_id
    ON CONFLICT (product_id, name) DO UPDATE
      SET first_seen = least(product_name_history.first_seen, EXCLUDED.first_seen),
          last_seen = greatest(product_name_history.last_seen, EXCLUDED.last_seen)
      WHERE (product_name_history.first_seen, product_name_history.last_seen)
            IS DISTINCT FROM (least(product_name_history.first_seen, EXCLUDED.first_seen),
                              greatest(product_name_history.last_seen, EXCLUDED.last_seen))`);
  // one variant per SKU the lines name (derived from product, size and colour when the export has
  // none), the colour family looked up once per distinct colour; SKUs already there are left alone
  await client.query(`
    -- MATERIALIZED: inlined, the subquery's colour_family_of(colour) ran once per joined row, not per colour
    WITH families AS MATERIALIZED (
      SELECT colour, colour_family_of(colour) AS family FROM (SELECT DISTINCT colour FROM ${STAGED_VARIANTS}) c
    )
    INSERT INTO product_variants (product_id, sku, size, colour, price_cents, stock, colour_family)
    SELECT p.id, s.variant_sku, s.size, s.colour, s.unit_price_cents, 0, f.family
      FROM ${STAGED_VARIANTS} s JOIN products p ON p.legacy_id = s.product_legacy_id JOIN families f USING (colour)
     WHERE NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.sku = s.variant_sku)
     ORDER BY p.id, s.variant_sku
    ON CONFLICT (sku) DO NOTHING`);
}

/**
 * Customers named by the lines themselves (Customer ID, Customer Name, Segment): created without a
 * password (claimable later), without an e-mail unless the export has one that no account uses.
 */
export async function upsertStagedCustomers(client: PoolClient): Promise<void> {
  await client.query(`
    INSERT INTO users (legacy_id, email, name, role, customer_segment, created_at)
    SELECT l.customer_legacy_id,
           CASE WHEN l.customer_email IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = lower(l.customer_email)) THEN l.customer_email END,
           l.customer_name, 'customer', l.customer_segment, l.first_order
      FROM ${STAGED_CUSTOMERS} l
    ON CONFLICT (legacy_id) DO UPDATE
      SET name = EXCLUDED.name, customer_segment = coalesce(EXCLUDED.customer_segment, users.customer_segment),
          email = coalesce(users.email, EXCLUDED.email), created_at = least(users.created_at, EXCLUDED.created_at)
      WHERE (users.name, users.customer_segment, users.email, users.created_at)
            IS DISTINCT FROM (EXCLUDED.name, coalesce(EXCLUDED.customer_segment, users.customer_segment),
                              coalesce(users.email, EXCLUDED.email), least(users.created_at, EXCLUDED.created_at))`);
}

export interface UnresolvedLine {
  rowNumber: number;
  orderKey: string;
  column: 'sku' | 'product_legacy_id' | 'customer_legacy_id';
  reason: string;
}

const RESOLVED = 'legacy_stage_resolved';
/** the pg_advisory_xact_lock key an import holds while it writes legacy orders (until its commit) */
const LEGACY_ORDERS_LOCK = 0x7e1e_0a0d;

/**
 * Resolves every line to its variant and customer in one pass (index lookups per line, no
 * rewrites of the staging table); returns the lines that name unknown ones.
 */
export async function resolveStagedLines(client: PoolClient): Promise<UnresolvedLine[]> {
  await client.query(`
    CREATE TEMP TABLE ${RESOLVED} ON COMMIT DROP AS
    SELECT s.*, coalesce(v1.id, v2.id) AS variant_id, coalesce(v1.product_id, v2.product_id) AS product_id, p.seller_id,
           p.name AS snapshot_name, coalesce(v1.size, v2.size) AS snapshot_size, coalesce(v1.colour, v2.colour) AS snapshot_colour,
           coalesce(by_id.id, by_email.id) AS user_id
      FROM ${STAGE} s
      -- by SKU as a plain join (hash or merge over the lines, not one index probe per line)
      LEFT JOIN product_variants v1 ON v1.sku = s.variant_sku
      -- lines without a SKU: the product's first variant of that size and colour
      LEFT JOIN LATERAL (
        SELECT v2.id, v2.product_id, v2.size, v2.colour
          FROM products p2 JOIN product_variants v2 ON v2.product_id = p2.id
         WHERE s.variant_sku IS NULL AND p2.legacy_id = s.product_legacy_id
           AND (s.size IS NULL OR v2.size = s.size) AND (s.colour IS NULL OR v2.colour = s.colour)
         ORDER BY v2.id LIMIT 1
      ) v2 ON true
      LEFT JOIN products p ON p.id = coalesce(v1.product_id, v2.product_id)
      LEFT JOIN users by_id ON by_id.legacy_id = s.customer_legacy_id
      LEFT JOIN users by_email ON s.customer_legacy_id IS NULL AND lower(by_email.email) = lower(s.customer_email)`);
  await analyseStage(client, RESOLVED, ['row_number', 'order_key', 'variant_id', 'product_id', 'user_id']);
  const { rows } = await client.query<{ row_number: number; order_key: string; missing: string; ref: string }>(`
    SELECT row_number, order_key,
           CASE WHEN variant_id IS NULL THEN CASE WHEN sku IS NOT NULL THEN 'sku' ELSE 'product_legacy_id' END ELSE 'customer_legacy_id' END AS missing,
           CASE WHEN variant_id IS NULL THEN coalesce(sku, product_legacy_id) ELSE coalesce(customer_legacy_id, customer_email) END AS ref
      FROM ${RESOLVED}
     WHERE variant_id IS NULL OR (user_id IS NULL AND (customer_legacy_id IS NOT NULL OR customer_email IS NOT NULL))
     ORDER BY row_number`);
  return rows.map((row) => ({
    rowNumber: row.row_number,
    orderKey: row.order_key,
    column: row.missing as UnresolvedLine['column'], // one of the three literals of the CASE above
    reason: row.missing === 'customer_legacy_id'
      ? `unknown customer ${row.ref}; import customers first or map customer_name`
      : `unknown product ${row.ref}; import products first or map product_name`,
  }));
}

/** Drops whole orders from the staging table (rejected ones); their lines are never written. */
export async function dropStagedOrders(client: PoolClient, orderKeys: readonly string[]): Promise<void> {
  if (orderKeys.length > 0) await client.query(`DELETE FROM ${RESOLVED} WHERE order_key = ANY($1)`, [orderKeys]);
}

export interface WrittenOrders {
  created: number;
  updated: number;
  productIds: number[];
}

/**
 * Upserts the staged orders and their lines. Orders keep their historical dates and amounts and
 * never touch stock; lines are matched to existing ones by variant (in order) so a re-run updates
 * them in place and keeps reviews attached to them.
 */
export async function writeStagedOrders(client: PoolClient, currency: string): Promise<WrittenOrders> {
  // one order import at a time writes legacy orders, so whether some of these orders are there
  // already cannot change between the look below and the insert
  await client.query('SELECT pg_advisory_xact_lock($1)', [LEGACY_ORDERS_LOCK]);
  const { rows: known } = await client.query<{ is_known: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${STAGED_ORDERS} s JOIN orders o ON o.legacy_id = s.order_key) AS is_known`,
  );
  // into a shop that has none of these orders, a plain insert (no speculative insertion and
  // conflict check per order, no second look for the orders that were there unchanged)
  const isEveryOrderNew = known[0]?.is_known === false;
  const insertOrders = (): Promise<{ rowCount: number | null }> => client.query(
    // the order's fields from its first line (by row number), its amounts summed when staged
    `WITH per_order AS (
       SELECT o.order_key, o.split_of, r.user_id, o.status, o.placed_at, o.ship_country, o.ship_region, o.ship_city,
              o.ship_postal_code, o.sales_territory, o.shipping_method, o.subtotal_cents AS subtotal,
              o.shipping_cents AS shipping, o.shipped_at
         FROM ${STAGED_ORDERS} o JOIN ${RESOLVED} r ON r.row_number = o.first_row
     ), method_names AS MATERIALIZED (
       -- the order keeps the method's name as the checkout does ("Standard", "International
       -- standard"): the rate for the ship-to country, else the one for every other country;
       -- looked up once per method and country, not once per order
       SELECT m.shipping_method, m.ship_country,
              coalesce((SELECT r.name FROM shipping_rates r
                         WHERE r.code = m.shipping_method AND (r.country = m.ship_country OR r.country IS NULL)
                         ORDER BY r.country NULLS LAST LIMIT 1), m.shipping_method) AS name
         FROM (SELECT DISTINCT shipping_method, ship_country FROM ${STAGED_ORDERS}) m
     ), upserted AS (
       INSERT INTO orders (legacy_id, legacy_split_of, user_id, status, currency, subtotal_cents, shipping_cents, total_cents,
                           source, placed_at, created_at, paid_at, shipped_at, delivered_at, cancelled_at, refunded_at,
                           ship_country, ship_region, ship_city, ship_postal_code, sales_territory, shipping_method)
       SELECT o.order_key, o.split_of, o.user_id, o.status::order_status, $1, o.subtotal, o.shipping, o.subtotal + o.shipping,
              'legacy', o.placed_at, o.placed_at,
              CASE WHEN o.status IN ('paid', 'shipped', 'delivered', 'refunded') THEN o.placed_at END,
              CASE WHEN o.status IN ('shipped', 'delivered') THEN coalesce(o.shipped_at, o.placed_at) END,
              CASE WHEN o.status = 'delivered' THEN coalesce(o.shipped_at, o.placed_at) END,
              CASE WHEN o.status = 'cancelled' THEN o.placed_at END,
              CASE WHEN o.status = 'refunded' THEN o.placed_at END,
              o.ship_country, o.ship_region, o.ship_city, o.ship_postal_code, o.sales_territory, n.name
         FROM per_order o
         JOIN method_names n ON n.shipping_method IS NOT DISTINCT FROM o.shipping_method AND n.ship_country IS NOT DISTINCT FROM o.ship_country
       ${isEveryOrderNew ? '' : `ON CONFLICT (legacy_id) DO UPDATE
         SET legacy_split_of = EXCLUDED.legacy_split_of, user_id = EXCLUDED.user_id, status = EXCLUDED.status,
             currency = EXCLUDED.currency, subtotal_cents = EXCLUDED.subtotal_cents, shipping_cents = EXCLUDED.shipping_cents,
             total_cents = EXCLUDED.total_cents, placed_at = EXCLUDED.placed_at, paid_at = EXCLUDED.paid_at,
             shipped_at = EXCLUDED.shipped_at, delivered_at = EXCLUDED.delivered_at, cancelled_at = EXCLUDED.cancelled_at,
             refunded_at = EXCLUDED.refunded_at, ship_country = EXCLUDED.ship_country, ship_region = EXCLUDED.ship_region,
             ship_city = EXCLUDED.ship_city, ship_postal_code = EXCLUDED.ship_postal_code,
             sales_territory = EXCLUDED.sales_territory, shipping_method = EXCLUDED.shipping_method
         -- an order that did not change is not rewritten (a re-run of the same export writes nothing)
         WHERE (orders.legacy_split_of, orders.user_id, orders.status, orders.currency, orders.subtotal_cents, orders.shipping_cents,
                orders.total_cents, orders.placed_at, orders.paid_at, orders.shipped_at, orders.delivered_at, orders.cancelled_at,
                orders.refunded_at, orders.ship_country, orders.ship_region, orders.ship_city, orders.ship_postal_code,
                orders.sales_territory, orders.shipping_method)
               IS DISTINCT FROM
               (EXCLUDED.legacy_split_of, EXCLUDED.user_id, EXCLUDED.status, EXCLUDED.currency, EXCLUDED.subtotal_cents,
                EXCLUDED.shipping_cents, EXCLUDED.total_cents, EXCLUDED.placed_at, EXCLUDED.paid_at, EXCLUDED.shipped_at,
                EXCLUDED.delivered_at, EXCLUDED.cancelled_at, EXCLUDED.refunded_at, EXCLUDED.ship_country, EXCLUDED.ship_region,
                EXCLUDED.ship_city, EXCLUDED.ship_postal_code, EXCLUDED.sales_territory, EXCLUDED.shipping_method)`}
       RETURNING id, legacy_id, (xmax = 0) AS is_new
     )
     INSERT INTO legacy_stage_orders (order_key, order_id, is_new) SELECT legacy_id, id, is_new FROM upserted`,
    [currency],
  );
  // every order is new, so none has lines yet: nothing to pair, delete or update, and the lines
  // go in straight from the resolved staging table (no second copy of every line, no window sort)
  const insertNewLines = (): Promise<unknown> => client.query(`
    INSERT INTO order_items (order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, line_total_cents,
                             discount_rate, cost_cents, profit_cents, product_name, size, colour)
    SELECT o.order_id, s.product_id, s.variant_id, s.seller_id, s.quantity, s.unit_price_cents, s.line_total_cents, s.discount_rate,
           s.cost_cents, s.profit_cents, coalesce(s.product_name, s.snapshot_name), s.snapshot_size, s.snapshot_colour
      FROM ${RESOLVED} s JOIN legacy_stage_orders o USING (order_key) ORDER BY s.row_number`);
  // a shop moving in (no orders at all yet): orders and lines are loaded with their foreign keys
  // checked once for the whole load and their indexes built after it (loadIntoEmptyTables)
  const loadedIntoEmpty = isEveryOrderNew
    ? await loadIntoEmptyTables(client, ['orders', 'order_items'], async () => {
      const orders = await insertOrders();
      await insertNewLines();
      return orders.rowCount ?? 0;
    })
    : undefined;
  if (loadedIntoEmpty !== undefined) {
    const products = await datePlacedProducts(client);
    return { created: loadedIntoEmpty, updated: 0, productIds: products };
  }
  const inserted = await insertOrders();
  let created = inserted.rowCount ?? 0;
  let updated = 0;
  if (!isEveryOrderNew) {
    // the orders that were already there as imported (unchanged, so not returned above)
    await client.query(`
      INSERT INTO legacy_stage_orders (order_key, order_id, is_new)
      SELECT o.legacy_id, o.id, false FROM orders o JOIN (SELECT DISTINCT order_key FROM ${RESOLVED}) s ON s.order_key = o.legacy_id
      ON CONFLICT DO NOTHING`);
    const { rows: counts } = await client.query<{ created: number; updated: number }>(
      'SELECT count(*) FILTER (WHERE is_new)::int AS created, count(*) FILTER (WHERE NOT is_new)::int AS updated FROM legacy_stage_orders',
    );
    created = counts[0]?.created ?? 0;
    updated = counts[0]?.updated ?? 0;
  }
  if (updated === 0) await insertNewLines();
  else await writeStagedItemsOfExistingOrders(client);
  return { created, updated, productIds: await datePlacedProducts(client) };
}

/**
 * A product exists from its first sale at the latest, so product_day covers all imported history;
 * the same pass lists the products the lines touch (for their counters).
 */
async function datePlacedProducts(client: PoolClient): Promise<number[]> {
  const { rows: products } = await client.query<{ product_id: string }>(`
    WITH sales AS (
      SELECT r.product_id, min(o.placed_at) AS first_sale
        FROM ${RESOLVED} r JOIN ${STAGED_ORDERS} o USING (order_key) GROUP BY r.product_id
    ), moved AS (
      UPDATE products p SET created_at = f.first_sale, published_at = least(p.published_at, f.first_sale)
        FROM sales f
       WHERE p.id = f.product_id AND p.created_at > f.first_sale
    )
    SELECT product_id FROM sales`);
  return products.map((row) => Number(row.product_id));
}

/**
 * Lines of a re-import (some orders already there): staged lines are paired with the order's
 * existing lines of the same variant, first with first, so a re-run updates them in place and
 * keeps reviews attached; existing lines left unpaired are deleted, the rest inserted.
 */
async function writeStagedItemsOfExistingOrders(client: PoolClient): Promise<void> {
  // pair staged lines with existing lines of the same order and variant, first with first
  await client.query(`
    CREATE TEMP TABLE legacy_stage_items ON COMMIT DROP AS
    WITH staged AS (
      SELECT s.*, o.order_id, row_number() OVER (PARTITION BY o.order_id, s.variant_id ORDER BY s.row_number) AS nth
        FROM ${RESOLVED} s JOIN legacy_stage_orders o USING (order_key)
    ), existing AS (
      SELECT i.id, i.order_id, i.variant_id, row_number() OVER (PARTITION BY i.order_id, i.variant_id ORDER BY i.id) AS nth
        FROM order_items i JOIN legacy_stage_orders o ON o.order_id = i.order_id
    )
    SELECT staged.*, existing.id AS item_id
      FROM staged LEFT JOIN existing USING (order_id, variant_id, nth)`);
  await analyseStage(client, 'legacy_stage_items', ['row_number', 'item_id', 'order_id', 'variant_id']);
  await client.query(`
    DELETE FROM order_items i USING legacy_stage_orders o
     WHERE i.order_id = o.order_id AND NOT EXISTS (SELECT 1 FROM legacy_stage_items t WHERE t.item_id = i.id)`);
  await client.query(`
    UPDATE order_items i
       SET quantity = t.quantity, unit_price_cents = t.unit_price_cents, line_total_cents = t.line_total_cents,
           discount_rate = t.discount_rate, cost_cents = t.cost_cents, profit_cents = t.profit_cents,
           product_name = coalesce(t.product_name, i.product_name)
      FROM legacy_stage_items t
     WHERE t.item_id = i.id
       AND (i.quantity, i.unit_price_cents, i.line_total_cents, i.discount_rate, i.cost_cents, i.profit_cents, i.product_name)
           IS DISTINCT FROM (t.quantity, t.unit_price_cents, t.line_total_cents, t.discount_rate, t.cost_cents, t.profit_cents,
                             coalesce(t.product_name, i.product_name))`);
  await client.query(`
    INSERT INTO order_items (order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, line_total_cents,
                             discount_rate, cost_cents, profit_cents, product_name, size, colour)
    SELECT order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, line_total_cents, discount_rate,
           cost_cents, profit_cents, coalesce(product_name, snapshot_name), snapshot_size, snapshot_colour
      FROM legacy_stage_items WHERE item_id IS NULL ORDER BY row_number`);
}

/** The codes of the shop's active shipping methods (any country): what a ship mode may map to. */
export async function listShippingMethodCodes(client: PoolClient): Promise<string[]> {
  const { rows } = await client.query<{ code: string }>('SELECT DISTINCT code FROM shipping_rates WHERE is_active ORDER BY code');
  return rows.map((row) => row.code);
}

/** The seller account of products that name none (re-exported for the importer's reports). */
export { LEGACY_SELLER_EMAIL };
export { slugifyCategory } from './legacy-import.repo.js';
