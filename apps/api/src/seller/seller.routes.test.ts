import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import sharp from 'sharp';

import { Client, createCategory, createHarness, createProduct, errorOf, json, signedInClient, type Harness } from '../testing/harness.js';

let harness: Harness;
let seller: Client;
let otherSeller: Client;
let admin: Client;
let categoryId: number;

before(async () => {
  harness = await createHarness();
  seller = (await signedInClient(harness, 'seller')).client;
  otherSeller = (await signedInClient(harness, 'seller')).client;
  admin = (await signedInClient(harness, 'admin')).client;
  categoryId = (await createCategory(harness, 'knitwear')).id;
});
after(async () => {
  await harness.close();
});

/** A multipart body with one file field, built by hand so the test controls every byte. */
function multipart(file: Buffer, options: { field?: string; filename?: string; alt?: string; colour?: string } = {}): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----threadline-test-boundary';
  const parts: Buffer[] = [];
  if (options.alt !== undefined) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\n${options.alt}\r\n`));
  if (options.colour !== undefined) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="colour"\r\n\r\n${options.colour}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${options.field ?? 'image'}"; filename="${options.filename ?? 'photo.jpg'}"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

async function photo(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } }).jpeg().toBuffer();
}

describe('seller products', () => {
  it('creates a draft with variants, publishes it, and it appears in the shop list', async () => {
    const created = await seller.post('/api/seller/products', {
      name: 'Merino jumper',
      description: 'Warm.',
      category: 'knitwear',
      variants: [
        { size: 'M', colour: 'Grey', price: 8900, stock: 4 },
        { size: 'L', colour: 'Grey', price: 8900, stock: 0, sku: 'MJ-L-GREY' },
      ],
    });
    assert.equal(created.statusCode, 201, created.body);
    const product = json<{ id: number; status: string; variants: { sku: string }[] }>(created);
    assert.equal(product.status, 'draft');
    assert.equal(product.variants[1]?.sku, 'MJ-L-GREY');
    const anonymous = new Client(harness.app);
    assert.equal(json<{ items: unknown[] }>(await anonymous.get('/api/products')).items.length, 0);
    const published = await seller.post(`/api/seller/products/${product.id}/publish`);
    assert.equal(published.statusCode, 200);
    assert.equal(json<{ status: string }>(published).status, 'published');
    const listed = json<{ items: { id: number }[] }>(await anonymous.get('/api/products'));
    assert.deepEqual(listed.items.map((item) => item.id), [product.id]);
    const unpublished = await seller.post(`/api/seller/products/${product.id}/unpublish`);
    assert.equal(json<{ status: string }>(unpublished).status, 'unpublished');
    assert.equal((await anonymous.get(`/api/products/${product.id}`)).statusCode, 404);
    assert.equal((await seller.get(`/api/products/${product.id}`)).statusCode, 200, 'the owner still sees it');
  });

  it('edits fields and variants (update by id, add without id)', async () => {
    const product = await createProduct(seller, categoryId);
    const first = product.variants[0];
    assert.ok(first);
    const response = await seller.patch(`/api/seller/products/${product.id}`, {
      name: 'Linen shirt (relaxed)',
      variants: [
        { id: first.id, size: first.size, colour: first.colour, price: 3999, stock: 20 },
        { size: 'XL', colour: 'Sand', price: 4999, stock: 2 },
      ],
    });
    assert.equal(response.statusCode, 200, response.body);
    const updated = json<{ name: string; variants: { id: number; price: number; stock: number; size: string }[] }>(response);
    assert.equal(updated.name, 'Linen shirt (relaxed)');
    assert.equal(updated.variants.find((variant) => variant.id === first.id)?.price, 3999);
    assert.equal(updated.variants.length, 3);
    const list = json<{ items: { id: number; priceFrom: number }[] }>(await seller.get('/api/products?sort=price_asc'));
    assert.equal(list.items.find((item) => item.id === product.id)?.priceFrom, 3999, 'min price follows the variant edit');
  });

  it("lists only the seller's own products, every status", async () => {
    await createProduct(otherSeller, categoryId, { name: 'Not mine', status: 'draft' });
    const mine = json<{ items: { name: string }[] }>(await seller.get('/api/seller/products'));
    assert.ok(mine.items.length >= 2);
    assert.ok(mine.items.every((item) => item.name !== 'Not mine'));
    const drafts = json<{ items: { status: string }[] }>(await otherSeller.get('/api/seller/products?status=draft'));
    assert.deepEqual(drafts.items.map((item) => item.status), ['draft']);
  });

  it("answers 404 to another seller's edit, while an admin may edit any product", async () => {
    const product = await createProduct(seller, categoryId, { name: 'Owned' });
    const stranger = await otherSeller.patch(`/api/seller/products/${product.id}`, { name: 'Hijacked' });
    assert.equal(stranger.statusCode, 404);
    assert.equal((await otherSeller.post(`/api/seller/products/${product.id}/unpublish`)).statusCode, 404);
    const byAdmin = await admin.patch(`/api/seller/products/${product.id}`, { name: 'Renamed by admin' });
    assert.equal(byAdmin.statusCode, 200);
  });

  it('validates products: missing fields, negative and absurd prices and stock, duplicates, unknown category', async () => {
    const base = { name: 'X', categoryId, variants: [{ size: 'M', colour: 'Red', price: 100, stock: 1 }] };
    const cases: [unknown, string, number?][] = [
      [{ ...base, name: undefined }, 'name'],
      [{ ...base, name: '' }, 'name'],
      [{ ...base, name: 'x'.repeat(201) }, 'name'],
      [{ ...base, variants: [] }, 'variants'],
      [{ ...base, variants: undefined }, 'variants'],
      [{ ...base, variants: [{ size: 'M', colour: 'Red', price: -1, stock: 1 }] }, 'variants[0].price'],
      [{ ...base, variants: [{ size: 'M', colour: 'Red', price: 100_000_001, stock: 1 }] }, 'variants[0].price'],
      [{ ...base, variants: [{ size: 'M', colour: 'Red', price: 12.5, stock: 1 }] }, 'variants[0].price'],
      [{ ...base, variants: [{ size: 'M', colour: 'Red', price: '100', stock: 1 }] }, 'variants[0].price'],
      [{ ...base, variants: [{ size: 'M', colour: 'Red', price: 100, stock: -3 }] }, 'variants[0].stock'],
      [{ ...base, variants: [{ size: 'M', colour: 'Red', price: 100, stock: 1e12 }] }, 'variants[0].stock'],
      [{ ...base, variants: [{ size: 'M', colour: 'Red', price: 100 }] }, 'variants[0].stock'],
      [
        {
          ...base,
          variants: [
            { size: 'M', colour: 'Red', price: 100, stock: 1 },
            { size: 'm', colour: 'red', price: 200, stock: 1 },
          ],
        },
        'variants[1]',
      ],
      [{ ...base, categoryId: 999999 }, 'categoryId'],
      [{ ...base, categoryId: undefined }, 'categoryId'],
      [{ ...base, status: 'sold' }, 'status'],
    ];
    for (const [body, field] of cases) {
      const response = await seller.post('/api/seller/products', body);
      assert.equal(response.statusCode, 400, `${JSON.stringify(body)} → ${response.body}`);
      assert.equal(errorOf(response).field, field, JSON.stringify(body));
    }
    const before = await harness.db.pool.query('SELECT count(*)::int AS n FROM products');
    assert.ok(before.rows[0], 'no partial writes from rejected requests');
  });

  it('rejects a duplicate SKU with 409 naming sku and writes nothing', async () => {
    const { rows: beforeRows } = await harness.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM products');
    const response = await seller.post('/api/seller/products', {
      name: 'Dup sku',
      categoryId,
      variants: [{ size: 'M', colour: 'Red', price: 100, stock: 1, sku: 'MJ-L-GREY' }],
    });
    assert.equal(response.statusCode, 409);
    assert.equal(errorOf(response).field, 'sku');
    const { rows: afterRows } = await harness.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM products');
    assert.equal(afterRows[0]?.n, beforeRows[0]?.n, 'the product insert was rolled back with the variant');
  });

  it('refuses SQL and script fragments in product text at the WAF, as shipped', async () => {
    const response = await seller.post('/api/seller/products', { name: `Robert'); DROP TABLE products;--`, categoryId, variants: [{ size: 'M', colour: 'Red', price: 100, stock: 1 }] });
    assert.equal(response.statusCode, 403);
    assert.equal(errorOf(response).code, 'WAF_BLOCKED');
  });
});

describe('seller products behind a WAF that missed a payload', () => {
  let open: Harness;
  before(async () => {
    open = await createHarness({ edgeOff: { waf: 'off', why: 'the shop must store hostile text safely when a payload gets past the WAF' } });
  });
  after(async () => {
    await open.close();
  });

  it('stores SQL and script fragments verbatim and returns them as JSON strings', async () => {
    const { client } = await signedInClient(open, 'seller');
    const name = `<script>alert('x')</script> Robert'); DROP TABLE products;--`;
    const product = await createProduct(client, (await createCategory(open)).id, { name, description: '"; DELETE FROM users; -- <img src=x onerror=alert(1)>' });
    const response = await client.get(`/api/products/${product.id}`);
    assert.match(String(response.headers['content-type']), /^application\/json/);
    const body = json<{ name: string; description: string }>(response);
    assert.equal(body.name, name);
    assert.equal(body.description, '"; DELETE FROM users; -- <img src=x onerror=alert(1)>');
    const { rows } = await open.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    assert.ok((rows[0]?.n ?? 0) > 0);
  });
});

describe('product images', () => {
  it('uploads, resizes and serves an image with immutable cache headers', async () => {
    const product = await createProduct(seller, categoryId, { name: 'Pictured' });
    const { payload, headers } = multipart(await photo(1600, 1200), { alt: 'Front view' });
    const upload = await seller.request('POST', `/api/seller/products/${product.id}/images`, undefined, { payload, headers });
    assert.equal(upload.statusCode, 201, upload.body);
    const image = json<{ key: string; widths: number[]; url: string; alt: string }>(upload);
    assert.deepEqual(image.widths, [320, 640, 1280]);
    assert.equal(image.url, `/media/images/${image.key}/640.webp`);
    assert.equal(image.alt, 'Front view');

    const served = await new Client(harness.app).get(image.url);
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/webp');
    assert.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await sharp(served.rawPayload).metadata()).width, 640);

    const detail = json<{ images: { url: string; srcset: string }[] }>(await seller.get(`/api/products/${product.id}`));
    assert.equal(detail.images[0]?.url, image.url);
    assert.match(detail.images[0]?.srcset ?? '', /320\.webp 320w, .*640\.webp 640w, .*1280\.webp 1280w/);
    const listed = json<{ items: { id: number; image: { url: string; srcset: string; width: number } | null }[] }>(await seller.get('/api/products'));
    const listedImage = listed.items.find((item) => item.id === product.id)?.image;
    assert.deepEqual(listedImage, { url: detail.images[0]?.url, srcset: detail.images[0]?.srcset, width: 640 }, 'SQL-rendered list image = TS-rendered page image');
  });

  it('keeps a photo per variant colour: the product shows them by colour and the cart shows the colour bought', async () => {
    const product = await createProduct(seller, categoryId, {
      name: 'Two-colour tee',
      variants: [
        { size: 'M', colour: 'Cream', price: 2000, stock: 5 },
        { size: 'M', colour: 'Burgundy', price: 2000, stock: 5 },
      ],
    });
    const url = `/api/seller/products/${product.id}/images`;
    const burgundy = json<{ key: string; colour: string | null }>(await seller.request('POST', url, undefined, multipart(await photo(700, 700), { colour: 'burgundy' })));
    assert.equal(burgundy.colour, 'Burgundy', 'stored with the variant spelling');
    const cream = json<{ key: string; colour: string | null }>(await seller.request('POST', url, undefined, multipart(await photo(701, 701), { colour: 'Cream' })));
    const wrong = await seller.request('POST', url, undefined, multipart(await photo(50, 50), { colour: 'Seafoam' }));
    assert.equal(wrong.statusCode, 400);
    assert.equal(errorOf(wrong).field, 'colour');

    const detail = json<{ images: { url: string; colour: string | null }[] }>(await new Client(harness.app).get(`/api/products/${product.id}`));
    assert.deepEqual(detail.images.map((image) => image.colour), ['Burgundy', 'Cream']);

    const shopper = await new Client(harness.app).init();
    const creamVariant = product.variants.find((variant) => variant.colour === 'Cream');
    assert.ok(creamVariant);
    assert.equal((await shopper.post('/api/cart/items', { variantId: creamVariant.id, quantity: 1 })).statusCode < 300, true);
    const cart = json<{ items: { colour: string; image: { url: string } | null }[] }>(await shopper.get('/api/cart'));
    assert.match(cart.items[0]?.image?.url ?? '', new RegExp(cream.key), 'the cart line shows the cream photo, not the first (burgundy) one');
    assert.doesNotMatch(cart.items[0]?.image?.url ?? '', new RegExp(burgundy.key));
  });

  it('rejects non-images (415), decompression bombs (422) and a wrong field name (400)', async () => {
    const product = await createProduct(seller, categoryId, { name: 'Bad images' });
    const url = `/api/seller/products/${product.id}/images`;
    const text = multipart(Buffer.from('<?php system($_GET["c"]); ?>'));
    const notImage = await seller.request('POST', url, undefined, text);
    assert.equal(notImage.statusCode, 415);
    assert.equal(errorOf(notImage).code, 'UNSUPPORTED_IMAGE');
    const bomb = await sharp({ create: { width: 9000, height: 9000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer();
    const tooBig = await seller.request('POST', url, undefined, multipart(bomb));
    assert.equal(tooBig.statusCode, 422);
    assert.equal(errorOf(tooBig).code, 'IMAGE_TOO_MANY_PIXELS');
    const wrongField = await seller.request('POST', url, undefined, multipart(await photo(10, 10), { field: 'file' }));
    assert.equal(wrongField.statusCode, 400);
    const json400 = await seller.post(url, { image: 'data:image/png;base64,AAAA' });
    assert.equal(json400.statusCode, 415);
    const oversize = await seller.request('POST', url, undefined, multipart(Buffer.alloc(21 * 1024 * 1024, 1)));
    assert.equal(oversize.statusCode, 413);
    assert.equal(errorOf(oversize).code, 'PAYLOAD_TOO_LARGE');
    const { rows } = await harness.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM product_images WHERE product_id = $1', [product.id]);
    assert.equal(rows[0]?.n, 0, 'no image row from rejected uploads');
  });

  it("refuses uploads to another seller's product (404) and deletes images", async () => {
    const product = await createProduct(seller, categoryId, { name: 'Mine with image' });
    const upload = await otherSeller.request('POST', `/api/seller/products/${product.id}/images`, undefined, multipart(await photo(400, 300)));
    assert.equal(upload.statusCode, 404);
    const mine = await seller.request('POST', `/api/seller/products/${product.id}/images`, undefined, multipart(await photo(400, 300)));
    assert.deepEqual(json<{ widths: number[] }>(mine).widths, [320]);
    const listed = json<{ items: { id: number; image: unknown }[] }>(await seller.get('/api/seller/products'));
    assert.deepEqual(listed.items.find((item) => item.id === product.id)?.image, {
      url: `/media/images/${json<{ key: string }>(mine).key}/320.webp`,
      srcset: `/media/images/${json<{ key: string }>(mine).key}/320.webp 320w`,
      width: 320,
    });
    const tiny = await seller.request('POST', `/api/seller/products/${product.id}/images`, undefined, multipart(await photo(200, 100)));
    assert.deepEqual(json<{ widths: number[]; url: string }>(tiny).widths, [200]);
    const imageId = json<{ id: number }>(mine).id;
    assert.equal((await seller.delete(`/api/seller/products/${product.id}/images/${imageId}`)).statusCode, 200);
    assert.equal((await seller.delete(`/api/seller/products/${product.id}/images/${imageId}`)).statusCode, 404);
  });

  it('serves media only for strictly valid keys and files', async () => {
    const client = new Client(harness.app);
    assert.equal((await client.get('/media/images/../../secrets.json/1.webp')).statusCode, 404);
    assert.equal((await client.get(`/media/images/${'a'.repeat(32)}/..%2F..%2Fsecrets.json`)).statusCode, 400);
    assert.equal((await client.get(`/media/images/${'a'.repeat(31)}/640.webp`)).statusCode, 400);
    assert.equal((await client.get(`/media/images/${'a'.repeat(32)}/640.webp`)).statusCode, 404);
  });
});
