/** An order's life: pending → paid → shipped → delivered, or cancelled / refunded on the way. */
export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Who asks for a transition: the buyer, a seller of an item in the order, an admin, or the payment system. */
export type OrderActor = 'customer' | 'seller' | 'admin' | 'payment';

interface TransitionRule {
  from: readonly OrderStatus[];
  by: readonly OrderActor[];
}

/**
 * Allowed transitions. Why these:
 * - only the payment system marks an order paid (a person cannot declare money received);
 * - a customer may cancel until the parcel leaves (pending or paid), after that it is a refund;
 * - refunds are a back-office decision (seller or admin), possible once money was taken.
 */
const TRANSITIONS: Record<OrderStatus, TransitionRule> = {
  pending: { from: [], by: [] },
  paid: { from: ['pending'], by: ['payment'] },
  shipped: { from: ['paid'], by: ['seller', 'admin'] },
  delivered: { from: ['shipped'], by: ['seller', 'admin'] },
  cancelled: { from: ['pending', 'paid'], by: ['customer', 'seller', 'admin', 'payment'] },
  refunded: { from: ['paid', 'shipped', 'delivered'], by: ['seller', 'admin', 'payment'] },
};

export type TransitionCheck = { ok: true } | { ok: false; reason: string };

/**
 * Whether `actor` may move an order from `from` to `to`, with a reason a client can show.
 *
 * @example
 * checkTransition('shipped', 'cancelled', 'customer') // { ok: false, reason: 'cannot go from shipped to cancelled' }
 */
export function checkTransition(from: OrderStatus, to: OrderStatus, actor: OrderActor): TransitionCheck {
  const rule = TRANSITIONS[to];
  if (!rule.from.includes(from)) return { ok: false, reason: `an order cannot go from ${from} to ${to}` };
  if (!rule.by.includes(actor)) return { ok: false, reason: `a ${actor} cannot mark an order ${to}` };
  return { ok: true };
}

/** Statuses reachable from `from` by `actor`. */
export function nextStatuses(from: OrderStatus, actor: OrderActor): OrderStatus[] {
  return ORDER_STATUSES.filter((to) => checkTransition(from, to, actor).ok);
}

/** Stock goes back on the shelf when an order is cancelled or refunded (reserved units are released). */
export function returnsStock(to: OrderStatus): boolean {
  return to === 'cancelled' || to === 'refunded';
}

/** Money taken must be given back when an order that was paid is cancelled. */
export function needsRefund(from: OrderStatus, to: OrderStatus): boolean {
  return to === 'cancelled' && from === 'paid';
}

/** The column that records when an order reached `to` (pending uses placed_at). */
export function timestampColumn(to: OrderStatus): 'paid_at' | 'shipped_at' | 'delivered_at' | 'cancelled_at' | 'refunded_at' | null {
  switch (to) {
    case 'paid':
      return 'paid_at';
    case 'shipped':
      return 'shipped_at';
    case 'delivered':
      return 'delivered_at';
    case 'cancelled':
      return 'cancelled_at';
    case 'refunded':
      return 'refunded_at';
    default:
      return null;
  }
}

/** Orders whose items a buyer may review: the purchase went through. */
export function isPurchaseCompleted(status: OrderStatus): boolean {
  return status === 'paid' || status === 'shipped' || status === 'delivered';
}
