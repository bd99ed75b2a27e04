import { AGE_BANDS } from './catalogue-data.js';
import type { DemoProduct, DemoVariant } from './catalogue.js';
import type { DemoUser } from './customers.js';
import { Random, WeightedTable } from './random.js';
import { writeReview } from './reviews.js';
import { utcOffsetMinutes } from './time-zones.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

export interface DemoOrder {
  id: number;
  userId: number;
  status: OrderStatus;
  subtotalCents: number;
  shippingCents: number;
  totalCents: number;
  idempotencyKey: string;
  placedAt: Date;
  paidAt: Date | null;
  shippedAt: Date | null;
  deliveredAt: Date | null;
  cancelledAt: Date | null;
  refundedAt: Date | null;
  updatedAt: Date;
}

export interface DemoOrderItem {
  id: number;
  orderId: number;
  productId: number;
  variantId: number;
  sellerId: number;
  quantity: number;
  unitPriceCents: number;
  productName: string;
  size: string;
  colour: string;
}

export interface DemoOrderEvent {
  id: number;
  orderId: number;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  actorId: number | null;
  reason: string | null;
  at: Date;
}

export interface DemoPayment {
  id: number;
  orderId: number;
  providerRef: string;
  status: 'succeeded' | 'declined' | 'refunded';
  amountCents: number;
  cardBrand: string;
  cardLast4: string;
  errorCode: string | null;
  idempotencyKey: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface DemoReview {
  id: number;
  orderItemId: number;
  productId: number;
  userId: number;
  rating: number;
  title: string | null;
  body: string | null;
  createdAt: Date;
}

export interface OrderHistory {
  orders: DemoOrder[];
  items: DemoOrderItem[];
  events: DemoOrderEvent[];
  payments: DemoPayment[];
  reviews: DemoReview[];
}

export interface IdBases {
  orders: number;
  orderItems: number;
  orderEvents: number;
  payments: number;
  reviews: number;
}

export interface OrderOptions {
  now: Date;
  days: number;
  ids: IdBases;
  /** user id of each brand's seller, BRANDS order */
  sellerIds: readonly number[];
  /** actor recorded on refunds */
  adminId: number;
  /** orders per day per unit of customer activity */
  orderRate?: number;
}

/** Orders by local hour of day: quiet nights, a lunch bump, the evening peak. */
const HOURLY = [0.9, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.1, 1.6, 2.0, 2.3, 2.6, 3.0, 2.9, 2.6, 2.5, 2.6, 2.9, 3.4, 4.1, 4.5, 4.2, 3.2, 1.9] as const;
const HOUR_TABLE = new WeightedTable(HOURLY);
/** Orders by weekday (Sunday first): weekends busiest, mid-week quietest. */
const WEEKDAY = [1.15, 0.93, 0.88, 0.9, 0.97, 1.06, 1.2] as const;
const SHIPPING_CENTS = 695;
const FREE_SHIPPING_FROM_CENTS = 7500;
const CARD_BRANDS = [['visa', 55], ['mastercard', 28], ['amex', 11], ['discover', 6]] as const;
/** Statuses whose lines count as sold (products.units_sold). */
export const SOLD_STATUSES: ReadonlySet<OrderStatus> = new Set(['paid', 'shipped', 'delivered']);

/** Demand weights of every product for one customer segment, cached per segment. */
class DemandModel {
  private readonly tables = new Map<string, WeightedTable>();
  constructor(private readonly products: readonly DemoProduct[]) {}

  tableFor(customer: DemoUser): WeightedTable {
    const key = `${customer.gender}|${customer.ageBand}|${customer.region}`;
    let table = this.tables.get(key);
    if (!table) {
      const ageIndex = customer.ageBand ? AGE_BANDS.indexOf(customer.ageBand) : -1;
      table = new WeightedTable(
        this.products.map((product) => {
          if (product.status === 'draft') return 0;
          const category = product.category;
          const gender = customer.gender === 'female' ? category.femaleShare * 2 : customer.gender === 'male' ? (1 - category.femaleShare) * 2 : 1;
          const age = ageIndex >= 0 ? (category.ageAffinity[ageIndex] ?? 1) * (product.ageTwist[ageIndex] ?? 1) : 1;
          const region = customer.region ? (category.regionAffinity[customer.region] ?? 1) * product.regionTwist[customer.region] : 1;
          return product.popularity * gender * age * region;
        }),
      );
      this.tables.set(key, table);
    }
    return table;
  }
}

function pickVariant(random: Random, product: DemoProduct): DemoVariant {
  const colour = random.pick(product.colours);
  const candidates = product.variants.filter((variant) => variant.colourId === colour);
  return random.weighted(candidates.map((variant) => [variant, variant.demand] as const));
}

/**
 * Generates the order history: orders with a weekly and daily rhythm in each customer's local
 * time, lines drawn from segment-dependent demand, status lifecycles (recent orders still
 * pending or paid, older ones shipped and delivered, some cancelled or refunded), payments for
 * paid orders, order events, and reviews from buyers of delivered lines.
 */
export class OrderGenerator {
  readonly history: OrderHistory = { orders: [], items: [], events: [], payments: [], reviews: [] };
  private readonly demand: DemandModel;
  private readonly ids: IdBases;
  private readonly productsById = new Map<number, DemoProduct>();

  constructor(
    private readonly random: Random,
    private readonly products: readonly DemoProduct[],
    private readonly options: OrderOptions,
  ) {
    this.demand = new DemandModel(products);
    this.ids = { ...options.ids };
    for (const product of products) this.productsById.set(product.id, product);
  }

  /**
   * Random orders over the window, from customers weighted by activity. Yields to the event loop
   * after each day so the product images (rendered on sharp's threads) keep progressing meanwhile.
   */
  async generateWindow(customers: readonly DemoUser[]): Promise<void> {
    const random = this.random;
    const now = this.options.now.getTime();
    const todayStart = Math.floor(now / DAY_MS) * DAY_MS;
    const sorted = customers.filter((customer) => customer.activity > 0).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    const activity = new WeightedTable(sorted.map((customer) => customer.activity));
    const rate = this.options.orderRate ?? 0.045;
    const days = this.options.days;
    // a three-day sale about five weeks ago, if the window reaches back that far
    const saleStart = Math.min(days - 1, 37);
    for (let back = days - 1; back >= 0; back -= 1) {
      await new Promise((resolve) => setImmediate(resolve));
      const dayStart = todayStart - back * DAY_MS;
      const dayEnd = dayStart + DAY_MS;
      let eligible = 0;
      while (eligible < sorted.length && (sorted[eligible]?.createdAt.getTime() ?? Infinity) < dayEnd) eligible += 1;
      if (eligible === 0) continue;
      const weekday = WEEKDAY[new Date(dayStart).getUTCDay()] ?? 1;
      const growth = 0.85 + 0.3 * (1 - back / Math.max(1, days));
      const sale = back <= saleStart && back > saleStart - 3 ? 1.7 : 1;
      const expected = activity.total * rate * weekday * growth * sale * (1 + random.normal(0, 0.07));
      const count = Math.max(0, Math.round(expected));
      for (let n = 0; n < count; n += 1) {
        const customer = sorted[activity.pick(random, eligible)];
        if (!customer) continue;
        const localHour = HOUR_TABLE.pick(random);
        const localMs = dayStart + localHour * HOUR_MS + random.int(0, HOUR_MS - 1);
        let placedAt = localMs - utcOffsetMinutes(customer.timeZone, new Date(localMs)) * MINUTE_MS;
        if (placedAt < customer.createdAt.getTime()) placedAt = customer.createdAt.getTime() + random.int(5, 120) * MINUTE_MS;
        if (placedAt > now - MINUTE_MS) continue;
        this.placeOrder(customer, new Date(placedAt));
      }
    }
  }

  /**
   * One order by `customer` at `placedAt`, carried through its lifecycle up to `now`.
   * `isReviewed` forces a review on the first line once delivered (the demo customer's history).
   */
  placeOrder(customer: DemoUser, placedAt: Date, isReviewed = false): DemoOrder | undefined {
    const random = this.random;
    const table = this.demand.tableFor(customer);
    if (table.total <= 0) return undefined;
    const lineCount = random.weighted([[1, 52], [2, 28], [3, 13], [4, 5], [5, 2]]);
    const lines = new Map<number, { variant: DemoVariant; product: DemoProduct; quantity: number }>();
    for (let attempt = 0; attempt < lineCount * 4 && lines.size < lineCount; attempt += 1) {
      const product = this.products[table.pick(random)];
      if (!product || !product.publishedAt || product.publishedAt.getTime() > placedAt.getTime()) continue;
      const variant = pickVariant(random, product);
      if (lines.has(variant.id)) continue;
      lines.set(variant.id, { variant, product, quantity: random.weighted([[1, 90], [2, 8], [3, 2]]) });
    }
    if (lines.size === 0) return undefined;

    const orderId = (this.ids.orders += 1);
    const subtotal = [...lines.values()].reduce((sum, line) => sum + line.quantity * line.variant.priceCents, 0);
    const shipping = subtotal >= FREE_SHIPPING_FROM_CENTS ? 0 : SHIPPING_CENTS;
    const hasProblem = [...lines.values()].some((line) => line.product.problem !== null);
    const now = this.options.now.getTime();
    const at = placedAt.getTime();
    const fateRoll = random.next();
    const fate = fateRoll < 0.025 ? 'abandoned' : fateRoll < 0.04 ? 'cancelled' : random.chance(hasProblem ? 0.2 : 0.03) ? 'refunded' : 'kept';
    const abroad = customer.region !== 'north_america';
    // the full timeline this order would follow; the status is the last step already reached
    const paidAt = at + (random.chance(0.92) ? random.int(1, 12) * MINUTE_MS : random.int(1, 30) * HOUR_MS);
    const cancelledAt = fate === 'abandoned' ? at + random.int(1, 48) * HOUR_MS : paidAt + random.int(1, 20) * HOUR_MS;
    const shippedAt = paidAt + random.int(10, 72) * HOUR_MS;
    const deliveredAt = shippedAt + random.int(2, abroad ? 9 : 6) * DAY_MS + random.int(0, 8) * HOUR_MS;
    const refundedAt = deliveredAt + random.int(3, 25) * DAY_MS;

    const order: DemoOrder = {
      id: orderId,
      userId: customer.id,
      status: 'pending',
      subtotalCents: subtotal,
      shippingCents: shipping,
      totalCents: subtotal + shipping,
      idempotencyKey: `demo-${random.hex(12)}`,
      placedAt,
      paidAt: null,
      shippedAt: null,
      deliveredAt: null,
      cancelledAt: null,
      refundedAt: null,
      updatedAt: placedAt,
    };
    const step = (to: OrderStatus, time: number, actorId: number | null, reason: string | null = null): void => {
      this.history.events.push({ id: (this.ids.orderEvents += 1), orderId, fromStatus: order.status, toStatus: to, actorId, reason, at: new Date(time) });
      order.status = to;
      order.updatedAt = new Date(time);
    };
    this.history.events.push({ id: (this.ids.orderEvents += 1), orderId, fromStatus: null, toStatus: 'pending', actorId: customer.id, reason: null, at: placedAt });

    const brand = random.weighted(CARD_BRANDS);
    const last4 = String(random.int(0, 9999)).padStart(4, '0');
    if (fate === 'abandoned') {
      if (random.chance(0.5)) this.pushPayment(orderId, order.totalCents, 'declined', at + 2 * MINUTE_MS);
      if (cancelledAt <= now) step('cancelled', cancelledAt, null, 'payment not completed');
    } else if (paidAt <= now) {
      if (random.chance(0.04)) this.pushPayment(orderId, order.totalCents, 'declined', paidAt - MINUTE_MS);
      order.paidAt = new Date(paidAt);
      step('paid', paidAt, null);
      const payment = this.pushPayment(orderId, order.totalCents, 'succeeded', paidAt, brand, last4);
      if (fate === 'cancelled' && cancelledAt <= now) {
        order.cancelledAt = new Date(cancelledAt);
        step('cancelled', cancelledAt, customer.id, 'cancelled by the customer before shipping');
        payment.status = 'refunded';
        payment.updatedAt = order.cancelledAt;
      } else if (fate !== 'cancelled' && shippedAt <= now) {
        order.shippedAt = new Date(shippedAt);
        step('shipped', shippedAt, null);
        if (deliveredAt <= now) {
          order.deliveredAt = new Date(deliveredAt);
          step('delivered', deliveredAt, null);
          if (fate === 'refunded' && refundedAt <= now) {
            order.refundedAt = new Date(refundedAt);
            const problem = [...lines.values()].find((line) => line.product.problem)?.product.problem;
            step('refunded', refundedAt, this.options.adminId, problem ? `returned: ${problem.replace('_', ' ')}` : 'returned: changed mind');
            payment.status = 'refunded';
            payment.updatedAt = order.refundedAt;
          }
        }
      }
    }
    this.history.orders.push(order);

    let isFirst = true;
    for (const { variant, product, quantity } of lines.values()) {
      const itemId = (this.ids.orderItems += 1);
      this.history.items.push({
        id: itemId,
        orderId,
        productId: product.id,
        variantId: variant.id,
        sellerId: this.options.sellerIds[product.brandIndex] ?? 0,
        quantity,
        unitPriceCents: variant.priceCents,
        productName: product.name,
        size: variant.size,
        colour: variant.colour,
      });
      if (SOLD_STATUSES.has(order.status)) product.unitsSold += quantity;
      this.maybeReview(order, itemId, product, variant, customer, isReviewed && isFirst);
      isFirst = false;
    }
    return order;
  }

  private pushPayment(orderId: number, amount: number, status: 'succeeded' | 'declined', time: number, brand = 'visa', last4 = '0002'): DemoPayment {
    const createdAt = new Date(time);
    const payment: DemoPayment = {
      id: (this.ids.payments += 1),
      orderId,
      providerRef: `test_ch_${this.random.hex(12)}`,
      status,
      amountCents: amount,
      cardBrand: brand,
      cardLast4: last4,
      errorCode: status === 'declined' ? 'PAYMENT_DECLINED' : null,
      idempotencyKey: `demo-${this.random.hex(12)}`,
      createdAt,
      updatedAt: createdAt,
    };
    this.history.payments.push(payment);
    return payment;
  }

  /** Buyers of delivered lines sometimes review them, at most once per line. */
  private maybeReview(order: DemoOrder, itemId: number, product: DemoProduct, variant: DemoVariant, customer: DemoUser, isForced: boolean): void {
    if (!order.deliveredAt) return;
    const wasRefunded = order.status === 'refunded';
    const probability = wasRefunded ? 0.55 : product.problem ? 0.35 : 0.24;
    if (!isForced && !this.random.chance(probability)) return;
    const createdAt = order.deliveredAt.getTime() + this.random.int(1, 21) * DAY_MS - this.random.int(0, 12) * HOUR_MS;
    if (createdAt > this.options.now.getTime()) return;
    const content = writeReview(this.random, { category: product.category, problem: product.problem, size: variant.size, colour: variant.colour, wasRefunded });
    product.ratingCount += 1;
    product.ratingSum += content.rating;
    this.history.reviews.push({ id: (this.ids.reviews += 1), orderItemId: itemId, productId: product.id, userId: customer.id, ...content, createdAt: new Date(createdAt) });
  }
}

/** Labels each customer by how often they ordered in the window (used by the 5.3 analyses). */
export function labelSegments(customers: DemoUser[], orders: readonly DemoOrder[]): void {
  const counts = new Map<number, number>();
  for (const order of orders) if (order.status !== 'cancelled') counts.set(order.userId, (counts.get(order.userId) ?? 0) + 1);
  for (const customer of customers) {
    const count = counts.get(customer.id) ?? 0;
    customer.customerSegment = count === 0 ? 'prospect' : count === 1 ? 'one_time' : count <= 4 ? 'regular' : 'vip';
  }
}
