import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { createTestDatabase, type TestDatabase } from '../testing/index.js';
import { insertUser } from '../users/users.repo.js';
import { insertCategory } from './categories.repo.js';
import { colourFamilyOf, listAdminColourMappings, listColourFamilies, listUnmappedColours, mapColour, UnknownColourFamilyError, EmptyColourNameError } from './colours.repo.js';
import { listProducts } from './product-list.repo.js';
import { insertProduct, insertVariants, updateVariant } from './products.repo.js';
import { productFacets } from './search.repo.js';

const PRESENTATION = { lowStockThreshold: 3, imageWidths: [320, 640], defaultImageWidth: 640 };

describe('colour families', () => {
  let db: TestDatabase;
  let sellerId: number;
  let categoryId: number;
  const make = async (name: string, colours: string[]): Promise<number> => {
    const id = await insertProduct(db.pool, { sellerId, categoryId, name, description: `${name}.`, status: 'published' });
    await insertVariants(db.pool, id, colours.map((colour, index) => ({ size: ['S', 'M', 'L', 'XL'][index] ?? 'XXL', colour, priceCents: 2000, stock: 5 })));
    return id;
  };
  const names = async (query: { family?: string; colour?: string }): Promise<string[]> => {
    const page = await listProducts(db.pool, { ...query, sort: 'newest', limit: 50 }, PRESENTATION);
    return page.items.map((item) => (JSON.parse(item) as { name: string }).name).sort();
  };

  before(async () => {
    db = await createTestDatabase();
    sellerId = (await insertUser(db.pool, { email: 'seller@example.com', passwordHash: 'x', name: 'Seller', role: 'seller' })).id;
    categoryId = (await insertCategory(db.pool, { slug: 'tops', name: 'Tops' })).id;
    await make('Olive tee', ['Olive', 'Black']);
    await make('Navy jumper', ['navy', 'Heather Grey']);
    await make('Seafoam shirt', ['Seafoam']);
    await make('Blue tee', ['SKY  blue', 'heather-grey']);
    await make('Odd hoodie', ['Glacier']);
    await make('Dark olive chinos', ['Dark Olive']);
  });
  after(() => db.close());

  it('seeds families in swatch order and maps every demo catalogue colour', async () => {
    const families = await listColourFamilies(db.pool);
    assert.deepEqual(families.slice(0, 3).map((family) => family.slug), ['black', 'white', 'grey']);
    assert.ok(families.every((family) => /^#[0-9a-f]{6}$/.test(family.hex)));
    const demo = ['Black', 'White', 'Navy', 'Heather Grey', 'Charcoal', 'Olive', 'Camel', 'Burgundy', 'Cream', 'Indigo', 'Light Wash', 'Forest Green', 'Rust', 'Dusty Pink', 'Sky Blue', 'Mustard', 'Sand', 'Red', 'Lilac', 'Chocolate', 'Coral', 'Teal'];
    const unmapped: string[] = [];
    for (const colour of demo) if ((await colourFamilyOf(db.pool, colour)) === null) unmapped.push(colour);
    assert.deepEqual(unmapped, []);
  });

  it('compares names ignoring case, spacing and punctuation, and falls back to the last word', async () => {
    assert.equal(await colourFamilyOf(db.pool, '  HEATHER   grey '), 'grey');
    assert.equal(await colourFamilyOf(db.pool, 'heather-gray'), 'grey');
    assert.equal(await colourFamilyOf(db.pool, 'Burgundy'), 'red');
    assert.equal(await colourFamilyOf(db.pool, 'Washed Sky Blue'), 'blue');
    assert.equal(await colourFamilyOf(db.pool, 'Glacier'), null);
  });

  it('filters the product list by family over every spelling of its colours', async () => {
    assert.deepEqual(await names({ family: 'green' }), ['Dark olive chinos', 'Olive tee', 'Seafoam shirt']);
    assert.deepEqual(await names({ family: 'grey' }), ['Blue tee', 'Navy jumper']);
    assert.deepEqual(await names({ family: 'blue' }), ['Blue tee', 'Navy jumper']);
    assert.deepEqual(await names({ family: 'purple' }), []);
    // the exact colour filter still works beside it
    assert.deepEqual(await names({ colour: 'NAVY' }), ['Navy jumper']);
  });

  it('counts products per family as if the family filter were off', async () => {
    const facets = await productFacets(db.pool, { family: 'green' });
    const count = (slug: string): number | undefined => facets.families.find((family) => family.value === slug)?.count;
    assert.equal(count('green'), 3);
    assert.equal(count('grey'), 2);
    assert.equal(count('black'), 1);
    assert.equal(count('purple'), 0);
    assert.equal(facets.families.find((family) => family.value === 'green')?.name, 'Green');
  });

  it('lists unknown names for an admin, and mapping one re-files its variants at once', async () => {
    assert.deepEqual(await listUnmappedColours(db.pool, { limit: 10 }), [{ name: 'Glacier', products: 1, variants: 1 }]);
    assert.deepEqual(await mapColour(db.pool, { name: ' glacier ', family: 'blue', mappedBy: sellerId }), { variants: 1 });
    assert.deepEqual(await listUnmappedColours(db.pool, { limit: 10 }), []);
    assert.ok((await names({ family: 'blue' })).includes('Odd hoodie'));
    assert.deepEqual(await listAdminColourMappings(db.pool, { limit: 10 }), [{ name: 'glacier', family: 'blue', source: 'admin' }]);
    // remapping a vocabulary name moves its variants too
    await mapColour(db.pool, { name: 'Seafoam', family: 'blue', mappedBy: null });
    assert.deepEqual(await names({ family: 'green' }), ['Dark olive chinos', 'Olive tee']);
  });

  it('files a variant again when its colour is edited, and new variants of known names at once', async () => {
    const id = await make('Plain tee', ['Pink']);
    assert.deepEqual(await names({ family: 'pink' }), ['Plain tee']);
    const { rows } = await db.pool.query<{ id: number }>('SELECT id FROM product_variants WHERE product_id = $1', [id]);
    const variantId = rows[0]?.id;
    assert.ok(variantId !== undefined);
    await updateVariant(db.pool, id, variantId, { size: 'S', colour: 'Mustard', priceCents: 2000, stock: 5 });
    assert.deepEqual(await names({ family: 'pink' }), []);
    assert.deepEqual(await names({ family: 'yellow' }), ['Plain tee']);
  });

  it('rejects an unknown family and a name with nothing to compare', async () => {
    await assert.rejects(mapColour(db.pool, { name: 'Glacier', family: 'teal-ish', mappedBy: null }), UnknownColourFamilyError);
    await assert.rejects(mapColour(db.pool, { name: ' -- ', family: 'blue', mappedBy: null }), EmptyColourNameError);
  });
});
