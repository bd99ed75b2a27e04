import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { listAudit } from '@threadline/db';

import { Client, createCategory, createHarness, createProduct, errorOf, json, signedInClient, type Harness } from '../testing/harness.js';

interface ListBody {
  items: { name: string }[];
  facets?: { families: { value: string; name: string; hex: string; count: number }[] };
}

let harness: Harness;
let anonymous: Client;
let admin: Client;
let seller: Client;

before(async () => {
  harness = await createHarness();
  anonymous = new Client(harness.app);
  admin = (await signedInClient(harness, 'admin')).client;
  seller = (await signedInClient(harness, 'seller')).client;
  const tops = await createCategory(harness, 'tops');
  const variant = (size: string, colour: string) => ({ size, colour, price: 3000, stock: 4 });
  await createProduct(seller, tops.id, { name: 'Olive tee', variants: [variant('S', 'Olive'), variant('M', 'navy')] });
  await createProduct(seller, tops.id, { name: 'Sea shirt', variants: [variant('M', 'Seafoam'), variant('L', 'Heather Grey')] });
  await createProduct(seller, tops.id, { name: 'Navy jumper', variants: [variant('M', 'Navy')] });
  await createProduct(seller, tops.id, { name: 'Glacier hoodie', variants: [variant('M', 'Glacier')] });
});
after(async () => {
  await harness.close();
});

async function list(query: string): Promise<ListBody> {
  const response = await anonymous.get(`/api/products${query}`);
  assert.equal(response.statusCode, 200, response.body);
  return json<ListBody>(response);
}

describe('colour families in the product list', () => {
  it('lists the families in swatch order', async () => {
    const body = json<{ items: { slug: string; name: string; hex: string }[] }>(await anonymous.get('/api/colour-families'));
    assert.deepEqual(body.items.slice(0, 3).map((family) => family.name), ['Black', 'White', 'Grey']);
  });

  it('filters by family across spellings and counts products per family', async () => {
    assert.deepEqual((await list('?family=green')).items.map((item) => item.name).sort(), ['Olive tee', 'Sea shirt']);
    assert.deepEqual((await list('?family=blue')).items.map((item) => item.name).sort(), ['Navy jumper', 'Olive tee']);
    const { facets } = await list('?family=green');
    const count = (slug: string): number | undefined => facets?.families.find((family) => family.value === slug)?.count;
    // the family facet counts as if the family filter were off; families with none are still listed
    assert.equal(count('green'), 2);
    assert.equal(count('blue'), 2);
    assert.equal(count('grey'), 1);
    assert.equal(count('red'), 0);
  });

  it('rejects a malformed family with a 400 naming the field', async () => {
    const response = await anonymous.get('/api/products?family=Gr%20een');
    assert.equal(response.statusCode, 400);
    assert.equal(errorOf(response).field, 'family');
  });
});

describe('admin colour mapping', () => {
  it('is for admins only', async () => {
    assert.equal((await anonymous.get('/api/admin/colours')).statusCode, 401);
    assert.equal((await seller.get('/api/admin/colours')).statusCode, 403);
    assert.equal((await seller.post('/api/admin/colours', { name: 'Glacier', family: 'blue' })).statusCode, 403);
  });

  it('lists a seller colour no family knows, maps it, and the shop filters by it at once (audited)', async () => {
    const before = json<{ unmapped: { name: string; products: number }[] }>(await admin.get('/api/admin/colours'));
    assert.deepEqual(before.unmapped, [{ name: 'Glacier', products: 1, variants: 1 }]);
    assert.deepEqual((await list('?family=blue')).items.map((item) => item.name).sort(), ['Navy jumper', 'Olive tee']);
    const mapped = await admin.post('/api/admin/colours', { name: 'GLACIER', family: 'blue' });
    assert.equal(mapped.statusCode, 200, mapped.body);
    assert.deepEqual(json(mapped), { name: 'GLACIER', family: 'blue', variants: 1 });
    const afterMap = json<{ unmapped: unknown[]; mapped: { name: string; family: string }[] }>(await admin.get('/api/admin/colours'));
    assert.deepEqual(afterMap.unmapped, []);
    assert.deepEqual(afterMap.mapped.map(({ name, family }) => ({ name, family })), [{ name: 'GLACIER', family: 'blue' }]);
    assert.deepEqual((await list('?family=blue')).items.map((item) => item.name).sort(), ['Glacier hoodie', 'Navy jumper', 'Olive tee']);
    const audit = await listAudit(harness.db.pool, { action: 'colour.mapped' });
    assert.equal(audit.entries.length, 1);
    assert.deepEqual(audit.entries[0]?.details, { colour: 'GLACIER', family: 'blue', variants: 1 });
  });

  it('names the field of a bad mapping', async () => {
    const unknown = await admin.post('/api/admin/colours', { name: 'Glacier', family: 'teal' });
    assert.equal(unknown.statusCode, 400);
    assert.equal(errorOf(unknown).field, 'family');
    const empty = await admin.post('/api/admin/colours', { name: '--', family: 'blue' });
    assert.equal(empty.statusCode, 400);
    assert.equal(errorOf(empty).field, 'name');
  });
});
