import { createHash, randomUUID } from 'node:crypto';

import {
  addUnitsSold,
  clearCart,
  findOrderIdByIdempotencyKey,
  findPaymentByProviderRef,
  findStalePendingOrderIds,
  findPaymentByIdempotencyKey,
  findSucceededPayment,
  getOrder,
  insertOrder,
  insertOrderEvent,
  insertOrderItems,
  insertPayment,
  lockCheckoutLines,
  lockOrder,
  lockUserCart,
  reserveStock,
  returnOrderStock,
  setOrderStatus,
  setPaymentStatus,
  withTransaction,
  type OrderRecord,
  type Pool,
  type PoolClient,
} from '@threadline/db';
import {
  checkCard,
  checkTransition,
  findShortages,
  needsRefund,
  priceCart,
  returnsStock,
  timestampColumn,
  type CardInput,
  type OrderActor,
  type OrderStatus,
} from '@threadline/domain';

import { AppError, notFound } from '../errors.js';
import type { PaymentProvider } from '../payments/payment-provider.js';

/**
 * Turns the user's cart into a pending order, reserving stock in the same transaction.
 * The same Idempotency-Key returns the order it created the first time (`isReplay`).
 */
export async function placeOrder(
  pool: Pool,
  userId: number,
  idempotencyKey: string | null,
  currency: string,
): Promise<{ order: OrderRecord; isReplay: boolean }> {
  const outcome = await withTransaction(pool, async (client) => {
    // the cart row lock serialises checkouts of one cart: a retried request waits for the first
    const cartId = await lockUserCart(client, userId);
    if (idempotencyKey !== null) {
      const existing = await findOrderIdByIdempotencyKey(client, userId, idempotencyKey);
      if (existing !== null) return { orderId: existing, isReplay: true };
    }
    if (cartId === null) throw new AppError('CART_EMPTY', 'the cart is empty');
    const lines = await lockCheckoutLines(client, cartId);
    if (lines.length === 0) throw new AppError('CART_EMPTY', 'the cart is empty');
    const unavailable = lines.find((line) => line.productStatus !== 'published');
    if (unavailable) {
      throw new AppError('PRODUCT_UNAVAILABLE', `"${unavailable.productName}" is no longer on sale; remove it from the cart`, 'variantId');
    }
    const shortage = findShortages(lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity, available: line.stock })))[0];
    if (shortage) {
      throw new AppError('OUT_OF_STOCK', `only ${Math.max(0, shortage.available)} left of variant ${shortage.variantId}`, 'variantId');
    }
    const totals = priceCart(lines);
    const orderId = await insertOrder(client, { userId, currency, idempotencyKey, ...totals });
    if (orderId === null) {
      // a concurrent request with the same key committed first
      const existing = idempotencyKey === null ? null : await findOrderIdByIdempotencyKey(client, userId, idempotencyKey);
      if (existing === null) throw new AppError('CONFLICT', 'the order could not be created; try again');
      return { orderId: existing, isReplay: true };
    }
    const reserved = await reserveStock(client, lines);
    if (reserved.length !== lines.length) {
      // unreachable while the variant rows are locked; kept as the last guard against oversell
      throw new AppError('OUT_OF_STOCK', 'an item sold out while the order was being placed', 'variantId');
    }
    await insertOrderItems(client, orderId, lines);
    await insertOrderEvent(client, { orderId, from: null, to: 'pending', actorId: userId });
    await clearCart(client, cartId);
    return { orderId, isReplay: false };
  });
  const order = await getOrder(pool, outcome.orderId);
  if (!order) throw notFound('order', 'id');
  return { order, isReplay: outcome.isReplay };
}

/** Applies a checked transition inside a transaction that holds the order's row lock. */
async function applyTransition(
  client: PoolClient,
  provider: PaymentProvider,
  orderId: number,
  from: OrderStatus,
  to: OrderStatus,
  actorId: number | null,
  reason: string | null,
): Promise<void> {
  await setOrderStatus(client, orderId, to, timestampColumn(to));
  if (to === 'paid') await addUnitsSold(client, orderId, 1);
  if (returnsStock(to)) {
    await returnOrderStock(client, orderId);
    if (from !== 'pending') await addUnitsSold(client, orderId, -1);
  }
  if (needsRefund(from, to) || to === 'refunded') {
    const payment = await findSucceededPayment(client, orderId);
    if (payment) {
      const refund = await provider.refund({ providerRef: payment.providerRef, amountCents: payment.amountCents, idempotencyKey: `refund-${payment.id}` });
      if (refund.status !== 'refunded') throw new AppError('PAYMENT_RETRY', `the refund failed: ${refund.message}`);
      await setPaymentStatus(client, payment.id, 'refunded');
    }
  }
  await insertOrderEvent(client, { orderId, from, to, actorId, reason });
}

/**
 * Moves an order to `to` if the state machine allows it for this actor. Stock goes back on
 * cancel/refund; a paid order that is cancelled is refunded through the provider.
 */
export async function transitionOrder(
  pool: Pool,
  provider: PaymentProvider,
  orderId: number,
  to: OrderStatus,
  actor: { kind: OrderActor; userId: number | null },
  reason: string | null = null,
): Promise<OrderRecord> {
  await withTransaction(pool, async (client) => {
    const order = await lockOrder(client, orderId);
    if (!order) throw notFound('order', 'id');
    const check = checkTransition(order.status, to, actor.kind);
    if (!check.ok) throw new AppError('INVALID_STATE_TRANSITION', check.reason);
    await applyTransition(client, provider, orderId, order.status, to, actor.userId, reason);
  });
  const order = await getOrder(pool, orderId);
  if (!order) throw notFound('order', 'id');
  return order;
}

export type PayOutcome =
  | { status: 'paid'; brand: string | null; last4: string | null; isReplay: boolean }
  | { status: 'declined' | 'requires_retry'; code: string; message: string };

/** A one-way fingerprint of the card details, to tell attempts apart without keeping the number. */
function cardFingerprint(digits: string, card: CardInput): string {
  return createHash('sha256').update(`${digits}|${card.expMonth}|${card.expYear}`).digest('hex').slice(0, 16);
}

/**
 * Charges the card for a pending order of this user and marks it paid, all under the order's
 * row lock so two concurrent pay calls cannot charge twice. A succeeded payment is remembered by
 * its Idempotency-Key; declines are recorded without the key so the shopper can retry with
 * another card under the same key.
 */
export async function payOrder(
  pool: Pool,
  provider: PaymentProvider,
  userId: number,
  orderId: number,
  card: CardInput,
  idempotencyKey: string | null,
  currency: string,
): Promise<PayOutcome> {
  return withTransaction(pool, async (client) => {
    const order = await lockOrder(client, orderId);
    if (!order || order.userId !== userId) throw notFound('order', 'id');
    if (idempotencyKey !== null) {
      const previous = await findPaymentByIdempotencyKey(client, orderId, idempotencyKey);
      if (previous?.status === 'succeeded' || previous?.status === 'refunded') {
        return { status: 'paid', brand: previous.cardBrand, last4: previous.cardLast4, isReplay: true };
      }
    }
    const transition = checkTransition(order.status, 'paid', 'payment');
    if (!transition.ok) throw new AppError('INVALID_STATE_TRANSITION', order.status === 'paid' ? 'this order is already paid' : transition.reason);
    const checked = checkCard(card, new Date());
    if (!checked.ok) throw new AppError('VALIDATION_FAILED', checked.reason, `card.${checked.field}`);
    const result = await provider.charge({
      orderId,
      amountCents: order.totalCents,
      currency,
      card: { digits: checked.digits, expMonth: card.expMonth, expYear: card.expYear, cvc: card.cvc },
      // per card: a retry of the same attempt is answered from the provider's memory, another card is a new attempt
      idempotencyKey: idempotencyKey === null ? randomUUID() : `${orderId}:${idempotencyKey}:${cardFingerprint(checked.digits, card)}`,
    });
    const isRecorded = (await findPaymentByProviderRef(client, provider.name, result.providerRef)) !== null;
    if (!isRecorded) await insertPayment(client, {
      orderId,
      provider: provider.name,
      providerRef: result.providerRef,
      status: result.status,
      amountCents: order.totalCents,
      cardBrand: result.brand,
      cardLast4: result.last4,
      errorCode: result.status === 'succeeded' ? null : result.code,
      idempotencyKey: result.status === 'succeeded' ? idempotencyKey : null,
    });
    if (result.status !== 'succeeded') return { status: result.status, code: result.code, message: result.message };
    await applyTransition(client, provider, orderId, order.status, 'paid', userId, null);
    return { status: 'paid', brand: result.brand, last4: result.last4, isReplay: false };
  });
}

/** Marks a pending order paid from a provider webhook (payment confirmed asynchronously). */
export async function confirmPaymentFromWebhook(pool: Pool, provider: PaymentProvider, orderId: number, amountCents: number): Promise<'paid' | 'ignored'> {
  return withTransaction(pool, async (client) => {
    const order = await lockOrder(client, orderId);
    if (!order) throw notFound('order', 'data.orderId');
    if (order.status !== 'pending') return 'ignored';
    if (order.totalCents !== amountCents) throw new AppError('VALIDATION_FAILED', 'amount does not match the order total', 'data.amountCents');
    await applyTransition(client, provider, orderId, 'pending', 'paid', null, 'payment webhook');
    return 'paid';
  });
}

/** How long a pending order holds its stock before it is cancelled for want of payment. */
export const PENDING_ORDER_TTL_MS = 30 * 60_000;

/**
 * Cancels pending orders older than the TTL and puts their stock back, so abandoned checkouts
 * cannot hold stock forever. Safe to run on every API replica at once: each cancellation locks
 * the order and re-checks its state, and an order another replica got to first is skipped.
 */
export async function expireStalePendingOrders(pool: Pool, provider: PaymentProvider, now: Date = new Date(), batch = 200): Promise<number> {
  const ids = await findStalePendingOrderIds(pool, new Date(now.getTime() - PENDING_ORDER_TTL_MS), batch);
  let cancelled = 0;
  for (const id of ids) {
    try {
      await transitionOrder(pool, provider, id, 'cancelled', { kind: 'payment', userId: null }, 'payment not received in time');
      cancelled += 1;
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'INVALID_STATE_TRANSITION')) throw error;
    }
  }
  return cancelled;
}
