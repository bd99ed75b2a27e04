import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

import {
  addUnitsSold,
  createPendingOrder,
  findCheckoutRates,
  findOrderRecipient,
  lockCheckoutState,
  beginPayment,
  markOrderPaid,
  findOrderIdByIdempotencyKey,
  findPaymentByProviderRef,
  findStalePendingOrderIds,
  findPaymentByIdempotencyKey,
  findSucceededPayment,
  getOrder,
  insertOrderEvent,
  insertPayment,
  beginCheckout,
  lockCheckoutLines,
  lockOrder,
  returnOrderStock,
  setOrderStatus,
  setPaymentStatus,
  withTransaction,
  type OrderForPayment,
  type OrderRecord,
  type Pool,
  type PoolClient,
  type Queryable,
} from '@threadline/db';
import {
  checkCard,
  priceCheckout,
  checkTransition,
  findShortages,
  needsRefund,
  returnsStock,
  timestampColumn,
  type Address,
  type CardInput,
  type CheckoutQuote,
  type PricedLine,
  type OrderActor,
  type OrderStatus,
} from '@threadline/domain';

import { isOrderError, OrderError, orderNotFound } from './errors.js';
import { enqueueOrderMail, renderOrderMail } from './order-mails.js';
import type { PaymentProvider } from './payments/payment-provider.js';

/** Who is checking out: an account, or a guest by e-mail on an anonymous session. */
export type Buyer = { kind: 'user'; userId: number } | { kind: 'guest'; email: string; sessionIdHash: Buffer };

/** What a pay or view request proves about its right to an order. */
export type OrderAccess = { userId: number } | { guestToken: string };

/** What order changes need besides the database: the payment provider and the links in e-mails. */
export interface OrderDeps {
  pool: Pool;
  provider: PaymentProvider;
  publicUrl: string;
}

export function hashGuestToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** True when `access` opens the order (its account, or the guest token it was placed with). */
export function canAccessOrder(order: { userId: number | null; guestTokenHash: Buffer | null }, access: OrderAccess): boolean {
  if ('userId' in access) return order.userId === access.userId;
  if (order.guestTokenHash === null) return false;
  const given = hashGuestToken(access.guestToken);
  return given.length === order.guestTokenHash.length && timingSafeEqual(given, order.guestTokenHash);
}

/** The cart, quoted for a destination and method, as checkout shows it before payment. */
export async function quoteCheckout(
  pool: Queryable,
  input: { lines: readonly PricedLine[]; place: { country: string; region: string | null }; methodCode?: string | undefined },
): Promise<CheckoutQuote> {
  const { shippingRates, taxRates } = await findCheckoutRates(pool, input.place);
  return quoteOrThrow(priceCheckout({ lines: input.lines, place: input.place, shippingRates, taxRates, methodCode: input.methodCode }));
}

/** The quote, or a 400 naming the field (the destination country, or the shipping method). */
function quoteOrThrow(priced: ReturnType<typeof priceCheckout>): CheckoutQuote {
  if (!priced.ok) throw new OrderError('VALIDATION_FAILED', priced.problem.reason, priced.problem.field === 'country' ? 'address.country' : priced.problem.field);
  return priced.quote;
}

export interface PlaceOrderInput {
  buyer: Buyer;
  address: Address;
  methodCode: string;
  idempotencyKey: string | null;
  currency: string;
}

/**
 * Turns the buyer's cart into a pending order shipped to `address` by the chosen method, with tax
 * for that place, reserving stock in the same transaction. The cart stays as it is until the order
 * is paid (a declined card loses nothing); earlier unpaid orders of the same cart are cancelled
 * and give their stock back, so one cart holds stock once. The same Idempotency-Key returns the
 * order it created the first time (`isReplay`). A guest gets a token that opens the order.
 */
export async function placeOrder(pool: Pool, provider: PaymentProvider, input: PlaceOrderInput): Promise<{ order: OrderRecord; isReplay: boolean; guestToken?: string }> {
  const { buyer } = input;
  const ownerId = buyer.kind === 'user' ? buyer.userId : null;
  // guests have no account id: their key is made unique per anonymous session
  const key = input.idempotencyKey === null ? null : buyer.kind === 'user' ? input.idempotencyKey : `guest:${buyer.sessionIdHash.toString('hex')}:${input.idempotencyKey}`;
  const guestToken = buyer.kind === 'guest' ? randomBytes(32).toString('base64url') : undefined;
  // the cart row lock serialises checkouts of one cart: a retried request waits for the first;
  // it is taken in the round trip that opens the transaction
  let cartId: number | null = null;
  const begin = async (client: PoolClient): Promise<void> => {
    cartId = await beginCheckout(client, buyer.kind === 'user' ? { userId: buyer.userId } : { sessionIdHash: buyer.sessionIdHash });
  };
  const outcome = await withTransaction(pool, async (client): Promise<{ orderId: number; isReplay: true } | { order: OrderRecord; isReplay: false }> => {
    // after the lock, in a statement of its own (its snapshot sees what a checkout of this cart
    // committed meanwhile): the idempotency lookup, earlier unpaid orders, the locked lines and
    // the rates of the ship-to place
    const place = { country: input.address.country, region: input.address.region };
    const state = await lockCheckoutState(client, {
      cartId: cartId ?? 0,
      buyer: buyer.kind === 'user' ? { userId: buyer.userId } : { sessionIdHash: buyer.sessionIdHash },
      idempotencyKey: key,
      place,
    });
    if (state.replayOrderId !== null) return { orderId: state.replayOrderId, isReplay: true };
    if (cartId === null) throw new OrderError('CART_EMPTY', 'the cart is empty');
    let lines = state.lines;
    if (state.earlierPendingIds.length > 0) {
      // an unpaid order from an earlier visit holds stock for this same cart: it gives way, and
      // the lines are read again with the stock it gave back (their rows stay locked by us)
      for (const orderId of state.earlierPendingIds) {
        await applyTransition(client, { provider, publicUrl: '' }, { orderId, from: 'pending', to: 'cancelled', actorId: ownerId, reason: 'replaced by a new checkout of the same cart' });
      }
      lines = await lockCheckoutLines(client, cartId);
    }
    if (lines.length === 0) throw new OrderError('CART_EMPTY', 'the cart is empty');
    const unavailable = lines.find((line) => line.productStatus !== 'published');
    if (unavailable) {
      throw new OrderError('PRODUCT_UNAVAILABLE', `"${unavailable.productName}" is no longer on sale; remove it from the cart`, 'variantId');
    }
    const shortage = findShortages(lines.map((line) => ({ variantId: line.variantId, quantity: line.quantity, available: line.stock })))[0];
    if (shortage) {
      throw new OrderError('OUT_OF_STOCK', `only ${Math.max(0, shortage.available)} left of variant ${shortage.variantId}`, 'variantId');
    }
    const quote = quoteOrThrow(priceCheckout({ lines, place, ...state.rates, methodCode: input.methodCode }));
    // order, tax lines, items, stock and the first event in one statement
    const created = await createPendingOrder(client, {
      userId: ownerId,
      guest: buyer.kind === 'guest' && guestToken !== undefined ? { email: buyer.email, tokenHash: hashGuestToken(guestToken), sessionIdHash: buyer.sessionIdHash } : undefined,
      subtotalCents: quote.subtotalCents,
      shippingCents: quote.shippingCents,
      taxCents: quote.taxCents,
      totalCents: quote.totalCents,
      currency: input.currency,
      idempotencyKey: key,
      shippingMethod: quote.method?.name ?? input.methodCode,
      shipTo: { ...input.address, name: input.address.recipientName },
      taxLines: quote.taxLines,
      lines,
      actorId: ownerId,
    });
    if (created === null) {
      // a concurrent request with the same key committed first
      const existing = key === null ? null : await findOrderIdByIdempotencyKey(client, ownerId, key);
      if (existing === null) throw new OrderError('CONFLICT', 'the order could not be created; try again');
      return { orderId: existing, isReplay: true };
    }
    if (created.reserved !== lines.length) {
      // unreachable while the variant rows are locked; kept as the last guard against oversell (the transaction rolls back)
      throw new OrderError('OUT_OF_STOCK', 'an item sold out while the order was being placed', 'variantId');
    }
    return { order: created.order, isReplay: false };
  }, { begin });
  if (!outcome.isReplay) return { order: outcome.order, isReplay: false, ...(guestToken !== undefined ? { guestToken } : {}) };
  const order = await getOrder(pool, outcome.orderId);
  if (!order) throw orderNotFound('order', 'id');
  // a replayed guest order keeps the token of its first answer, which only that browser holds
  return { order, isReplay: true };
}

/** Applies a checked transition inside a transaction that holds the order's row lock. */
async function applyTransition(
  client: PoolClient,
  deps: Pick<OrderDeps, 'provider' | 'publicUrl'>,
  change: { orderId: number; from: OrderStatus; to: OrderStatus; actorId: number | null; reason?: string | null; guestToken?: string | undefined },
): Promise<void> {
  const { orderId, from, to } = change;
  if (to === 'paid') {
    // status, units sold, the emptied cart, the confirmation mail and the event in one statement
    const [order, recipient] = await Promise.all([getOrder(client, orderId), findOrderRecipient(client, orderId)]);
    const mail = order && recipient ? renderOrderMail({ order, recipient, kind: 'confirmation', publicUrl: deps.publicUrl, guestToken: change.guestToken }) : null;
    await markOrderPaid(client, { orderId, from, actorId: change.actorId, reason: change.reason ?? null, charge: null, mail });
    return;
  }
  await setOrderStatus(client, orderId, to, timestampColumn(to));
  if (to === 'shipped') await enqueueOrderMail(client, { orderId, kind: 'shipped', publicUrl: deps.publicUrl });
  if (returnsStock(to)) {
    await returnOrderStock(client, orderId);
    if (from !== 'pending') await addUnitsSold(client, orderId, -1);
  }
  if (needsRefund(from, to) || to === 'refunded') {
    const payment = await findSucceededPayment(client, orderId);
    if (payment) {
      const refund = await deps.provider.refund({ providerRef: payment.providerRef, amountCents: payment.amountCents, idempotencyKey: `refund-${payment.id}` });
      if (refund.status !== 'refunded') throw new OrderError('PAYMENT_RETRY', `the refund failed: ${refund.message}`);
      await setPaymentStatus(client, payment.id, 'refunded');
    }
  }
  await insertOrderEvent(client, { orderId, from, to, actorId: change.actorId, reason: change.reason ?? null });
}

/**
 * Moves an order to `to` if the state machine allows it for this actor. Stock goes back on
 * cancel/refund; a paid order that is cancelled is refunded through the provider; shipping
 * queues the shipping notice.
 */
export async function transitionOrder(
  deps: OrderDeps,
  orderId: number,
  to: OrderStatus,
  actor: { kind: OrderActor; userId: number | null },
  reason: string | null = null,
): Promise<OrderRecord> {
  await withTransaction(deps.pool, async (client) => {
    const order = await lockOrder(client, orderId);
    if (!order) throw orderNotFound('order', 'id');
    const check = checkTransition(order.status, to, actor.kind);
    if (!check.ok) throw new OrderError('INVALID_STATE_TRANSITION', check.reason);
    await applyTransition(client, deps, { orderId, from: order.status, to, actorId: actor.userId, reason });
  });
  const order = await getOrder(deps.pool, orderId);
  if (!order) throw orderNotFound('order', 'id');
  return order;
}

export type PayOutcome =
  | { status: 'paid'; brand: string | null; last4: string | null; isReplay: true }
  | { status: 'paid'; brand: string | null; last4: string | null; isReplay: false; order: Pick<OrderRecord, 'id' | 'userId' | 'totalCents' | 'currency'> }
  | { status: 'declined' | 'requires_retry'; code: string; message: string };

/**
 * Why a pay request for an order that is not pending is refused. A cancelled order is most often
 * one a newer checkout of the same cart replaced (two tabs): the newer order is the one to pay.
 */
function payRefusal(status: OrderStatus, reason: string): string {
  if (status === 'paid') return 'this order is already paid';
  if (status === 'cancelled') return 'this order was cancelled (by its buyer, for want of payment, or replaced by a newer checkout of the same cart) and can no longer be paid';
  return reason;
}

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
  deps: OrderDeps,
  payment: { access: OrderAccess; orderId: number; card: CardInput; idempotencyKey: string | null; currency: string },
): Promise<PayOutcome> {
  const { provider } = deps;
  const { orderId, card, idempotencyKey, currency, access } = payment;
  // the lock also reads the order and its recipient: the confirmation mail needs no further
  // reads; it is taken in the round trip that opens the transaction
  let locked: OrderForPayment | null = null;
  const begin = async (client: PoolClient): Promise<void> => {
    locked = await beginPayment(client, orderId);
  };
  return withTransaction(deps.pool, async (client) => {
    const order: OrderForPayment | null = locked;
    if (!order || !canAccessOrder(order, access)) throw orderNotFound('order', 'id');
    // a succeeded payment makes its order paid in the same transaction, so a pending order (read
    // under the lock) has none to replay
    if (idempotencyKey !== null && order.status !== 'pending') {
      const previous = await findPaymentByIdempotencyKey(client, orderId, idempotencyKey);
      if (previous?.status === 'succeeded' || previous?.status === 'refunded') {
        return { status: 'paid', brand: previous.cardBrand, last4: previous.cardLast4, isReplay: true };
      }
    }
    const transition = checkTransition(order.status, 'paid', 'payment');
    if (!transition.ok) throw new OrderError('INVALID_STATE_TRANSITION', payRefusal(order.status, transition.reason));
    const checked = checkCard(card, new Date());
    if (!checked.ok) throw new OrderError('VALIDATION_FAILED', checked.reason, `card.${checked.field}`);
    const result = await provider.charge({
      orderId,
      amountCents: order.totalCents,
      currency,
      card: { digits: checked.digits, expMonth: card.expMonth, expYear: card.expYear, cvc: card.cvc },
      // per card: a retry of the same attempt is answered from the provider's memory, another card is a new attempt
      idempotencyKey: idempotencyKey === null ? randomUUID() : `${orderId}:${idempotencyKey}:${cardFingerprint(checked.digits, card)}`,
    });
    if (result.status !== 'succeeded') {
      const isRecorded = (await findPaymentByProviderRef(client, provider.name, result.providerRef)) !== null;
      if (!isRecorded) {
        await insertPayment(client, {
          orderId,
          provider: provider.name,
          providerRef: result.providerRef,
          status: result.status,
          amountCents: order.totalCents,
          cardBrand: result.brand,
          cardLast4: result.last4,
          errorCode: result.code,
          idempotencyKey: null,
        });
      }
      return { status: result.status, code: result.code, message: result.message };
    }
    const guestToken = 'guestToken' in access ? access.guestToken : undefined;
    // payment, status, units sold, emptied cart, confirmation mail and event: one statement
    await markOrderPaid(client, {
      orderId,
      from: order.status,
      actorId: 'userId' in access ? access.userId : null,
      reason: null,
      charge: { provider: provider.name, providerRef: result.providerRef, amountCents: order.totalCents, cardBrand: result.brand, cardLast4: result.last4, idempotencyKey },
      mail: order.recipient ? renderOrderMail({ order: order.order, recipient: order.recipient, kind: 'confirmation', publicUrl: deps.publicUrl, guestToken }) : null,
    });
    const { id, userId, totalCents } = order.order;
    return { status: 'paid', brand: result.brand, last4: result.last4, isReplay: false, order: { id, userId, totalCents, currency: order.order.currency } };
  }, { begin });
}

/** Marks a pending order paid from a provider webhook (payment confirmed asynchronously). */
export async function confirmPaymentFromWebhook(deps: OrderDeps, orderId: number, amountCents: number): Promise<'paid' | 'ignored'> {
  // locks the buyer's cart before the order, as a pay request does (see lockOrderForPayment)
  let locked: OrderForPayment | null = null;
  const begin = async (client: PoolClient): Promise<void> => {
    locked = await beginPayment(client, orderId);
  };
  return withTransaction(deps.pool, async (client) => {
    const order: OrderForPayment | null = locked;
    if (!order) throw orderNotFound('order', 'data.orderId');
    if (order.status !== 'pending') return 'ignored';
    if (order.totalCents !== amountCents) throw new OrderError('VALIDATION_FAILED', 'amount does not match the order total', 'data.amountCents');
    await applyTransition(client, deps, { orderId, from: 'pending', to: 'paid', actorId: null, reason: 'payment webhook' });
    return 'paid';
  }, { begin });
}

/** How long a pending order holds its stock before it is cancelled for want of payment. */
export const PENDING_ORDER_TTL_MS = 30 * 60_000;

/**
 * Cancels pending orders older than the TTL and puts their stock back, so abandoned checkouts
 * cannot hold stock forever. Safe to run from several workers at once: each cancellation locks
 * the order and re-checks its state, and an order another process got to first is skipped.
 */
export async function expireStalePendingOrders(deps: OrderDeps, now: Date = new Date(), batch = 200): Promise<number> {
  const ids = await findStalePendingOrderIds(deps.pool, new Date(now.getTime() - PENDING_ORDER_TTL_MS), batch);
  let cancelled = 0;
  for (const id of ids) {
    try {
      await transitionOrder(deps, id, 'cancelled', { kind: 'payment', userId: null }, 'payment not received in time');
      cancelled += 1;
    } catch (error) {
      if (!isOrderError(error, 'INVALID_STATE_TRANSITION')) throw error;
    }
  }
  return cancelled;
}
