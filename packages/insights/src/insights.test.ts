import assert from 'node:assert/strict';
import { cpSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { lakeRoot } from '@threadline/lake';

import { adChannelAnswers, adChannelInsight } from './ad-channels/ad-channels.js';
import { InsightsLake } from './lake/insights-lake.js';
import { reviewInsight } from './reviews/reviews.js';
import { salesInsight } from './sales/sales.js';
import { SEGMENT_DIMENSIONS, segmentInsight } from './segments/segments.js';
import { writeFixtureLake } from './testing/fixture-lake.js';

const MARCH = { from: '2026-03-01', to: '2026-03-31' };
const APRIL = { from: '2026-04-01', to: '2026-04-30' };

describe('insights over a hand-made lake', () => {
  let dataDir: string;
  let lake: InsightsLake;
  before(async () => {
    dataDir = await writeFixtureLake();
    lake = await InsightsLake.open(dataDir, { threads: 1 });
  });
  after(() => {
    lake.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  describe('sales (5.3)', () => {
    it('totals exclude cancelled orders', async () => {
      const sales = await salesInsight(lake, MARCH);
      // sold orders 10, 11, 12, 14, 15, 16; order 13 is cancelled
      // revenue 2×3000+9000 + 2×9000 + 2000 + 2000 + 3000 + 2000 = 42000 over 9 units
      assert.deepEqual(sales.totals, { orders: 6, units: 9, revenueCents: 42000, averageOrderCents: 7000, cancelledOrders: 1 });
    });

    it('gives every day of the window, zero on days without sales', async () => {
      const sales = await salesInsight(lake, MARCH);
      assert.equal(sales.overTime.length, 31);
      const day = (date: string) => sales.overTime.find((row) => row.date === date);
      assert.deepEqual(day('2026-03-01'), { date: '2026-03-01', orders: 1, units: 3, revenueCents: 15000 });
      assert.deepEqual(day('2026-03-02'), { date: '2026-03-02', orders: 2, units: 3, revenueCents: 20000 });
      assert.deepEqual(day('2026-03-03'), { date: '2026-03-03', orders: 0, units: 0, revenueCents: 0 });
      assert.deepEqual(day('2026-03-06'), { date: '2026-03-06', orders: 1, units: 1, revenueCents: 2000 });
    });

    it('computes sell-through and the view → cart → order funnel per category', async () => {
      const { byCategory } = await salesInsight(lake, MARCH);
      assert.deepEqual(
        byCategory.map((row) => [row.key, row.unitsSold, row.revenueCents, row.stockOnHand, row.sellThrough, row.views, row.carts, row.orders]),
        [
          // shirts: 4 sold, 6 in stock → 4/10; 100 views, 10 carts, 1 order
          ['shirts', 4, 11000, 6, 0.4, 100, 10, 1],
          // jackets: 3 sold, none left → sold out
          ['jackets', 3, 27000, 0, 1, 40, 8, 2],
          ['accessories', 2, 4000, 18, 0.1, 0, 0, 0],
        ],
      );
      const shirts = byCategory[0];
      assert.equal(shirts?.viewToCart, 0.1);
      assert.equal(shirts?.cartToOrder, 0.1);
      assert.equal(byCategory[2]?.viewToCart, null, 'no views → no ratio, not 0 %');
    });

    it('filters by region', async () => {
      const sales = await salesInsight(lake, { ...MARCH, region: 'europe' });
      assert.deepEqual([sales.totals.orders, sales.totals.revenueCents], [2, 4000]);
    });

    it('answers an empty period with zeros and empty lists', async () => {
      const sales = await salesInsight(lake, APRIL);
      assert.deepEqual(sales.totals, { orders: 0, units: 0, revenueCents: 0, averageOrderCents: null, cancelledOrders: 0 });
      assert.ok(sales.overTime.every((row) => row.orders === 0));
    });
  });

  describe('popular products per segment (5.3)', () => {
    it('ranks by units then revenue, ties share a rank, one-customer segments count', async () => {
      const { segments } = await segmentInsight(lake, { ...MARCH, dimension: 'age_band' });
      assert.deepEqual(
        segments.map((segment) => [segment.segment, segment.customers, segment.orders, segment.units, segment.revenueCents]),
        [
          ['25-34', 2, 3, 6, 36000],
          ['35-44', 1, 2, 2, 4000],
          ['65+', 1, 1, 1, 2000],
        ],
      );
      const ranks = (name: string) => segments.find((segment) => segment.segment === name)?.topProducts.map((product) => [product.rank, product.productId, product.units]);
      // 25-34: jacket and shirt both sold 3, the jacket earned more
      assert.deepEqual(ranks('25-34'), [
        [1, 2, 3],
        [2, 1, 3],
      ]);
      // 35-44: shirt and scarf tie on units and revenue → both first, listed by id
      assert.deepEqual(ranks('35-44'), [
        [1, 1, 1],
        [1, 3, 1],
      ]);
      assert.deepEqual(ranks('65+'), [[1, 3, 1]]);
    });

    it('computes share and lift against all customers', async () => {
      const { segments } = await segmentInsight(lake, { ...MARCH, dimension: 'age_band' });
      const jacket = segments[0]?.topProducts[0];
      // the jacket is 3 of 6 units in 25-34 and 3 of 9 overall: lift 0.5 / (1/3) = 1.5
      assert.equal(jacket?.share, 0.5);
      assert.ok(Math.abs((jacket?.lift ?? 0) - 1.5) < 1e-9);
    });

    it('splits new and returning customers', async () => {
      const { segments } = await segmentInsight(lake, { ...MARCH, dimension: 'customer_type' });
      assert.deepEqual(
        segments.map((segment) => [segment.segment, segment.orders]).sort(),
        [
          ['new', 4],
          ['returning', 2],
        ],
      );
    });

    it('cuts by where customers live: ship-to country, and region/state with its country', async () => {
      const units = async (dimension: 'ship_country' | 'ship_region'): Promise<Array<[string, number]>> =>
        (await segmentInsight(lake, { ...MARCH, dimension })).segments.map((segment): [string, number] => [segment.segment, segment.units]).sort();
      assert.deepEqual(await units('ship_country'), [['BR', 1], ['CA', 2], ['DE', 1], ['US', 4], ['unknown', 1]]);
      assert.deepEqual(await units('ship_region'), [['Berlin, DE', 1], ['NY, US', 4], ['ON, CA', 2], ['unknown', 2]]);
      const us = (await segmentInsight(lake, { ...MARCH, dimension: 'ship_country' })).segments.find((segment) => segment.segment === 'US');
      assert.deepEqual(us?.topProducts.map((product) => [product.name, product.units]), [['Linen Shirt', 3], ['Denim Jacket', 1]]);
    });

    it('cuts by the sales territory an import kept, orders without one as unknown', async () => {
      const { segments } = await segmentInsight(lake, { ...MARCH, dimension: 'sales_territory' });
      assert.deepEqual(segments.map((segment): [string, number] => [segment.segment, segment.units]).sort(), [['Central', 2], ['East', 4], ['unknown', 3]]);
    });

    it('has no segments in an empty period', async () => {
      assert.deepEqual((await segmentInsight(lake, { ...APRIL, dimension: 'gender' })).segments, []);
    });
  });

  describe('reviews (5.3)', () => {
    it('counts every star, with and without text', async () => {
      const reviews = await reviewInsight(lake, MARCH);
      assert.deepEqual(reviews.distribution.map((row) => row.count), [1, 1, 1, 1, 2]);
      assert.equal(reviews.totals.reviews, 6);
      assert.equal(reviews.totals.withText, 4);
      assert.ok(Math.abs((reviews.totals.averageRating ?? 0) - 20 / 6) < 1e-9);
    });

    it('lists the lowest-rated products with texts and frequent words', async () => {
      const reviews = await reviewInsight(lake, { ...MARCH, minReviews: 2 });
      assert.deepEqual(reviews.lowestRated.map((product) => [product.productId, product.reviews, product.averageRating]), [
        [2, 3, 2],
        [1, 2, 4.5],
      ]);
      const jacket = reviews.lowestRated[0];
      assert.deepEqual(jacket?.texts.map((text) => text.rating), [1, 2, 3]);
      assert.deepEqual(jacket?.topWords.slice(0, 3), [
        { word: 'zip', count: 4 },
        { word: 'broke', count: 2 },
        { word: 'seams', count: 2 },
      ]);
      assert.ok(!jacket?.topWords.some((word) => ['the', 'and', 'are'].includes(word.word)), 'stop words are left out');
      // the shirt's second review has no text: only one text shown
      assert.equal(reviews.lowestRated[1]?.texts.length, 1);
    });

    it('orders categories from worst to best rated', async () => {
      const reviews = await reviewInsight(lake, MARCH);
      assert.deepEqual(reviews.byCategory.map((row) => [row.category, row.reviews, row.averageRating]), [
        ['jackets', 3, 2],
        ['shirts', 2, 4.5],
        ['accessories', 1, 5],
      ]);
    });
  });

  describe('offline ad channels (5.2)', () => {
    it('shares respondents per channel and prices them with the entered costs', async () => {
      const insight = await adChannelInsight(lake, MARCH, [
        { month: '2026-03-01', channel: 'tv', costCents: 150000 },
        { month: '2026-02-01', channel: 'radio', costCents: 999 },
      ]);
      assert.deepEqual(insight.totals, { respondents: 6, offlineRespondents: 5, uploads: 2 });
      const tv = insight.channels[0];
      assert.deepEqual([tv?.channel, tv?.respondents, tv?.share, tv?.costPerRespondentCents], ['tv', 3, 0.5, 50000]);
      assert.equal(insight.channels.find((row) => row.channel === 'radio')?.costCents, null, 'February cost is outside the window');
      assert.equal(insight.channels.find((row) => row.channel === 'flyer')?.respondents, 0, 'April answer is outside the window');
    });

    it('breaks channels down by region and month', async () => {
      const insight = await adChannelInsight(lake, MARCH);
      assert.deepEqual(
        insight.byRegion.map((segment) => [segment.segment, segment.respondents, segment.channels.map((item) => item.channel)]),
        [
          ['europe', 2, ['outdoor_billboard', 'tv']],
          ['north_america', 3, ['tv', 'social_media']],
          ['south_america', 1, ['radio']],
        ],
      );
      assert.deepEqual(insight.byMonth.map((row) => [row.month, row.channel, row.respondents]), [
        ['2026-03', 'outdoor_billboard', 1],
        ['2026-03', 'radio', 1],
        ['2026-03', 'social_media', 1],
        ['2026-03', 'tv', 3],
      ]);
    });

    it('browses free-text answers newest first, with search', async () => {
      const all = await adChannelAnswers(lake, MARCH);
      assert.equal(all.total, 3);
      assert.deepEqual(all.answers.map((answer) => answer.text), ['Instagram', 'Billboard near the station', 'Saw the TV spot during the game']);
      const found = await adChannelAnswers(lake, { ...MARCH, search: 'billboard' });
      assert.deepEqual(found.answers.map((answer) => answer.channel), ['outdoor_billboard']);
      const none = await adChannelAnswers(lake, { ...MARCH, search: "100%' OR 1=1 --" });
      assert.equal(none.total, 0);
    });
  });

  it('sees files published after it opened once ensureCurrent runs, without a query', async () => {
    const laterDir = `${dataDir}-later`;
    const later = await InsightsLake.open(laterDir, { threads: 1 });
    try {
      assert.equal(later.version(['sales']), 'sales:0:0');
      cpSync(path.join(lakeRoot(dataDir), 'curated', 'sales'), path.join(lakeRoot(laterDir), 'curated', 'sales'), { recursive: true });
      // the listing is re-read at most once a second
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await later.ensureCurrent();
      assert.notEqual(later.version(['sales']), 'sales:0:0');
      assert.ok(later.asOf(['sales']));
      assert.equal((await salesInsight(later, MARCH)).totals.orders, (await salesInsight(lake, MARCH)).totals.orders);
    } finally {
      later.close();
      rmSync(laterDir, { recursive: true, force: true });
    }
  });

  it('reads a lake without any data as empty, not as an error', async () => {
    const empty = await InsightsLake.open(`${dataDir}-missing`, { threads: 1 });
    try {
      assert.equal((await salesInsight(empty, MARCH)).totals.orders, 0);
      assert.deepEqual((await reviewInsight(empty, MARCH)).lowestRated, []);
      assert.equal((await adChannelInsight(empty, MARCH)).totals.respondents, 0);
      assert.equal(empty.asOf(['sales']), null);
    } finally {
      empty.close();
    }
  });

  it('answers every dashboard the same from month partitions (dt a column in the file) as from day partitions', async () => {
    const monthDir = await writeFixtureLake(undefined, { layout: 'month' });
    const monthly = await InsightsLake.open(monthDir, { threads: 1 });
    try {
      assert.ok(readdirSync(path.join(lakeRoot(monthDir), 'curated', 'sales')).every((name) => name.startsWith('month=')));
      const answers = async (from: InsightsLake): Promise<unknown[]> => [
        await salesInsight(from, MARCH),
        await salesInsight(from, { ...MARCH, region: 'europe' }),
        await salesInsight(from, { from: '2026-03-02', to: '2026-03-05' }),
        await salesInsight(from, APRIL),
        ...(await Promise.all(SEGMENT_DIMENSIONS.map((dimension) => segmentInsight(from, { ...MARCH, dimension })))),
        await reviewInsight(from, MARCH),
        await reviewInsight(from, { from: '2026-03-04', to: '2026-03-05' }),
        await adChannelInsight(from, MARCH),
      ];
      const expected = await answers(lake);
      assert.ok(JSON.stringify(expected).includes('Denim Jacket'));
      assert.deepEqual(await answers(monthly), expected);
      // the dates a dataset has come from its rows, whatever the folders
      assert.equal(monthly.covers('reviews', 'sales', MARCH), lake.covers('reviews', 'sales', MARCH));
      assert.equal(monthly.covers('sales', 'reviews', { from: '2026-03-02', to: '2026-03-02' }), true);
      assert.equal(monthly.covers('reviews', 'sales', { from: '2026-03-01', to: '2026-03-01' }), false, 'no review on 03-01, which has sales');
    } finally {
      monthly.close();
      rmSync(monthDir, { recursive: true, force: true });
    }
  });
});
