import type { PoolClient } from '@threadline/db';
import type { StoredImage } from '@threadline/media';

import { COLOURS } from './catalogue-data.js';
import type { DemoProduct } from './catalogue.js';
import type { DemoAddress } from './addresses.js';
import type { DemoUser } from './customers.js';
import type { OrderHistory } from './orders.js';
import { copyRows, type CopyValue, type SeededTable } from './seed.repo.js';

export interface DemoDataset {
  users: DemoUser[];
  passwordHash: string;
  products: DemoProduct[];
  /** seller user id by brand index */
  sellerIds: number[];
  categoryIds: Map<string, number>;
  /**
   * Stored images by `${shape}|${colourId}` (products without one get no image rows). Awaited
   * only once every other table is loaded, so rendering overlaps the database work.
   */
  images: Promise<Map<string, StoredImage>>;
  history: OrderHistory;
  /** Each customer's address by user id: their address book entry and their orders' ship-to. */
  addresses: Map<number, DemoAddress>;
  currency: string;
}

function* productImageRows(data: DemoDataset, images: Map<string, StoredImage>, idBase: number): Generator<CopyValue[]> {
  let id = idBase;
  for (const product of data.products) {
    let position = 0;
    for (const colourId of product.colours) {
      const image = images.get(`${product.shape}|${colourId}`);
      if (!image) continue;
      id += 1;
      yield [id, product.id, position, image.key, image.width, image.height, `${product.name} in ${COLOURS[colourId].name}`, COLOURS[colourId].name, product.createdAt];
      position += 1;
    }
  }
}

/**
 * Writes the dataset with one COPY per table, in foreign-key order (image rows last), on a client
 * that is inside a transaction. Returns the row count of each table and the number of images.
 */
export async function loadDataset(
  client: PoolClient,
  data: DemoDataset,
  imageIdBase: number,
  onTable: (table: SeededTable, rows: number) => void,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const load = async (table: SeededTable, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<void> => {
    counts[table] = await copyRows(client, table, columns, rows);
    onTable(table, counts[table] ?? 0);
  };
  const { history } = data;

  await load(
    'users',
    ['id', 'email', 'password_hash', 'name', 'role', 'age_band', 'gender', 'country', 'region', 'state_province', 'customer_segment', 'marketing_consent', 'created_at', 'updated_at'],
    data.users.map((u) => [u.id, u.email, data.passwordHash, u.name, u.role, u.ageBand, u.gender, u.country, u.region, u.stateProvince, u.customerSegment, u.marketingConsent, u.createdAt, u.createdAt]),
  );
  await load(
    'products',
    ['id', 'seller_id', 'category_id', 'name', 'description', 'status', 'units_sold', 'rating_count', 'rating_sum', 'published_at', 'created_at', 'updated_at'],
    data.products.map((p) => [
      p.id,
      data.sellerIds[p.brandIndex] ?? null,
      data.categoryIds.get(p.category.slug) ?? null,
      p.name,
      p.description,
      p.status,
      p.unitsSold,
      p.ratingCount,
      p.ratingSum,
      p.publishedAt,
      p.createdAt,
      p.publishedAt ?? p.createdAt,
    ]),
  );
  await load(
    'product_variants',
    ['id', 'product_id', 'sku', 'size', 'colour', 'price_cents', 'stock', 'created_at', 'updated_at'],
    (function* () {
      for (const product of data.products) {
        for (const v of product.variants) yield [v.id, v.productId, v.sku, v.size, v.colour, v.priceCents, v.stock, v.createdAt, v.createdAt];
      }
    })(),
  );
  await load(
    'addresses',
    ['id', 'user_id', 'recipient_name', 'line1', 'line2', 'city', 'region', 'postal_code', 'country', 'is_default', 'created_at', 'updated_at'],
    (function* () {
      for (const user of data.users) {
        const a = data.addresses.get(user.id);
        if (a) yield [a.id, a.userId, a.recipientName, a.line1, a.line2, a.city, a.region, a.postalCode, a.country, true, user.createdAt, user.createdAt];
      }
    })(),
  );
  await load(
    'orders',
    [
      'id', 'user_id', 'status', 'currency', 'subtotal_cents', 'shipping_cents', 'total_cents', 'idempotency_key', 'source', 'placed_at', 'paid_at', 'shipped_at',
      'delivered_at', 'cancelled_at', 'refunded_at', 'created_at', 'updated_at',
      'ship_name', 'ship_line1', 'ship_line2', 'ship_city', 'ship_region', 'ship_postal_code', 'ship_country', 'shipping_method',
    ],
    history.orders.map((o) => {
      // every demo order ships to its buyer's address (checkout fills the same columns)
      const a = data.addresses.get(o.userId);
      return [
        o.id, o.userId, o.status, data.currency, o.subtotalCents, o.shippingCents, o.totalCents, o.idempotencyKey, 'shop',
        o.placedAt, o.paidAt, o.shippedAt, o.deliveredAt, o.cancelledAt, o.refundedAt, o.placedAt, o.updatedAt,
        a?.recipientName ?? null, a?.line1 ?? null, a?.line2 ?? null, a?.city ?? null, a?.region ?? null, a?.postalCode ?? null, a?.country ?? null,
        a ? (a.country === 'US' || a.country === 'CA' ? 'Standard' : 'International standard') : null,
      ];
    }),
  );
  await load(
    'order_items',
    ['id', 'order_id', 'product_id', 'variant_id', 'seller_id', 'quantity', 'unit_price_cents', 'product_name', 'size', 'colour'],
    history.items.map((i) => [i.id, i.orderId, i.productId, i.variantId, i.sellerId, i.quantity, i.unitPriceCents, i.productName, i.size, i.colour]),
  );
  await load(
    'order_events',
    ['id', 'order_id', 'from_status', 'to_status', 'actor_id', 'reason', 'at'],
    history.events.map((e) => [e.id, e.orderId, e.fromStatus, e.toStatus, e.actorId, e.reason, e.at]),
  );
  await load(
    'payments',
    ['id', 'order_id', 'provider', 'provider_ref', 'status', 'amount_cents', 'card_brand', 'card_last4', 'error_code', 'idempotency_key', 'created_at', 'updated_at'],
    history.payments.map((p) => [p.id, p.orderId, 'test', p.providerRef, p.status, p.amountCents, p.cardBrand, p.cardLast4, p.errorCode, p.idempotencyKey, p.createdAt, p.updatedAt]),
  );
  await load(
    'reviews',
    ['id', 'order_item_id', 'product_id', 'user_id', 'rating', 'title', 'body', 'created_at', 'updated_at'],
    history.reviews.map((r) => [r.id, r.orderItemId, r.productId, r.userId, r.rating, r.title, r.body, r.createdAt, r.createdAt]),
  );
  const images = await data.images;
  await load('product_images', ['id', 'product_id', 'position', 'storage_key', 'width', 'height', 'alt', 'colour', 'created_at'], productImageRows(data, images, imageIdBase));
  counts.images = images.size;
  return counts;
}
