import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { generateCatalogue } from './catalogue.js';
import { generateCustomers, type DemoUser } from './customers.js';
import { labelSegments, OrderGenerator, SOLD_STATUSES } from './orders.js';
import { Random } from './random.js';

const NOW = new Date('2026-11-20T15:30:00.000Z');

async function build(seed: number) {
  const random = new Random(seed);
  const products = generateCatalogue(random.fork('catalogue'), { products: 200, now: NOW, productIdBase: 0, variantIdBase: 0 });
  const customers = generateCustomers(random.fork('customers'), { count: 1500, now: NOW, idBase: 10 });
  const generator = new OrderGenerator(random.fork('orders'), products, {
    now: NOW,
    days: 60,
    ids: { orders: 0, orderItems: 0, orderEvents: 0, payments: 0, reviews: 0 },
    sellerIds: [1, 2, 3, 4, 5, 6, 7],
    adminId: 9,
  });
  await generator.generateWindow(customers);
  return { products, customers, history: generator.history };
}

function localHour(at: Date, zone: string): number {
  return Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(at));
}

describe('OrderGenerator', async () => {
  const { products, customers, history } = await build(11);
  const byId = new Map<number, DemoUser>(customers.map((customer) => [customer.id, customer]));

  it('places orders in the evening of the customer’s own time zone, wherever they live', () => {
    for (const region of ['north_america', 'europe'] as const) {
      let evening = 0;
      let night = 0;
      for (const order of history.orders) {
        const customer = byId.get(order.userId);
        if (customer?.region !== region) continue;
        const hour = localHour(order.placedAt, customer.timeZone);
        if (hour >= 19 && hour <= 21) evening += 1;
        if (hour >= 2 && hour <= 4) night += 1;
      }
      assert.ok(evening > night * 4, `${region}: evening ${evening}, night ${night}`);
    }
  });

  it('makes weekends busier than midweek', () => {
    const perWeekday = [0, 0, 0, 0, 0, 0, 0];
    for (const order of history.orders) perWeekday[order.placedAt.getUTCDay()] = (perWeekday[order.placedAt.getUTCDay()] ?? 0) + 1;
    const [sunday = 0, , tuesday = 0, , , , saturday = 0] = perWeekday;
    assert.ok(saturday + sunday > 2 * tuesday * 1.1, JSON.stringify(perWeekday));
  });

  it('counts units only for paid, shipped and delivered orders', () => {
    const statusOf = new Map(history.orders.map((order) => [order.id, order.status]));
    const expected = new Map<number, number>();
    for (const item of history.items) {
      const status = statusOf.get(item.orderId);
      if (status && SOLD_STATUSES.has(status)) expected.set(item.productId, (expected.get(item.productId) ?? 0) + item.quantity);
    }
    for (const product of products) assert.equal(product.unitsSold, expected.get(product.id) ?? 0, `product ${product.id}`);
  });

  it('gives every order line a distinct variant and a unit price equal to the variant price', () => {
    const variants = new Map(products.flatMap((product) => product.variants.map((variant) => [variant.id, variant] as const)));
    const seen = new Set<string>();
    for (const item of history.items) {
      const key = `${item.orderId}:${item.variantId}`;
      assert.ok(!seen.has(key), `duplicate line ${key}`);
      seen.add(key);
      assert.equal(item.unitPriceCents, variants.get(item.variantId)?.priceCents);
    }
  });

  it('labels customers by how often they ordered', () => {
    labelSegments(customers, history.orders);
    const labels = new Set(customers.map((customer) => customer.customerSegment));
    for (const label of ['prospect', 'one_time', 'regular']) assert.ok(labels.has(label), `no ${label} customers`);
  });

  it('is deterministic for a seed', async () => {
    const again = (await build(11)).history;
    assert.deepEqual(again.orders.slice(0, 50), history.orders.slice(0, 50));
    assert.equal(again.reviews.length, history.reviews.length);
    assert.notDeepEqual((await build(12)).history.orders.slice(0, 50), history.orders.slice(0, 50));
  });
});
