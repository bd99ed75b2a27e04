import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { StagedOrderLine } from './staged-order-line.js';
import { summariseOrderLines } from './order-line-summaries.js';

function line(overrides: Partial<StagedOrderLine> & Pick<StagedOrderLine, 'rowNumber' | 'orderKey'>): StagedOrderLine {
  return {
    splitOf: null, customerLegacyId: 'C-1', customerEmail: null, customerName: 'Ann', customerSegment: 'Consumer',
    productLegacyId: 'P-1', sku: null, variantSku: 'LEGACY-P-1-One_size-Default', size: null, colour: null, productName: 'Chair',
    categorySlug: 'furniture', categoryName: 'Furniture', subCategorySlug: 'furniture-chairs', subCategoryName: 'Chairs',
    productCreatedAt: null, placedAt: new Date('2020-01-01T00:00:00Z'), shippedAt: null, status: 'delivered', quantity: 1,
    lineTotalCents: 1000, unitPriceCents: 1000, discountRate: null, costCents: null, profitCents: null, shippingCents: 0,
    shipCountry: 'US', shipRegion: null, shipCity: null, shipPostalCode: null, salesTerritory: null, shippingMethod: null,
    ...overrides,
  };
}

describe('summariseOrderLines', () => {
  it('keeps the latest name of a product (order date, then row), every name with when it was used, and sold units', () => {
    const summary = summariseOrderLines([
      line({ rowNumber: 5, orderKey: 'O-2', placedAt: new Date('2021-03-01T00:00:00Z'), productName: 'Chair v2', quantity: 2 }),
      line({ rowNumber: 2, orderKey: 'O-1', placedAt: new Date('2020-01-01T00:00:00Z'), quantity: 3 }),
      // same date as row 5, later row: wins the tie
      line({ rowNumber: 9, orderKey: 'O-3', placedAt: new Date('2021-03-01T00:00:00Z'), productName: 'Chair v3', status: 'cancelled', quantity: 7, subCategorySlug: null }),
    ]);
    assert.deepEqual(summary.products, [{
      productLegacyId: 'P-1', latestName: 'Chair v3', slug: 'furniture', mappedCreatedAt: null,
      bornAt: new Date('2020-01-01T00:00:00Z'), unitsSold: 5,
    }]);
    assert.deepEqual(
      summary.productNames.map((name) => [name.name, name.firstSeen.toISOString(), name.lastSeen.toISOString()]).sort((a, b) => a[0]!.localeCompare(b[0]!)),
      [['Chair', '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'], ['Chair v2', '2021-03-01T00:00:00.000Z', '2021-03-01T00:00:00.000Z'],
        ['Chair v3', '2021-03-01T00:00:00.000Z', '2021-03-01T00:00:00.000Z']],
    );
  });

  it('takes a mapped creation date over the first sale, the earliest one when they differ', () => {
    const summary = summariseOrderLines([
      line({ rowNumber: 1, orderKey: 'O-1', productCreatedAt: new Date('2019-06-01T00:00:00Z') }),
      line({ rowNumber: 2, orderKey: 'O-2', productCreatedAt: new Date('2018-02-01T00:00:00Z') }),
      line({ rowNumber: 3, orderKey: 'O-3', productCreatedAt: null }),
    ]);
    assert.equal(summary.products[0]?.mappedCreatedAt?.toISOString(), '2018-02-01T00:00:00.000Z');
    assert.equal(summary.products[0]?.bornAt.toISOString(), '2018-02-01T00:00:00.000Z');
  });

  it('sums an order over its lines and names its first row; a variant gets the price of its latest line', () => {
    const summary = summariseOrderLines([
      line({ rowNumber: 8, orderKey: 'O-1', lineTotalCents: 250, shippingCents: 300, shippedAt: new Date('2020-01-05T00:00:00Z'), unitPriceCents: 90 }),
      // the lines of an order need not follow one another
      line({ rowNumber: 6, orderKey: 'O-2', lineTotalCents: 7, sku: 'S-1', variantSku: 'S-1', size: 'M', colour: 'Red' }),
      line({ rowNumber: 4, orderKey: 'O-1', lineTotalCents: 1001, shippingCents: 500, unitPriceCents: 80 }),
    ]);
    assert.deepEqual(summary.orders.sort((a, b) => a.orderKey.localeCompare(b.orderKey)).map(({ first, ...sums }) => ({ firstRow: first.rowNumber, ...sums })), [
      { firstRow: 4, orderKey: 'O-1', subtotalCents: 1251, shippingCents: 500, shippedAt: new Date('2020-01-05T00:00:00Z') },
      { firstRow: 6, orderKey: 'O-2', subtotalCents: 7, shippingCents: 0, shippedAt: null },
    ]);
    assert.deepEqual(summary.variants.sort((a, b) => a.variantSku.localeCompare(b.variantSku)), [
      { variantSku: 'LEGACY-P-1-One_size-Default', productLegacyId: 'P-1', size: 'One size', colour: 'Default', unitPriceCents: 90 },
      { variantSku: 'S-1', productLegacyId: 'P-1', size: 'M', colour: 'Red', unitPriceCents: 1000 },
    ]);
  });

  it('lists categories and sub-categories (name and parent from their first row), and customers by their latest line', () => {
    const summary = summariseOrderLines([
      line({ rowNumber: 3, orderKey: 'O-1', categoryName: 'FURNITURE', customerName: 'Ann B', placedAt: new Date('2022-01-01T00:00:00Z') }),
      line({ rowNumber: 1, orderKey: 'O-2', customerEmail: 'ann@example.com' }),
      // a line without a product name creates no product, variant or category
      line({ rowNumber: 2, orderKey: 'O-3', productName: null, productLegacyId: 'P-9', categorySlug: 'toys', categoryName: 'Toys', subCategorySlug: null }),
    ]);
    assert.deepEqual(summary.categories, [
      { slug: 'furniture', name: 'Furniture', parentSlug: null, isSub: false },
      { slug: 'furniture-chairs', name: 'Chairs', parentSlug: 'furniture', isSub: true },
    ]);
    assert.deepEqual(summary.products.map((product) => product.productLegacyId), ['P-1']);
    assert.deepEqual(summary.customers, [
      { customerLegacyId: 'C-1', name: 'Ann B', segment: 'Consumer', email: null, firstOrder: new Date('2020-01-01T00:00:00Z') },
    ]);
  });
});
