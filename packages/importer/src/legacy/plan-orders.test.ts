import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { OrderLineRow } from './entities.js';
import { planOrders, type OrderLineResult } from './plan-orders.js';

const placedAt = new Date('2021-03-04T15:00:00Z');

function line(rowNumber: number, orderKey: string, fields: Partial<OrderLineRow> = {}): OrderLineResult {
  const value: OrderLineRow = {
    legacyId: orderKey, customerLegacyId: 'C-1', customerEmail: undefined, customerName: 'Ann', customerSegment: 'Consumer',
    sku: undefined, productLegacyId: 'P-1', productName: 'Linen shirt', category: 'Tops', subCategory: 'Shirts', size: undefined,
    colour: 'Sky Blue', placedAt, shippedAt: null, status: 'delivered', productCreatedAt: null, quantity: 2, lineTotalCents: 2000,
    unitPriceCents: 1000, discountRate: null, costCents: null, profitCents: null, shippingCents: 0, shipCountry: 'US',
    shipRegion: 'NY', shipCity: 'New York', shipPostalCode: '10001', salesTerritory: 'East', shippingMethod: 'standard',
    ...fields,
  };
  return { rowNumber, orderKey, value };
}

describe('planOrders', () => {
  it('stages every line of orders whose lines agree, with the SKU and category slugs derived per line', () => {
    const plan = planOrders([
      line(2, 'O-1'), line(3, 'O-2', { productLegacyId: 'P-2', size: 'XL', colour: undefined, category: 'Tops', subCategory: undefined }),
      line(4, 'O-1', { productLegacyId: 'P-3', category: 'Home Goods', subCategory: 'Bath  Towels' }),
    ], { isSplitting: false });
    assert.deepEqual(plan.rejected, []);
    assert.deepEqual(plan.lines.map((staged) => [staged.rowNumber, staged.orderKey, staged.splitOf, staged.variantSku, staged.categorySlug, staged.subCategorySlug]), [
      [2, 'O-1', null, 'LEGACY-P-1-One_size-Sky_Blue', 'tops', 'tops-shirts'],
      [4, 'O-1', null, 'LEGACY-P-3-One_size-Sky_Blue', 'home-goods', 'home-goods-bath-towels'],
      [3, 'O-2', null, 'LEGACY-P-2-XL-Default', 'tops', null],
    ]);
  });

  it('drops a whole order with a bad line, naming every row', () => {
    const plan = planOrders([
      line(2, 'O-1'), { rowNumber: 3, orderKey: 'O-1', error: { column: 'quantity', reason: 'not a number' } }, line(4, 'O-2'),
    ], { isSplitting: false });
    assert.deepEqual(plan.lines.map((staged) => staged.rowNumber), [4]);
    assert.deepEqual(plan.rejected.map((row) => row.row).sort(), [2, 3]);
    assert.match(plan.rejected.find((row) => row.row === 2)!.reason, /order O-1 not imported: row 3 rejected/);
  });

  it('rejects an order whose lines disagree on the date, the status or the shipping method', () => {
    for (const differing of [{ placedAt: new Date('2021-03-05T15:00:00Z') }, { status: 'cancelled' }, { shippingMethod: 'express' }]) {
      const plan = planOrders([line(2, 'O-1'), line(3, 'O-1', differing)], { isSplitting: false });
      assert.deepEqual(plan.lines, []);
      assert.deepEqual(plan.rejected.map((row) => row.row).sort(), [2, 3]);
      assert.match(plan.rejected.find((row) => row.row === 3)!.reason, /disagree on date, status or shipping method/);
    }
  });

  it('rejects an order whose lines name different customers, or splits it when asked, with row numbers', () => {
    const results = [line(2, 'O-1'), line(3, 'O-1', { customerLegacyId: 'C-2' }), line(4, 'O-1')];
    const rejecting = planOrders(results, { isSplitting: false });
    assert.deepEqual(rejecting.lines, []);
    assert.deepEqual(rejecting.rejected.map((row) => row.row), [2, 3, 4]);
    assert.match(rejecting.rejected[0]!.reason, /C-1 on rows 2, 4; C-2 on row 3/);
    const splitting = planOrders(results, { isSplitting: true });
    assert.deepEqual(splitting.lines.map((staged) => [staged.rowNumber, staged.orderKey, staged.splitOf]), [
      [2, 'O-1', null], [3, 'O-1/C-2', 'O-1'], [4, 'O-1', null],
    ]);
    assert.ok(splitting.warnings.some((warning) => warning.message.includes('the parts are O-1, O-1/C-2')));
  });

  it('tells a customer by e-mail whatever its case, so one customer is one order', () => {
    const plan = planOrders([
      line(2, 'O-1', { customerLegacyId: undefined, customerEmail: 'Ann@Example.com' }),
      line(3, 'O-1', { customerLegacyId: undefined, customerEmail: 'ann@example.com' }),
    ], { isSplitting: false });
    assert.deepEqual(plan.rejected, []);
    assert.equal(plan.lines.length, 2);
  });
});
