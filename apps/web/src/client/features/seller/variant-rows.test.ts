import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { newRow, readRows, rowsFromVariants } from './variant-rows';

describe('the variants table', () => {
  it('turns rows into API variants with prices in cents', () => {
    const rows = [newRow({ size: 'M', colour: 'Navy', price: '54.50', stock: '7' }), newRow({ size: 'L', colour: 'Navy', price: '$1,054', stock: '0' })];
    assert.deepEqual(readRows(rows).variants, [
      { size: 'M', colour: 'Navy', price: 5450, stock: 7 },
      { size: 'L', colour: 'Navy', price: 105400, stock: 0 },
    ]);
  });

  it('keeps the ids of existing variants so the API updates rather than adds them', () => {
    const rows = rowsFromVariants([{ id: 9, size: 'S', colour: 'Black', price: 2400, stock: 3 }]);
    assert.deepEqual(rows.map(({ price, stock }) => [price, stock]), [['24.00', '3']]);
    assert.deepEqual(readRows(rows).variants, [{ id: 9, size: 'S', colour: 'Black', price: 2400, stock: 3 }]);
  });

  it('names each bad cell and refuses the table', () => {
    const bad = newRow({ size: '', colour: 'Red', price: 'ten', stock: '-1' });
    const result = readRows([bad]);
    assert.equal(result.variants, undefined);
    assert.deepEqual(Object.keys(result.errors[bad.key] ?? {}).sort(), ['price', 'size', 'stock']);
    const free = newRow({ size: 'M', colour: 'Red', price: '0', stock: '1' });
    assert.equal(readRows([free]).errors[free.key]?.price, 'The price must be above $0.');
  });

  it('catches a size and colour listed twice, whatever the case', () => {
    const second = newRow({ size: 'm', colour: 'navy', price: '10', stock: '1' });
    const result = readRows([newRow({ size: 'M', colour: 'Navy', price: '10', stock: '1' }), second]);
    assert.equal(result.errors[second.key]?.size, 'This size and colour are already listed.');
  });

  it('asks for at least one variant', () => {
    assert.match(readRows([]).tableError ?? '', /at least one variant/);
  });
});
