import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { sizeGuideFor } from './size-guide';

describe('size guides', () => {
  it('follows the category first', () => {
    assert.equal(sizeGuideFor('jeans', ['S'])?.title, 'Jeans and trousers');
    assert.equal(sizeGuideFor('shoes', ['8'])?.title, 'Shoes');
    assert.equal(sizeGuideFor('accessories', ['S']), undefined, 'one-size accessories get none');
  });

  it('falls back to what the sizes look like for other categories', () => {
    assert.equal(sizeGuideFor('dresses', ['XS', 'S', 'M'])?.title, 'Clothing');
    assert.equal(sizeGuideFor('outerwear', ['30', '32'])?.title, 'Jeans and trousers');
    assert.equal(sizeGuideFor(undefined, ['7', '8'])?.title, 'Shoes');
    assert.equal(sizeGuideFor('tops', ['One Size']), undefined);
  });
});
