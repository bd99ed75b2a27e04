import { checkoutRatesColumns, toCheckoutRates, type CheckoutRates, type CheckoutRatesRow } from '../checkout/rates.repo.js';
import type { NewMail } from '../mail/outbox.repo.js';
import { beginAndExecute, type InlinePrepared, type PoolClient, type Queryable } from '../pool.js';

export type OrderStatusValue = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

export interface CheckoutLine {
  variantId: number;
  productId: number;
  sellerId: number;
  productName: string;
  productStatus: 'draft' | 'published' | 'unpublished';
  size: string;
  colour: string;
  unitPriceCents: number;
  quantity: number;
  /** Stock on hand, read under the row lock. */
  stock: number;
}

export interface OrderItemRecord {
  id: number;
  productId: number;
  variantId: number;
  sellerId: number;
  productName: string;
  size: string;
  colour: string;
  quantity: number;
  unitPriceCents: number;
}

export interface OrderRecord {
  id: number;
  userId: number | null;
  status: OrderStatusValue;
  currency: string;
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
  placedAt: Date;
  paidAt: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
  refundedAt: Date | null;
  items: OrderItemRecord[];
  taxCents: number;
  taxLines: OrderTaxLine[];
  shippingMethod: string | null;
  /** Where the order ships; null for orders placed before checkout asked (and some imports). */
  shipTo: ShipTo | null;
  /** The buyer's e-mail when they checked out as a guest. */
  guestEmail: string | null;
}

/** The order's ship-to address: the geography (0700) and the street, name and phone (0710). */
export interface ShipTo {
  name: string | null;
  line1: string | null;
  line2: string | null;
  city: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
  phone: string | null;
}

export interface OrderTaxLine {
  label: string;
  ratePpm: number;
  amountCents: number;
}

interface OrderRow {
  id: number;
  user_id: number | null;
  status: OrderStatusValue;
  currency: string;
  subtotal_cents: number;
  shipping_cents: number;
  total_cents: number;
  placed_at: Date;
  paid_at: Date | null;
  shipped_at: Date | null;
  delivered_at: Date | null;
  cancelled_at: Date | null;
  refunded_at: Date | null;
  items: OrderItemRecord[] | null;
  tax_cents: number;
  tax_lines: OrderTaxLine[] | null;
  shipping_method: string | null;
  ship_name: string | null;
  ship_line1: string | null;
  ship_line2: string | null;
  ship_city: string | null;
  ship_region: string | null;
  ship_postal_code: string | null;
  ship_country: string | null;
  ship_phone: string | null;
  guest_email: string | null;
}

function toOrder(row: OrderRow): OrderRecord {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    currency: row.currency,
    subtotalCents: row.subtotal_cents,
    shippingCents: row.shipping_cents,
    totalCents: row.total_cents,
    placedAt: row.placed_at,
    paidAt: row.paid_at,
    shippedAt: row.shipped_at,
    deliveredAt: row.delivered_at,
    cancelledAt: row.cancelled_at,
    refundedAt: row.refunded_at,
    items: row.items ?? [],
    taxCents: row.tax_cents,
    taxLines: row.tax_lines ?? [],
    shippingMethod: row.shipping_method,
    shipTo:
      row.ship_country === null && row.ship_line1 === null
        ? null
        : {
            name: row.ship_name,
            line1: row.ship_line1,
            line2: row.ship_line2,
            city: row.ship_city,
            region: row.ship_region,
            postalCode: row.ship_postal_code,
            // char(2) comes back as text of length 2
            country: row.ship_country,
            phone: row.ship_phone,
          },
    guestEmail: row.guest_email,
  };
}

/** Items of an order as JSON, optionally only one seller's. */
function itemsJson(sellerParam?: string): string {
  return `(SELECT json_agg(json_build_object('id', oi.id, 'productId', oi.product_id, 'variantId', oi.variant_id,
                 'sellerId', oi.seller_id, 'productName', oi.product_name, 'size', oi.size, 'colour', oi.colour,
                 'quantity', oi.quantity, 'unitPriceCents', oi.unit_price_cents) ORDER BY oi.id)
             FROM order_items oi WHERE oi.order_id = o.id${sellerParam ? ` AND oi.seller_id = ${sellerParam}` : ''}) AS items`;
}

const ORDER_COLUMNS = `o.id, o.user_id, o.status, o.currency, o.subtotal_cents, o.shipping_cents, o.total_cents,
  o.placed_at, o.paid_at, o.shipped_at, o.delivered_at, o.cancelled_at, o.refunded_at,
  o.tax_cents, o.shipping_method, o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region,
  o.ship_postal_code, o.ship_country, o.ship_phone, o.guest_email,
  (SELECT json_agg(json_build_object('label', t.label, 'ratePpm', t.rate_ppm, 'amountCents', t.amount_cents) ORDER BY t.position)
     FROM order_tax_lines t WHERE t.order_id = o.id) AS tax_lines`;

const LOCK_USER_CART: InlinePrepared = { name: 'checkout_lock_user_cart', types: ['bigint'], text: 'SELECT id FROM carts WHERE user_id = $1 FOR UPDATE' };
const LOCK_SESSION_CART: InlinePrepared = { name: 'checkout_lock_session_cart', types: ['bytea'], text: 'SELECT id FROM carts WHERE session_id = $1 FOR UPDATE' };

/**
 * Opens a checkout's transaction and locks the buyer's cart row (the account's, or a guest
 * session's), so that two checkouts of one cart run one after the other, in one round trip
 * (beginAndExecute: the lock waits, and takes its snapshot, as a statement of its own). Pass it
 * to withTransaction as `begin`. Returns the cart id, or null when the buyer has no cart.
 */
export async function beginCheckout(client: PoolClient, buyer: { userId: number } | { sessionIdHash: Buffer }): Promise<number | null> {
  const rows = 'userId' in buyer ? await beginAndExecute(client, LOCK_USER_CART, [buyer.userId]) : await beginAndExecute(client, LOCK_SESSION_CART, [buyer.sessionIdHash]);
  const row = rows[0];
  return typeof row === 'object' && row !== null && 'id' in row && typeof row.id === 'number' ? row.id : null;
}

/**
 * The cart's lines with their variants locked, in variant-id order (a fixed lock order means two
 * checkouts sharing variants can wait on each other but never deadlock).
 */
export async function lockCheckoutLines(db: Queryable, cartId: number): Promise<CheckoutLine[]> {
  const { rows } = await db.query<CheckoutLineRow>(
    `SELECT v.id AS variant_id, p.id AS product_id, p.seller_id, p.name, p.status, v.size, v.colour, v.price_cents,
            ci.quantity, v.stock
       FROM cart_items ci
       JOIN product_variants v ON v.id = ci.variant_id
       JOIN products p ON p.id = v.product_id
      WHERE ci.cart_id = $1
      ORDER BY v.id
        FOR UPDATE OF v`,
    [cartId],
  );
  return rows.map(toCheckoutLine);
}

interface CheckoutLineRow {
  variant_id: number;
  product_id: number;
  seller_id: number;
  name: string;
  status: CheckoutLine['productStatus'];
  size: string;
  colour: string;
  price_cents: number;
  quantity: number;
  stock: number;
}

function toCheckoutLine(row: CheckoutLineRow): CheckoutLine {
  return {
    variantId: row.variant_id,
    productId: row.product_id,
    sellerId: row.seller_id,
    productName: row.name,
    productStatus: row.status,
    size: row.size,
    colour: row.colour,
    unitPriceCents: row.price_cents,
    quantity: row.quantity,
    stock: row.stock,
  };
}

/** A pending order to create (see createPendingOrder). */
export interface NewOrder {
  /** The account's id, or null for a guest (then `guest` is set). */
  userId: number | null;
  guest?: { email: string; tokenHash: Buffer; sessionIdHash: Buffer } | undefined;
  subtotalCents: number;
  shippingCents: number;
  taxCents: number;
  totalCents: number;
  currency: string;
  idempotencyKey: string | null;
  shippingMethod: string;
  shipTo: { name: string; line1: string; line2: string | null; city: string; region: string | null; postalCode: string | null; country: string; phone: string | null };
  taxLines: readonly OrderTaxLine[];
}

/** The order a buyer created with an Idempotency-Key (userId null: a guest's session-prefixed key). */
export async function findOrderIdByIdempotencyKey(db: Queryable, userId: number | null, key: string): Promise<number | null> {
  const { rows } =
    userId === null
      ? await db.query<{ id: number }>('SELECT id FROM orders WHERE user_id IS NULL AND idempotency_key = $1', [key])
      : await db.query<{ id: number }>('SELECT id FROM orders WHERE user_id = $1 AND idempotency_key = $2', [userId, key]);
  return rows[0]?.id ?? null;
}

export async function insertOrderEvent(
  db: Queryable,
  event: { orderId: number; from: OrderStatusValue | null; to: OrderStatusValue; actorId: number | null; reason?: string | null },
): Promise<void> {
  await db.query('INSERT INTO order_events (order_id, from_status, to_status, actor_id, reason) VALUES ($1, $2, $3, $4, $5)', [
    event.orderId,
    event.from,
    event.to,
    event.actorId,
    event.reason ?? null,
  ]);
}

export async function getOrder(db: Queryable, id: number): Promise<OrderRecord | null> {
  const { rows } = await db.query<OrderRow>(`SELECT ${ORDER_COLUMNS}, ${itemsJson()} FROM orders o WHERE o.id = $1`, [id]);
  return rows[0] ? toOrder(rows[0]) : null;
}

export interface LockedOrder {
  status: OrderStatusValue;
  userId: number | null;
  totalCents: number;
  guestTokenHash: Buffer | null;
}

/** Locks an order for a state change and returns its status and owner. */
export async function lockOrder(db: Queryable, id: number): Promise<LockedOrder | null> {
  const { rows } = await db.query<{ status: OrderStatusValue; user_id: number | null; total_cents: number; guest_token_hash: Buffer | null }>(
    'SELECT status, user_id, total_cents, guest_token_hash FROM orders WHERE id = $1 FOR UPDATE',
    [id],
  );
  const row = rows[0];
  return row ? { status: row.status, userId: row.user_id, totalCents: row.total_cents, guestTokenHash: row.guest_token_hash } : null;
}

/** The guest token hash of an order (null for account orders), to check a guest's access. */
export async function findGuestTokenHash(db: Queryable, id: number): Promise<Buffer | null> {
  const { rows } = await db.query<{ guest_token_hash: Buffer | null }>('SELECT guest_token_hash FROM orders WHERE id = $1', [id]);
  return rows[0]?.guest_token_hash ?? null;
}

/** Who to write to about an order: the account's e-mail and name, or the guest's e-mail. */
export async function findOrderRecipient(db: Queryable, id: number): Promise<{ email: string; name: string | null; userId: number | null } | null> {
  const { rows } = await db.query<{ email: string | null; name: string | null; user_id: number | null }>(
    `SELECT coalesce(u.email, o.guest_email) AS email, coalesce(u.name, o.ship_name) AS name, o.user_id
       FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL WHERE o.id = $1`,
    [id],
  );
  const row = rows[0];
  return row && row.email !== null ? { email: row.email, name: row.name, userId: row.user_id } : null;
}

const TIMESTAMP_COLUMNS = new Set(['paid_at', 'shipped_at', 'delivered_at', 'cancelled_at', 'refunded_at']);

/** Sets the status and, when given, the matching timestamp column (from a fixed list). */
export async function setOrderStatus(db: Queryable, id: number, status: OrderStatusValue, timestampColumn: string | null): Promise<void> {
  if (timestampColumn !== null && !TIMESTAMP_COLUMNS.has(timestampColumn)) throw new Error(`not an order timestamp column: ${timestampColumn}`);
  await db.query(`UPDATE orders SET status = $2${timestampColumn ? `, ${timestampColumn} = now()` : ''} WHERE id = $1`, [id, status]);
}

/** Puts an order's units back on the shelf (cancel / refund). */
export async function returnOrderStock(db: Queryable, orderId: number): Promise<void> {
  await db.query(
    `UPDATE product_variants v SET stock = v.stock + s.quantity
       FROM (SELECT variant_id, sum(quantity)::integer AS quantity FROM order_items WHERE order_id = $1 GROUP BY variant_id ORDER BY variant_id) s
      WHERE v.id = s.variant_id`,
    [orderId],
  );
}

/**
 * Adds (or with sign -1 removes) an order's units to the products' units_sold counters: appended
 * to product_units_sold_pending, which foldPendingUnitsSold applies (migration 2400 says why).
 */
export async function addUnitsSold(db: Queryable, orderId: number, sign: 1 | -1): Promise<void> {
  await db.query(
    `INSERT INTO product_units_sold_pending (product_id, quantity)
     SELECT product_id, $2 * sum(quantity)::integer FROM order_items WHERE order_id = $1 GROUP BY product_id`,
    [orderId, sign],
  );
}

/**
 * Moves the pending units sold into products.units_sold: one update per product, in product-id
 * order, for everything appended before this statement began. Safe from several workers at once
 * (a row another pass deleted first is skipped). Returns how many products changed.
 */
export async function foldPendingUnitsSold(db: Queryable): Promise<number> {
  const { rowCount } = await db.query({
    name: 'fold-units-sold',
    text: `WITH moved AS (
             DELETE FROM product_units_sold_pending RETURNING product_id, quantity),
           sums AS (
             SELECT product_id, sum(quantity)::integer AS quantity FROM moved GROUP BY product_id ORDER BY product_id)
         UPDATE products p SET units_sold = GREATEST(0, p.units_sold + sums.quantity)
           FROM sums
          WHERE p.id = sums.product_id AND sums.quantity <> 0`,
  });
  return rowCount ?? 0;
}

export interface OrderPage {
  orders: (OrderRecord & { placedKey: string })[];
  hasMore: boolean;
}

/** A customer's orders, newest first, keyset-paged by (placed_at, id). */
export async function listOrdersForUser(db: Queryable, userId: number, page: { after?: [string, number] | undefined; limit: number }): Promise<OrderPage> {
  const params: unknown[] = [userId];
  let cursor = '';
  if (page.after) {
    params.push(page.after[0], page.after[1]);
    cursor = 'AND (o.placed_at, o.id) < ($2::timestamptz, $3)';
  }
  params.push(page.limit + 1);
  const { rows } = await db.query<OrderRow & { placed_key: string }>(
    `SELECT ${ORDER_COLUMNS}, o.placed_at::text AS placed_key, ${itemsJson()}
       FROM orders o WHERE o.user_id = $1 ${cursor}
      ORDER BY o.placed_at DESC, o.id DESC LIMIT $${params.length}`,
    params,
  );
  return { orders: rows.slice(0, page.limit).map((row) => ({ ...toOrder(row), placedKey: row.placed_key })), hasMore: rows.length > page.limit };
}

/** Orders containing a seller's items (only those items), newest first; admin passes null for all orders. */
export async function listOrdersForSeller(
  db: Queryable,
  sellerId: number | null,
  page: { after?: [string, number] | undefined; limit: number; status?: OrderStatusValue | undefined },
): Promise<OrderPage & { buyers: Map<number, { name: string; email: string }> }> {
  const params: unknown[] = [];
  const where: string[] = [];
  let sellerParam: string | undefined;
  if (sellerId !== null) {
    params.push(sellerId);
    sellerParam = `$${params.length}`;
    where.push(`EXISTS (SELECT 1 FROM order_items s WHERE s.order_id = o.id AND s.seller_id = ${sellerParam})`);
  }
  if (page.status) {
    params.push(page.status);
    where.push(`o.status = $${params.length}`);
  }
  if (page.after) {
    params.push(page.after[0], page.after[1]);
    where.push(`(o.placed_at, o.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
  }
  params.push(page.limit + 1);
  const { rows } = await db.query<OrderRow & { placed_key: string; buyer_name: string | null; buyer_email: string | null }>(
    `SELECT ${ORDER_COLUMNS}, o.placed_at::text AS placed_key, coalesce(u.name, o.ship_name) AS buyer_name, coalesce(u.email, o.guest_email) AS buyer_email, ${itemsJson(sellerParam)}
       FROM orders o LEFT JOIN users u ON u.id = o.user_id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY o.placed_at DESC, o.id DESC LIMIT $${params.length}`,
    params,
  );
  const buyers = new Map<number, { name: string; email: string }>();
  for (const row of rows) if (row.buyer_name !== null && row.buyer_email !== null) buyers.set(row.id, { name: row.buyer_name, email: row.buyer_email });
  return {
    orders: rows.slice(0, page.limit).map((row) => ({ ...toOrder(row), placedKey: row.placed_key })),
    hasMore: rows.length > page.limit,
    buyers,
  };
}

/** True when the seller sold at least one item of the order. */
export async function isSellerOfOrder(db: Queryable, orderId: number, sellerId: number): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM order_items WHERE order_id = $1 AND seller_id = $2 LIMIT 1', [orderId, sellerId]);
  return rows.length > 0;
}

/** Pending orders placed before `olderThan`, oldest first: their reserved stock is waiting for a payment that may never come. */
export async function findStalePendingOrderIds(db: Queryable, olderThan: Date, limit: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    "SELECT id FROM orders WHERE status = 'pending' AND placed_at < $1 ORDER BY placed_at LIMIT $2",
    [olderThan, limit],
  );
  return rows.map((row) => row.id);
}

/** What a checkout finds once it holds the cart lock (see lockCheckoutState). */
export interface CheckoutState {
  /** The order this buyer already created with the same Idempotency-Key, if any. */
  replayOrderId: number | null;
  /** Unpaid orders of the same cart, locked: the new checkout replaces them. */
  earlierPendingIds: number[];
  /** The cart's lines with their variants locked, in variant-id order. */
  lines: CheckoutLine[];
  /** The shipping and tax rates that can price the order to its ship-to place. */
  rates: CheckoutRates;
}

/**
 * The reads a checkout makes under its cart lock, in one statement: the idempotency lookup, the
 * earlier unpaid orders of the same cart (locked), the cart lines with their variants (locked in
 * variant-id order, so checkouts sharing variants never deadlock) and the rates that price the
 * order to its place (once a statement and a transaction of their own before the lock; reading
 * the few rows of one place adds little to the time the locks are held). Run it after the cart
 * lock (beginCheckout), in its own statement, so that its snapshot sees whatever
 * a checkout of the same cart committed while this one waited for the lock.
 */
export async function lockCheckoutState(
  db: Queryable,
  input: {
    cartId: number;
    buyer: { userId: number } | { sessionIdHash: Buffer };
    idempotencyKey: string | null;
    place: { country: string; region: string | null };
  },
): Promise<CheckoutState> {
  const isUser = 'userId' in input.buyer;
  const { rows } = await db.query<CheckoutRatesRow & { replay_id: number | null; earlier_ids: number[] | null; lines: CheckoutLineRow[] | null }>({
    name: isUser ? 'checkout-state-user' : 'checkout-state-guest',
    text: `WITH earlier AS (
             SELECT id FROM orders
              WHERE ${isUser ? "user_id = $2 AND source = 'shop'" : 'user_id IS NULL AND guest_session_hash = $2'} AND status = 'pending'
              ORDER BY id FOR UPDATE),
           lines AS (
             SELECT v.id AS variant_id, p.id AS product_id, p.seller_id, p.name, p.status, v.size, v.colour, v.price_cents, ci.quantity, v.stock
               FROM cart_items ci
               JOIN product_variants v ON v.id = ci.variant_id
               JOIN products p ON p.id = v.product_id
              WHERE ci.cart_id = $1
              ORDER BY v.id
                FOR UPDATE OF v)
         SELECT (SELECT id FROM orders WHERE ${isUser ? 'user_id = $2' : 'user_id IS NULL'} AND idempotency_key = $3) AS replay_id,
                (SELECT array_agg(id ORDER BY id) FROM earlier) AS earlier_ids,
                (SELECT json_agg(lines ORDER BY lines.variant_id) FROM lines) AS lines,
                ${checkoutRatesColumns({ country: '$4::text', region: '$5::text' })}`,
    values: [input.cartId, 'userId' in input.buyer ? input.buyer.userId : input.buyer.sessionIdHash, input.idempotencyKey, input.place.country, input.place.region],
  });
  const row = rows[0];
  return {
    replayOrderId: row?.replay_id ?? null,
    earlierPendingIds: row?.earlier_ids ?? [],
    lines: (row?.lines ?? []).map(toCheckoutLine),
    rates: toCheckoutRates(row),
  };
}

/**
 * Creates a pending order in one statement: the order row with its ship-to address, its tax
 * lines, its items, the stock decrement (the `stock >= quantity` condition stays the last guard
 * against oversell) and the order's first event. With an idempotency key this buyer already used
 * nothing is written and null comes back. `reserved` counts the variants decremented: fewer than
 * the lines means the caller must roll back.
 */
export async function createPendingOrder(
  db: Queryable,
  order: NewOrder & { lines: readonly CheckoutLine[]; actorId: number | null },
): Promise<{ order: OrderRecord; reserved: number } | null> {
  const { lines, taxLines } = order;
  const { rows } = await db.query<OrderRow & { reserved: number }>({
    name: order.userId === null ? 'create-order-guest' : 'create-order-user',
    text: `WITH o AS (
             INSERT INTO orders (user_id, subtotal_cents, shipping_cents, tax_cents, total_cents, currency, idempotency_key, shipping_method,
                                 ship_name, ship_line1, ship_line2, ship_city, ship_region, ship_postal_code, ship_country, ship_phone,
                                 guest_email, guest_token_hash, guest_session_hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
             ON CONFLICT ${order.userId === null ? '(idempotency_key) WHERE user_id IS NULL AND idempotency_key IS NOT NULL' : '(user_id, idempotency_key)'} DO NOTHING
             RETURNING *),
           tax AS (
             INSERT INTO order_tax_lines (order_id, position, label, rate_ppm, amount_cents)
             SELECT o.id, t.position, t.label, t.rate_ppm, t.amount_cents
               FROM o, unnest($20::text[], $21::integer[], $22::integer[]) WITH ORDINALITY AS t(label, rate_ppm, amount_cents, position)
             RETURNING position, label, rate_ppm, amount_cents),
           reserved AS (
             UPDATE product_variants v SET stock = v.stock - l.quantity
               FROM o, unnest($24::bigint[], $26::integer[]) AS l(variant_id, quantity)
              WHERE v.id = l.variant_id AND v.stock >= l.quantity
             RETURNING v.id),
           items AS (
             -- the line total given here: the order_items_line_total trigger (for imports without one) then never fires
             INSERT INTO order_items (order_id, product_id, variant_id, seller_id, quantity, unit_price_cents, product_name, size, colour, line_total_cents)
             SELECT o.id, l.*, l.quantity * l.unit_price_cents
               FROM o, unnest($23::bigint[], $24::bigint[], $25::bigint[], $26::integer[], $27::integer[], $28::text[], $29::text[], $30::text[])
                       AS l(product_id, variant_id, seller_id, quantity, unit_price_cents, product_name, size, colour)
             RETURNING id, product_id, variant_id, seller_id, product_name, size, colour, quantity, unit_price_cents),
           event AS (
             INSERT INTO order_events (order_id, from_status, to_status, actor_id) SELECT o.id, NULL, 'pending', $31 FROM o)
         SELECT o.id, o.user_id, o.status, o.currency, o.subtotal_cents, o.shipping_cents, o.total_cents,
                o.placed_at, o.paid_at, o.shipped_at, o.delivered_at, o.cancelled_at, o.refunded_at,
                o.tax_cents, o.shipping_method, o.ship_name, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region,
                o.ship_postal_code, o.ship_country, o.ship_phone, o.guest_email,
                (SELECT json_agg(json_build_object('label', tax.label, 'ratePpm', tax.rate_ppm, 'amountCents', tax.amount_cents) ORDER BY tax.position) FROM tax) AS tax_lines,
                (SELECT json_agg(json_build_object('id', items.id, 'productId', items.product_id, 'variantId', items.variant_id,
                        'sellerId', items.seller_id, 'productName', items.product_name, 'size', items.size, 'colour', items.colour,
                        'quantity', items.quantity, 'unitPriceCents', items.unit_price_cents) ORDER BY items.id) FROM items) AS items,
                (SELECT count(*)::integer FROM reserved) AS reserved
           FROM o`,
    values: [
      order.userId,
      order.subtotalCents,
      order.shippingCents,
      order.taxCents,
      order.totalCents,
      order.currency,
      order.idempotencyKey,
      order.shippingMethod,
      order.shipTo.name,
      order.shipTo.line1,
      order.shipTo.line2,
      order.shipTo.city,
      order.shipTo.region,
      order.shipTo.postalCode,
      order.shipTo.country,
      order.shipTo.phone,
      order.guest?.email ?? null,
      order.guest?.tokenHash ?? null,
      order.guest?.sessionIdHash ?? null,
      taxLines.map((line) => line.label),
      taxLines.map((line) => line.ratePpm),
      taxLines.map((line) => line.amountCents),
      lines.map((line) => line.productId),
      lines.map((line) => line.variantId),
      lines.map((line) => line.sellerId),
      lines.map((line) => line.quantity),
      lines.map((line) => line.unitPriceCents),
      lines.map((line) => line.productName),
      lines.map((line) => line.size),
      lines.map((line) => line.colour),
      order.actorId,
    ],
  });
  const row = rows[0];
  return row ? { order: toOrder(row), reserved: row.reserved } : null;
}

/** An order locked for payment, with what the confirmation mail needs (see lockOrderForPayment). */
export interface OrderForPayment extends LockedOrder {
  order: OrderRecord;
  /** The account's e-mail and name, or the guest's e-mail and ship-to name; null when neither is known. */
  recipient: { email: string; name: string | null; userId: number | null } | null;
}

/**
 * Locks an order for payment and reads, in the same statement, the order as stored and who to
 * write to: a paid order's confirmation is then rendered without further reads.
 *
 * The buyer's cart row is locked first (an init plan, run before the order row is locked), as a
 * checkout locks it: a payment empties the cart lines it bought, so a checkout of the same cart
 * placed meanwhile waits for the payment and then reads the cart as the payment left it. Without
 * it, a checkout that waited on the paying order read the cart from before the payment and bought
 * its lines a second time. Cart first, then order: the checkout's own order, so never a deadlock.
 */
const LOCK_ORDER_FOR_PAYMENT_SQL = `SELECT ${ORDER_COLUMNS}, ${itemsJson()}, o.guest_token_hash,
                  coalesce(u.email, o.guest_email) AS recipient_email, coalesce(u.name, o.ship_name) AS recipient_name
             FROM orders o LEFT JOIN users u ON u.id = o.user_id AND u.deleted_at IS NULL
            WHERE o.id = $1
              AND (SELECT count(*) FROM (
                     SELECT c.id FROM carts c, orders b
                      WHERE b.id = $1 AND ((b.user_id IS NOT NULL AND c.user_id = b.user_id) OR (b.user_id IS NULL AND c.session_id = b.guest_session_hash))
                        FOR UPDATE OF c) cart) >= 0
              FOR UPDATE OF o`;

type OrderForPaymentRow = OrderRow & { guest_token_hash: Buffer | null; recipient_email: string | null; recipient_name: string | null };

function toOrderForPayment(row: OrderForPaymentRow | undefined): OrderForPayment | null {
  if (!row) return null;
  const order = toOrder(row);
  return {
    status: order.status,
    userId: order.userId,
    totalCents: order.totalCents,
    guestTokenHash: row.guest_token_hash,
    order,
    recipient: row.recipient_email === null ? null : { email: row.recipient_email, name: row.recipient_name, userId: row.user_id },
  };
}

export async function lockOrderForPayment(db: Queryable, id: number): Promise<OrderForPayment | null> {
  const { rows } = await db.query<OrderForPaymentRow>({ name: 'lock-order-for-payment', text: LOCK_ORDER_FOR_PAYMENT_SQL, values: [id] });
  return toOrderForPayment(rows[0]);
}

const LOCK_ORDER_FOR_PAYMENT: InlinePrepared = { name: 'payment_lock_order', types: ['bigint'], text: LOCK_ORDER_FOR_PAYMENT_SQL };

/**
 * Opens a payment's transaction and runs lockOrderForPayment in the same round trip
 * (beginAndExecute). Pass it to withTransaction as `begin`.
 */
export async function beginPayment(client: PoolClient, id: number): Promise<OrderForPayment | null> {
  const rows = await beginAndExecute(client, LOCK_ORDER_FOR_PAYMENT, [id]);
  // the rows of LOCK_ORDER_FOR_PAYMENT_SQL, as lockOrderForPayment types them
  return toOrderForPayment(rows[0] as OrderForPaymentRow | undefined);
}

/** A succeeded charge to record with the paid order (card brand and last four digits only). */
export interface PaidCharge {
  provider: string;
  providerRef: string;
  amountCents: number;
  cardBrand: string | null;
  cardLast4: string | null;
  idempotencyKey: string | null;
}

/**
 * Marks a locked pending order paid in one statement: the succeeded payment (once per provider
 * reference: a provider answering a retry from its memory is not recorded twice), the status and
 * paid_at, the units sold (appended for foldPendingUnitsSold: no product row is locked), the
 * cart lines it bought (a line added after the order was placed stays in the cart), the
 * confirmation mail in the outbox and the order event. The caller holds the order's row lock and has checked the transition.
 */
export async function markOrderPaid(
  db: Queryable,
  change: { orderId: number; from: OrderStatusValue; actorId: number | null; reason: string | null; charge: PaidCharge | null; mail: NewMail | null },
): Promise<void> {
  const { charge, mail } = change;
  await db.query({
    name: 'mark-order-paid',
    text: `WITH payment AS (
             INSERT INTO payments (order_id, provider, provider_ref, status, amount_cents, card_brand, card_last4, error_code, idempotency_key)
             SELECT $1, $4, $5, 'succeeded', $6, $7, $8, NULL, $9 WHERE $4::text IS NOT NULL
             ON CONFLICT (provider, provider_ref) DO NOTHING),
           status AS (
             UPDATE orders SET status = 'paid', paid_at = now() WHERE id = $1),
           sold AS (
             INSERT INTO product_units_sold_pending (product_id, quantity)
             SELECT product_id, sum(quantity)::integer FROM order_items WHERE order_id = $1 GROUP BY product_id),
           cart AS (
             DELETE FROM cart_items ci USING carts c, orders o
              WHERE o.id = $1 AND ci.cart_id = c.id
                AND ((o.user_id IS NOT NULL AND c.user_id = o.user_id) OR (o.user_id IS NULL AND c.session_id = o.guest_session_hash))
                AND ci.variant_id IN (SELECT variant_id FROM order_items WHERE order_id = $1)),
           mail AS (
             INSERT INTO outbox (template, to_address, subject, text_body, html_body, order_id, user_id)
             SELECT $10, $11, $12, $13, $14, $1, $15 WHERE $10::text IS NOT NULL)
         INSERT INTO order_events (order_id, from_status, to_status, actor_id, reason) VALUES ($1, $16, 'paid', $2, $3)`,
    values: [
      change.orderId,
      change.actorId,
      change.reason,
      charge?.provider ?? null,
      charge?.providerRef ?? null,
      charge?.amountCents ?? null,
      charge?.cardBrand ?? null,
      charge?.cardLast4 ?? null,
      charge?.idempotencyKey ?? null,
      mail?.template ?? null,
      mail?.to ?? null,
      mail?.subject ?? null,
      mail?.text ?? null,
      mail?.html ?? null,
      mail?.userId ?? null,
      change.from,
    ],
  });
}
