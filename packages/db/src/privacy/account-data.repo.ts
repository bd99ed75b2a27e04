import type { PoolClient, Queryable } from '../pool.js';

/** Everything the shop holds about one customer, as they may ask for it (GDPR art. 15/20). */
export interface AccountExport {
  profile: Record<string, unknown>;
  orders: Array<Record<string, unknown>>;
  reviews: Array<Record<string, unknown>>;
  cart: Array<Record<string, unknown>>;
  sessions: Array<Record<string, unknown>>;
  addresses: Array<Record<string, unknown>>;
  emails: Array<Record<string, unknown>>;
}

/**
 * Reads the account's own data: profile and segment attributes, orders with their lines and
 * payments (brand and last four digits only are ever stored), reviews, cart and active sessions.
 */
export async function exportAccountData(db: Queryable, userId: number): Promise<AccountExport | null> {
  const profile = await db.query(
    `SELECT id, email, name, role, age_band AS "ageBand", gender, country, region, state_province AS "stateProvince",
            customer_segment AS "customerSegment", marketing_consent AS "marketingConsent", created_at AS "createdAt", updated_at AS "updatedAt"
       FROM users WHERE id = $1 AND deleted_at IS NULL`,
    [userId],
  );
  const first = profile.rows[0];
  if (!first) return null;
  const orders = await db.query(
    `SELECT o.id, o.status, o.currency, o.subtotal_cents AS "subtotalCents", o.shipping_cents AS "shippingCents",
            o.total_cents AS "totalCents", o.placed_at AS "placedAt", o.paid_at AS "paidAt", o.shipped_at AS "shippedAt",
            o.delivered_at AS "deliveredAt", o.cancelled_at AS "cancelledAt", o.refunded_at AS "refundedAt",
            o.tax_cents AS "taxCents", o.shipping_method AS "shippingMethod",
            json_build_object('name', o.ship_name, 'line1', o.ship_line1, 'line2', o.ship_line2, 'city', o.ship_city, 'region', o.ship_region,
                              'postalCode', o.ship_postal_code, 'country', o.ship_country, 'phone', o.ship_phone) AS "shipTo",
            COALESCE((SELECT json_agg(json_build_object('productId', i.product_id, 'productName', i.product_name, 'size', i.size,
                       'colour', i.colour, 'quantity', i.quantity, 'unitPriceCents', i.unit_price_cents) ORDER BY i.id)
                        FROM order_items i WHERE i.order_id = o.id), '[]') AS items,
            COALESCE((SELECT json_agg(json_build_object('provider', p.provider, 'status', p.status, 'amountCents', p.amount_cents,
                       'cardBrand', p.card_brand, 'cardLast4', p.card_last4, 'at', p.created_at) ORDER BY p.id)
                        FROM payments p WHERE p.order_id = o.id), '[]') AS payments
       FROM orders o WHERE o.user_id = $1 ORDER BY o.placed_at, o.id`,
    [userId],
  );
  const reviews = await db.query(
    `SELECT r.id, r.product_id AS "productId", r.rating, r.title, r.body, r.created_at AS "createdAt"
       FROM reviews r WHERE r.user_id = $1 ORDER BY r.created_at, r.id`,
    [userId],
  );
  const cart = await db.query(
    `SELECT ci.variant_id AS "variantId", ci.quantity, ci.added_at AS "addedAt"
       FROM carts c JOIN cart_items ci ON ci.cart_id = c.id WHERE c.user_id = $1 ORDER BY ci.added_at`,
    [userId],
  );
  const sessions = await db.query(
    `SELECT created_at AS "createdAt", last_seen_at AS "lastSeenAt", host(ip) AS ip, user_agent AS "userAgent"
       FROM sessions WHERE user_id = $1 AND expires_at > now() ORDER BY created_at`,
    [userId],
  );
  const addresses = await db.query(
    `SELECT recipient_name AS "recipientName", line1, line2, city, region, postal_code AS "postalCode", country, phone, is_default AS "isDefault"
       FROM addresses WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
  const emails = await db.query(
    `SELECT template, subject, status, created_at AS "createdAt", sent_at AS "sentAt" FROM outbox WHERE user_id = $1 ORDER BY id`,
    [userId],
  );
  return { profile: first, orders: orders.rows, reviews: reviews.rows, cart: cart.rows, sessions: sessions.rows, addresses: addresses.rows, emails: emails.rows };
}

/** What deleting an account changed, for the audit entry and the response. */
export interface AccountDeletion {
  ordersKept: number;
  reviewsAnonymised: number;
  sessionsEnded: number;
}

/**
 * Deletes an account the way accounting allows (GDPR art. 17 with the retention duty for
 * invoices): personal fields are overwritten, sign-in becomes impossible, sessions, cart, claim
 * tokens, idempotency records, addresses, reset links and stored e-mails go, orders lose the
 * recipient's name, street and phone, review texts are removed (ratings stay, without an author),
 * and orders stay — linked to the anonymised row — with their amounts and lines. Run it in a
 * transaction (`withTransaction`).
 */
export async function anonymiseAccount(client: PoolClient, userId: number): Promise<AccountDeletion | null> {
  const updated = await client.query(
    `UPDATE users
        SET email = 'deleted-' || id || '@deleted.invalid', name = 'Deleted customer', password_hash = NULL,
            age_band = NULL, gender = NULL, country = NULL, region = NULL, state_province = NULL, customer_segment = NULL,
            marketing_consent = false, failed_logins = 0, locked_until = NULL, legacy_id = NULL, deleted_at = now()
      WHERE id = $1 AND deleted_at IS NULL`,
    [userId],
  );
  if (updated.rowCount === 0) return null;
  const sessions = await client.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  await client.query('DELETE FROM carts WHERE user_id = $1', [userId]);
  await client.query('DELETE FROM idempotency_keys WHERE user_id = $1', [userId]);
  await client.query('DELETE FROM account_claim_tokens WHERE user_id = $1', [userId]);
  // checkout (issue 17): the address book, reset links and stored e-mails go; orders keep only the
  // ship-to geography (country, region, city, postal code) that accounting and tax need
  await client.query('DELETE FROM addresses WHERE user_id = $1', [userId]);
  await client.query('DELETE FROM password_reset_tokens WHERE user_id = $1', [userId]);
  await client.query('DELETE FROM outbox WHERE user_id = $1', [userId]);
  await client.query('UPDATE orders SET ship_name = NULL, ship_line1 = NULL, ship_line2 = NULL, ship_phone = NULL WHERE user_id = $1', [userId]);
  const reviews = await client.query('UPDATE reviews SET user_id = NULL, title = NULL, body = NULL WHERE user_id = $1', [userId]);
  const orders = await client.query<{ count: number }>('SELECT count(*)::int AS count FROM orders WHERE user_id = $1', [userId]);
  return { ordersKept: orders.rows[0]?.count ?? 0, reviewsAnonymised: reviews.rowCount ?? 0, sessionsEnded: sessions.rowCount ?? 0 };
}
