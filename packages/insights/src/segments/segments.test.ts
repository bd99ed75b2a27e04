import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { DuckDBInstance } from '@duckdb/node-api';

import { InsightsLake } from '../lake/insights-lake.js';
import type { Segment, SegmentDimension, SegmentInsight } from '../types.js';
import { salesOrdersSelect } from './sales-orders.js';
import { SEGMENT_DIMENSIONS, segmentInsight, type SegmentFilters } from './segments.js';

interface Line {
  orderId: number;
  placedDate: string;
  status: string;
  customerKey: string | null;
  ageBand: string | null;
  gender: string | null;
  region: string | null;
  shipCountry: string | null;
  shipRegion: string | null;
  salesTerritory: string | null;
  isReturning: boolean | null;
  productId: number;
  category: string;
  quantity: number;
  unitPriceCents: number;
}

/** A seeded linear congruential generator (Numerical Recipes constants): the same dataset on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

const CATEGORIES = ['shirts', 'jackets', 'accessories'];
const productCategory = (productId: number): string => CATEGORIES[productId % CATEGORIES.length] ?? 'shirts';
const productName = (productId: number): string => `Product ${productId}`;

/**
 * Orders with everything that makes distinct counts easy to get wrong: customers whose orders ship
 * to several countries (and whose age band changes between orders), guests without a customer key,
 * missing attributes, cancelled and refunded lines, lines outside the window, and few prices and
 * quantities so that products tie on units and revenue.
 */
function generateLines(): Line[] {
  const random = seeded(20);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const lines: Line[] = [];
  for (let orderId = 1; orderId <= 400; orderId += 1) {
    const customer = Math.floor(random() * 40);
    const isGuest = customer >= 34;
    const shipCountry = pick(['US', 'CA', 'DE', null]);
    const base = {
      orderId,
      placedDate: `2026-05-${String(1 + Math.floor(random() * 20)).padStart(2, '0')}`,
      status: pick(['delivered', 'delivered', 'shipped', 'paid', 'cancelled', 'refunded']),
      customerKey: isGuest ? null : `k${customer}`,
      // mostly fixed per customer, but a birthday can move a customer to the next band between orders
      ageBand: isGuest ? null : random() < 0.15 ? '35-44' : (['18-24', '25-34', '35-44', null][customer % 4] ?? null),
      gender: isGuest ? null : (['female', 'male', 'non_binary'][customer % 3] ?? null),
      region: isGuest ? null : (['north_america', 'europe', 'unknown'][customer % 3] ?? null),
      shipCountry,
      shipRegion: shipCountry === null || random() < 0.2 ? null : pick(['North', 'South']),
      salesTerritory: random() < 0.5 ? null : pick(['East', 'Central']),
      isReturning: isGuest ? null : random() < 0.5,
    };
    const lineCount = 1 + Math.floor(random() * 4);
    for (let line = 0; line < lineCount; line += 1) {
      const productId = 1 + Math.floor(random() * 12);
      lines.push({ ...base, productId, category: productCategory(productId), quantity: 1 + Math.floor(random() * 2), unitPriceCents: pick([1000, 2000]) });
    }
  }
  return lines;
}

const SEGMENT_OF: Record<SegmentDimension, (line: Line) => string> = {
  age_band: (line) => line.ageBand ?? 'unknown',
  gender: (line) => line.gender ?? 'unknown',
  region: (line) => line.region ?? 'unknown',
  customer_type: (line) => (line.isReturning === null ? 'guest' : line.isReturning ? 'returning' : 'new'),
  ship_country: (line) => line.shipCountry ?? 'unknown',
  ship_region: (line) => (line.shipRegion === null ? 'unknown' : `${line.shipRegion}, ${line.shipCountry ?? '?'}`),
  sales_territory: (line) => line.salesTerritory ?? 'unknown',
};

interface Tally {
  customers: Set<string>;
  orders: Set<number>;
  units: number;
  revenue: number;
}

const newTally = (): Tally => ({ customers: new Set(), orders: new Set(), units: 0, revenue: 0 });

/** The answer worked out line by line, the plain way: what the SQL must agree with. */
function reference(lines: readonly Line[], filters: SegmentFilters): SegmentInsight {
  const limit = filters.limit ?? 10;
  const sold = lines.filter(
    (line) =>
      line.placedDate >= filters.from &&
      line.placedDate <= filters.to &&
      !['cancelled', 'refunded'].includes(line.status) &&
      (filters.category === undefined || line.category === filters.category),
  );
  const segments = new Map<string, Tally>();
  const products = new Map<string, Map<number, Tally>>();
  const overall = new Map<number, number>();
  let totalUnits = 0;
  for (const line of sold) {
    const key = SEGMENT_OF[filters.dimension](line);
    const units = line.quantity;
    const revenue = line.quantity * line.unitPriceCents;
    const segment = segments.get(key) ?? newTally();
    segments.set(key, segment);
    const byProduct = products.get(key) ?? new Map<number, Tally>();
    products.set(key, byProduct);
    const product = byProduct.get(line.productId) ?? newTally();
    byProduct.set(line.productId, product);
    for (const tally of [segment, product]) {
      if (line.customerKey !== null) tally.customers.add(line.customerKey);
      tally.orders.add(line.orderId);
      tally.units += units;
      tally.revenue += revenue;
    }
    overall.set(line.productId, (overall.get(line.productId) ?? 0) + units);
    totalUnits += units;
  }
  const result: Segment[] = [...segments.entries()].map(([key, tally]) => {
    const ranked = [...(products.get(key) ?? new Map<number, Tally>()).entries()].sort(
      ([idA, a], [idB, b]) => b.units - a.units || b.revenue - a.revenue || idA - idB,
    );
    return {
      segment: key,
      customers: tally.customers.size,
      orders: tally.orders.size,
      units: tally.units,
      revenueCents: tally.revenue,
      topProducts: ranked.slice(0, limit).map(([productId, product]) => {
        const share = product.units / tally.units;
        const overallShare = (overall.get(productId) ?? 0) / totalUnits;
        return {
          rank: 1 + ranked.filter(([, other]) => other.units > product.units || (other.units === product.units && other.revenue > product.revenue)).length,
          productId,
          name: productName(productId),
          category: productCategory(productId),
          units: product.units,
          revenueCents: product.revenue,
          buyers: product.customers.size,
          share,
          lift: share / overallShare,
        };
      }),
    };
  });
  result.sort((a, b) => b.units - a.units || (a.segment < b.segment ? -1 : a.segment > b.segment ? 1 : 0));
  return { dimension: filters.dimension, segments: result };
}

/** Floating-point figures agree to 1e-12; everything else exactly. */
function assertSameInsight(actual: SegmentInsight, expected: SegmentInsight, label: string): void {
  const rounded = (insight: SegmentInsight): SegmentInsight => ({
    ...insight,
    segments: insight.segments.map((segment) => ({
      ...segment,
      topProducts: segment.topProducts.map((product) => ({
        ...product,
        share: product.share === null ? null : Math.round(product.share * 1e12) / 1e12,
        lift: product.lift === null ? null : Math.round(product.lift * 1e12) / 1e12,
      })),
    })),
  });
  assert.deepEqual(rounded(actual), rounded(expected), label);
}

async function writeSales(dataDir: string, lines: readonly Line[]): Promise<void> {
  const csv = path.join(dataDir, 'sales.csv');
  const cell = (value: string | number | boolean | null): string => (value === null ? '' : String(value));
  writeFileSync(
    csv,
    lines
      .map((line, index) =>
        [
          index + 1, line.orderId, line.placedDate, line.status, line.customerKey, line.ageBand, line.gender, line.region,
          line.shipCountry, line.shipRegion, line.salesTerritory, line.isReturning, line.productId, productName(line.productId),
          line.category, line.quantity, line.unitPriceCents,
        ]
          .map(cell)
          .join(','),
      )
      .join('\n'),
  );
  const curated = path.join(dataDir, 'lake', 'curated');
  mkdirSync(curated, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    await db.run(`COPY (
        SELECT placed_date AS dt, *, placed_date::TIMESTAMPTZ AS placed_at, 'shop' AS source, quantity * unit_price_cents AS line_total_cents
          FROM read_csv('${csv}', header = false, nullstr = '', columns = {
            'order_item_id': 'BIGINT', 'order_id': 'BIGINT', 'placed_date': 'DATE', 'status': 'VARCHAR', 'customer_key': 'VARCHAR',
            'age_band': 'VARCHAR', 'gender': 'VARCHAR', 'region': 'VARCHAR', 'ship_country': 'VARCHAR', 'ship_region': 'VARCHAR',
            'sales_territory': 'VARCHAR', 'is_returning': 'BOOLEAN', 'product_id': 'BIGINT', 'product_name': 'VARCHAR',
            'category_slug': 'VARCHAR', 'quantity': 'BIGINT', 'unit_price_cents': 'BIGINT'}))
      TO '${path.join(curated, 'sales')}' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true)`);
    // the per-order rollup, as the nightly run writes it beside sales (same definition, same dates)
    await db.run(`COPY (${salesOrdersSelect(`(SELECT * FROM read_parquet('${path.join(curated, 'sales', '*', '*.parquet')}', hive_partitioning = true))`)})
      TO '${path.join(curated, 'sales_orders')}' (FORMAT parquet, PARTITION_BY (dt), OVERWRITE_OR_IGNORE true)`);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

describe('popular products per segment against a line-by-line reference', () => {
  const lines = generateLines();
  const window = { from: '2026-05-03', to: '2026-05-17' };
  const cases = (dimension: SegmentDimension): SegmentFilters[] => [
    { ...window, dimension, limit: 3 },
    { ...window, dimension, limit: 50 },
    { ...window, dimension, category: 'jackets', limit: 2 },
    { ...window, dimension, category: 'shirts' },
  ];
  let dataDir: string;
  let lake: InsightsLake;
  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'segments-reference-'));
    await writeSales(dataDir, lines);
    lake = await InsightsLake.open(dataDir, { threads: 2 });
  });
  after(() => {
    lake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates what the comparison needs: ties, customers in several segments, guests', () => {
    const countriesOf = new Map<string, Set<string>>();
    for (const line of lines) {
      if (line.customerKey === null) continue;
      const countries = countriesOf.get(line.customerKey) ?? new Set<string>();
      countries.add(line.shipCountry ?? 'unknown');
      countriesOf.set(line.customerKey, countries);
    }
    assert.ok([...countriesOf.values()].some((countries) => countries.size > 1), 'a customer ships to several countries');
    assert.ok(lines.some((line) => line.customerKey === null), 'guest lines');
    const tied = SEGMENT_DIMENSIONS.filter((dimension) =>
      cases(dimension).some((filters) =>
        reference(lines, filters).segments.some((segment) => new Set(segment.topProducts.map((product) => product.rank)).size < segment.topProducts.length),
      ),
    );
    assert.ok(tied.length >= 3, `tied products share a rank (in ${tied.join(', ')})`);
  });

  for (const dimension of SEGMENT_DIMENSIONS) {
    it(`agrees on every figure by ${dimension}, with and without a category filter, from the order rollup and from the lines`, async () => {
      assert.ok(lake.covers('sales_orders', 'sales', window), 'the rollup covers the window');
      for (const filters of cases(dimension)) {
        const expected = reference(lines, filters);
        assert.ok(expected.segments.length > 0);
        const fromRollup = await segmentInsight(lake, filters);
        assertSameInsight(fromRollup, expected, `rollup ${JSON.stringify(filters)}`);
        const fromLines = await segmentInsight(lake, filters, { useOrderRollup: false });
        assertSameInsight(fromLines, expected, `lines ${JSON.stringify(filters)}`);
        assert.deepEqual(fromRollup, fromLines, `rollup and lines ${JSON.stringify(filters)}`);
      }
    });
  }

  it('reads the rollup only while it has rows for every date sales has sold lines on in the window, else counts from the lines', async () => {
    const partial = mkdtempSync(path.join(tmpdir(), 'segments-partial-'));
    try {
      await writeSales(partial, lines);
      const day = path.join(partial, 'lake', 'curated', 'sales_orders', 'dt=2026-05-10');
      rmSync(day, { recursive: true });
      const partialLake = await InsightsLake.open(partial, { threads: 1 });
      try {
        const filters: SegmentFilters = { ...window, dimension: 'customer_type', limit: 5 };
        const expected = reference(lines, filters);
        // a lake from before the rollup (or a day it lacks): the lines answer, exactly
        assert.equal(partialLake.covers('sales_orders', 'sales', window), false);
        assertSameInsight(await segmentInsight(partialLake, filters), expected, 'a day without its rollup partition');
        // a window without that day is covered, and answered from the rollup
        const before = { ...filters, to: '2026-05-09' };
        assert.equal(partialLake.covers('sales_orders', 'sales', before), true);
        assertSameInsight(await segmentInsight(partialLake, before), reference(lines, before), 'a window the rollup covers');
        // with rows of the day in the rollup the window counts as covered (the dates come from
        // the files' dt values), and the counts come from the rollup: with one order of the day
        // put back, the day's other orders are missing from them, which proves which path ran
        const kept = path.join(partial, 'kept.parquet');
        const instance = await DuckDBInstance.create(':memory:');
        const db = await instance.connect();
        try {
          const rollup = salesOrdersSelect(`(SELECT * FROM read_parquet('${path.join(partial, 'lake', 'curated', 'sales', '*', '*.parquet')}', hive_partitioning = true))`);
          await db.run(`COPY (SELECT * FROM (${rollup}) WHERE dt = DATE '2026-05-10' ORDER BY order_id LIMIT 1) TO '${kept}' (FORMAT parquet)`);
          mkdirSync(day, { recursive: true });
          await db.run(`COPY (SELECT * EXCLUDE (dt) FROM read_parquet('${kept}')) TO '${path.join(day, 'part-0.parquet')}' (FORMAT parquet)`);
        } finally {
          db.closeSync();
          instance.closeSync();
        }
        await partialLake.refresh();
        assert.equal(partialLake.covers('sales_orders', 'sales', window), true);
        const fromRollup = await segmentInsight(partialLake, filters);
        const orders = (insight: SegmentInsight): number => insight.segments.reduce((sum, segment) => sum + segment.orders, 0);
        assert.ok(orders(fromRollup) < orders(expected), 'the orders of 2026-05-10 are not in the rollup');
        assert.equal(orders(await segmentInsight(partialLake, filters, { useOrderRollup: false })), orders(expected));
      } finally {
        partialLake.close();
      }
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  });

  it('answers an empty category with no segments', async () => {
    assert.deepEqual((await segmentInsight(lake, { ...window, dimension: 'gender', category: 'no-such-category' })).segments, []);
  });
});
