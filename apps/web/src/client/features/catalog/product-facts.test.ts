import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { formatPriceRange } from '../../lib/money';
import { filtersFromParams, productsQuery } from './catalog-api';
import { coloursOf, compareSizes, isSoldOut, photosForColour, priceRangeOf, ratingOf, sizesOf, swatchColour } from './product-facts';

const variant = (size: string, colour: string, stock = 1) => ({ id: 1, size, colour, price: 100, stock });

describe('product facts for display', () => {
  it('orders sizes as a shopper reads them', () => {
    assert.deepEqual(['XL', 'S', 'M', 'XS', 'L'].sort(compareSizes), ['XS', 'S', 'M', 'L', 'XL']);
    assert.deepEqual(['32', '28', '30'].sort(compareSizes), ['28', '30', '32']);
    assert.deepEqual(sizesOf([variant('L', 'Red'), variant('S', 'Red'), variant('S', 'Blue')]), ['S', 'L']);
    assert.deepEqual(coloursOf([variant('L', 'Red'), variant('S', 'Blue'), variant('S', 'Red')]), ['Red', 'Blue']);
  });

  it("shows a list card's price range and sold-out tag from the summary", () => {
    assert.equal(formatPriceRange(priceRangeOf({ priceFrom: 1999, priceTo: 2499 })), '$19.99 – $24.99');
    assert.equal(formatPriceRange(priceRangeOf({ priceFrom: 1999, priceTo: 1999 })), '$19.99');
    assert.equal(formatPriceRange(priceRangeOf({ priceFrom: null, priceTo: null })), '', 'no variants, no price');
    assert.equal(isSoldOut({ stock: 0, variantCount: 3 }), true);
    assert.equal(isSoldOut({ stock: 1, variantCount: 3 }), false);
    assert.equal(isSoldOut({ stock: 0, variantCount: 0 }), false, 'a product without variants is not sold out');
  });

  it('shows no rating before the first review', () => {
    assert.equal(ratingOf({ rating: { average: null, count: 0 } }), null);
    assert.deepEqual(ratingOf({ rating: { average: 4.5, count: 2 } }), { average: 4.5, count: 2 });
  });
});

describe('list filters in the address', () => {
  it('reads filters from the URL and ignores malformed prices', () => {
    const filters = filtersFromParams(new URLSearchParams('category=denim&size=M&minPrice=2000&maxPrice=abc&sort=price_asc'));
    assert.deepEqual(filters, { q: undefined, category: 'denim', size: 'M', colour: undefined, family: undefined, minPrice: 2000, maxPrice: undefined, sort: 'price_asc' });
    assert.equal(filtersFromParams(new URLSearchParams('family=green')).family, 'green');
  });

  it('sends only the filters that are set, plus the cursor and page size', () => {
    assert.equal(productsQuery({ q: "O'Neill jacket", colour: 'Black' }, 'abc'), "?q=O%27Neill+jacket&colour=Black&cursor=abc&limit=24");
  });
});

describe('photosForColour', () => {
  const photos = [
    { url: 'burgundy-1', colour: 'Burgundy' },
    { url: 'any', colour: null },
    { url: 'cream-1', colour: 'Cream' },
    { url: 'cream-2', colour: 'cream' },
  ];
  it("shows the chosen colour's photos first, then any-colour ones, never another colour's", () => {
    assert.deepEqual(photosForColour(photos, 'Cream').map((photo) => photo.url), ['cream-1', 'cream-2', 'any']);
  });
  it('shows every photo with no colour chosen, or when none fits the colour', () => {
    assert.equal(photosForColour(photos, undefined).length, 4);
    assert.deepEqual(photosForColour([{ url: 'b', colour: 'Burgundy' }], 'Cream').map((photo) => photo.url), ['b']);
  });
});

describe('swatchColour', () => {
  it('draws free colour names in their family colour, whatever their case', () => {
    assert.equal(swatchColour('navy'), swatchColour('Navy'));
    assert.notEqual(swatchColour('Seafoam'), '#b5b5b5', 'seafoam is no longer grey');
    assert.equal(swatchColour('Deep Wine'), swatchColour('wine'));
    assert.equal(swatchColour('Seafoam Green'), swatchColour('green'), 'the last known word decides');
    assert.equal(swatchColour('Unheard-of'), '#b5b5b5');
  });
});
