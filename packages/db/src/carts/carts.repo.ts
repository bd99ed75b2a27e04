import type { Queryable } from '../pool.js';

/** Whose cart: a signed-in user's, or an anonymous session's. */
export type CartOwner = { userId: number } | { sessionIdHash: Buffer };

export interface CartLine {
  variantId: number;
  productId: number;
  productName: string;
  productStatus: 'draft' | 'published' | 'unpublished';
  sku: string;
  size: string;
  colour: string;
  unitPriceCents: number;
  stock: number;
  quantity: number;
  imageKey: string | null;
}

function ownerClause(owner: CartOwner, param: string): string {
  return 'userId' in owner ? `user_id = ${param}` : `session_id = ${param}`;
}

function ownerValue(owner: CartOwner): number | Buffer {
  return 'userId' in owner ? owner.userId : owner.sessionIdHash;
}

/** The owner's cart id, or null when it has none yet. */
export async function findCartId(db: Queryable, owner: CartOwner): Promise<number | null> {
  const { rows } = await db.query<{ id: number }>(`SELECT id FROM carts WHERE ${ownerClause(owner, '$1')}`, [ownerValue(owner)]);
  return rows[0]?.id ?? null;
}

/** The owner's cart id, creating the cart on first use (concurrent first uses share one cart). */
export async function ensureCartId(db: Queryable, owner: CartOwner): Promise<number> {
  const column = 'userId' in owner ? 'user_id' : 'session_id';
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO carts (${column}) VALUES ($1)
     ON CONFLICT (${column}) DO UPDATE SET updated_at = now()
     RETURNING id`,
    [ownerValue(owner)],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('INSERT … RETURNING returned no row');
  return id;
}

interface CartLineRow {
  variant_id: number;
  product_id: number;
  product_name: string;
  product_status: CartLine['productStatus'];
  sku: string;
  size: string;
  colour: string;
  price_cents: number;
  stock: number;
  quantity: number;
  image_key: string | null;
}

/** The columns of a cart line, from `lines` rows (variant_id, quantity, added_at) joined to their variant and product. */
const CART_LINE_SELECT = `SELECT ci.variant_id, v.product_id, p.name AS product_name, p.status AS product_status, v.sku, v.size, v.colour,
            v.price_cents, v.stock, ci.quantity,
            -- the photo of the colour in the cart, else one of any colour, else the first
            (SELECT i.storage_key FROM product_images i WHERE i.product_id = p.id
              ORDER BY CASE WHEN lower(i.colour) = lower(v.colour) THEN 0 WHEN i.colour IS NULL THEN 1 ELSE 2 END, i.position, i.id
              LIMIT 1) AS image_key`;

function toCartLine(row: CartLineRow): CartLine {
  return {
    variantId: row.variant_id,
    productId: row.product_id,
    productName: row.product_name,
    productStatus: row.product_status,
    sku: row.sku,
    size: row.size,
    colour: row.colour,
    unitPriceCents: row.price_cents,
    stock: row.stock,
    quantity: row.quantity,
    imageKey: row.image_key,
  };
}

/** The lines of a cart with current prices and stock, oldest first. */
export async function getCartLines(db: Queryable, cartId: number): Promise<CartLine[]> {
  const { rows } = await db.query<CartLineRow>(
    `${CART_LINE_SELECT}
       FROM cart_items ci
       JOIN product_variants v ON v.id = ci.variant_id
       JOIN products p ON p.id = v.product_id
      WHERE ci.cart_id = $1
      ORDER BY ci.added_at, ci.variant_id`,
    [cartId],
  );
  return rows.map(toCartLine);
}

/** Stock and status of a variant a shopper wants to add. */
export async function findVariantForCart(
  db: Queryable,
  variantId: number,
): Promise<{ stock: number; productStatus: 'draft' | 'published' | 'unpublished' } | null> {
  const { rows } = await db.query<{ stock: number; status: 'draft' | 'published' | 'unpublished' }>(
    'SELECT v.stock, p.status FROM product_variants v JOIN products p ON p.id = v.product_id WHERE v.id = $1',
    [variantId],
  );
  const row = rows[0];
  return row ? { stock: row.stock, productStatus: row.status } : null;
}

/** What adding a variant found: the variant as it stood, and the cart when the line was written. */
export interface AddedCartLine {
  /** The variant's stock and product status and how many of it the cart held; null when there is no such variant. */
  variant: { stock: number; productStatus: 'draft' | 'published' | 'unpublished'; inCart: number } | null;
  /** The cart after the write, oldest line first; null when nothing was written (see addCartLine). */
  cart: { cartId: number; lines: CartLine[] } | null;
}

type AddCartLineRow = { state_stock: number; state_status: CartLine['productStatus']; state_in_cart: number } & (
  | (CartLineRow & { cart_id: number })
  | { [K in keyof CartLineRow | 'cart_id']: null }
);

/**
 * Adds `quantity` of a variant to the owner's cart in one statement (one round trip, one commit):
 * reads the variant and what the cart holds of it, and only when the product is on sale and the
 * stock covers the new line total (capped at `maxLineQuantity`) creates the cart on first use
 * (concurrent first uses share one cart), writes the line and reads the cart back. The caller
 * checks the returned variant state with its own rule (the same one) to say why nothing was
 * written. The read sees the cart as the statement began, so the written line is taken from what
 * the write returned and the cart's other lines from the table.
 */
export async function addCartLine(
  db: Queryable,
  owner: CartOwner,
  line: { variantId: number; quantity: number; maxLineQuantity: number },
): Promise<AddedCartLine> {
  const column = 'userId' in owner ? 'user_id' : 'session_id';
  const { rows } = await db.query<AddCartLineRow>({
    name: `add-cart-line-${column}`,
    text: `WITH state AS (
             SELECT v.stock AS state_stock, p.status AS state_status,
                    coalesce((SELECT ci.quantity FROM cart_items ci JOIN carts c ON c.id = ci.cart_id
                               WHERE c.${column} = $1 AND ci.variant_id = v.id), 0) AS state_in_cart
               FROM product_variants v JOIN products p ON p.id = v.product_id
              WHERE v.id = $2),
           wanted AS (
             SELECT least($4::integer, state_in_cart + $3::integer) AS quantity FROM state
              WHERE state_status = 'published' AND state_stock >= least($4::integer, state_in_cart + $3::integer)),
           cart AS (
             INSERT INTO carts (${column}) SELECT $1 FROM wanted
             ON CONFLICT (${column}) DO UPDATE SET updated_at = now()
             RETURNING id),
           line AS (
             INSERT INTO cart_items (cart_id, variant_id, quantity)
             SELECT cart.id, $2, wanted.quantity FROM cart, wanted
             ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity
             RETURNING cart_id, variant_id, quantity, added_at),
           ci AS (
             SELECT cart_id, variant_id, quantity, added_at FROM line
             UNION ALL
             SELECT i.cart_id, i.variant_id, i.quantity, i.added_at FROM cart_items i, cart WHERE i.cart_id = cart.id AND i.variant_id <> $2),
           cart_lines AS (
             ${CART_LINE_SELECT}, ci.cart_id, ci.added_at AS line_added_at
               FROM ci
               JOIN product_variants v ON v.id = ci.variant_id
               JOIN products p ON p.id = v.product_id)
         SELECT state.*, cart_lines.* FROM state LEFT JOIN cart_lines ON true
          ORDER BY cart_lines.line_added_at, cart_lines.variant_id`,
    values: [ownerValue(owner), line.variantId, line.quantity, line.maxLineQuantity],
  });
  const first = rows[0];
  if (!first) return { variant: null, cart: null };
  const variant = { stock: first.state_stock, productStatus: first.state_status, inCart: first.state_in_cart };
  const lines: CartLine[] = [];
  for (const row of rows) if (row.cart_id !== null) lines.push(toCartLine(row));
  return { variant, cart: first.cart_id === null ? null : { cartId: first.cart_id, lines } };
}

export async function getLineQuantity(db: Queryable, cartId: number, variantId: number): Promise<number> {
  const { rows } = await db.query<{ quantity: number }>('SELECT quantity FROM cart_items WHERE cart_id = $1 AND variant_id = $2', [cartId, variantId]);
  return rows[0]?.quantity ?? 0;
}

/** Sets a line's quantity, creating the line if needed. */
export async function setLineQuantity(db: Queryable, cartId: number, variantId: number, quantity: number): Promise<void> {
  await db.query(
    `INSERT INTO cart_items (cart_id, variant_id, quantity) VALUES ($1, $2, $3)
     ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = EXCLUDED.quantity`,
    [cartId, variantId, quantity],
  );
}

export async function removeLine(db: Queryable, cartId: number, variantId: number): Promise<boolean> {
  const result = await db.query('DELETE FROM cart_items WHERE cart_id = $1 AND variant_id = $2', [cartId, variantId]);
  return result.rowCount === 1;
}

export async function clearCart(db: Queryable, cartId: number): Promise<void> {
  await db.query('DELETE FROM cart_items WHERE cart_id = $1', [cartId]);
}

/**
 * At login the anonymous session's cart joins the user's: lines of the same variant add up (to
 * the line maximum), other lines move over. A user without a cart simply takes the session's.
 * Call inside a transaction.
 */
export async function mergeSessionCartIntoUser(db: Queryable, sessionIdHash: Buffer, userId: number, maxLineQuantity: number): Promise<void> {
  const sessionCart = await findCartId(db, { sessionIdHash });
  if (sessionCart === null) return;
  const userCart = await findCartId(db, { userId });
  if (userCart === null) {
    await db.query('UPDATE carts SET user_id = $2, session_id = NULL WHERE id = $1', [sessionCart, userId]);
    return;
  }
  await db.query(
    `INSERT INTO cart_items (cart_id, variant_id, quantity, added_at)
     SELECT $2, variant_id, quantity, added_at FROM cart_items WHERE cart_id = $1
     ON CONFLICT (cart_id, variant_id) DO UPDATE SET quantity = LEAST($3::integer, cart_items.quantity + EXCLUDED.quantity)`,
    [sessionCart, userCart, maxLineQuantity],
  );
  await db.query('DELETE FROM carts WHERE id = $1', [sessionCart]);
}

/**
 * Deletes anonymous carts nobody can reach any more — their session is gone — and anonymous carts
 * untouched since `olderThan`, at most `limit` per call. Signed-in customers' carts are kept.
 */
export async function deleteAbandonedCarts(db: Queryable, olderThan: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM carts WHERE id IN (
       SELECT id FROM carts
        WHERE user_id IS NULL AND (session_id IS NULL OR updated_at < $1)
        ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [olderThan, limit],
  );
  return rowCount ?? 0;
}
