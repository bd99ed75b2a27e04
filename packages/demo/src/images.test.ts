import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';

import sharp from 'sharp';

import { imageDir } from '@threadline/media';

import { shapeForNoun } from './catalogue-data.js';
import { generateCatalogue } from './catalogue.js';
import { DEMO_IMAGE_HEIGHT, DEMO_IMAGE_WIDTH, garmentSvg, renderGarmentImages } from './images.js';
import { Random } from './random.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'threadline-demo-images-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('generated product images', () => {
  it('draws a different SVG per shape and colour', () => {
    assert.notEqual(garmentSvg('dress', 'red'), garmentSvg('dress', 'navy'));
    assert.notEqual(garmentSvg('dress', 'red'), garmentSvg('coat', 'red'));
    assert.match(garmentSvg('shirt', 'white'), /^<svg [^>]*width="640" height="800"/);
  });

  it('draws a product by its noun where its category would draw the wrong garment', () => {
    assert.equal(shapeForNoun('Running Shorts', 'leggings'), 'shorts');
    assert.equal(shapeForNoun('Sports Bra', 'leggings'), 'bra');
    assert.equal(shapeForNoun('Bodysuit', 'top'), 'bodysuit');
    assert.equal(shapeForNoun('Track Jacket', 'leggings'), 'jacket');
    assert.equal(shapeForNoun('Beanie', 'bag'), 'hat');
    assert.equal(shapeForNoun('Leggings', 'leggings'), 'leggings');
    assert.equal(shapeForNoun('Blouse', 'top'), 'top');
    assert.notEqual(garmentSvg('shorts', 'black'), garmentSvg('leggings', 'black'));
  });

  it('gives every generated product the shape of its noun', () => {
    const products = generateCatalogue(new Random(42), { products: 400, productIdBase: 0, variantIdBase: 0, now: new Date(Date.UTC(2026, 0, 1)) });
    const shorts = products.filter((product) => /Shorts/.test(product.name));
    assert.ok(shorts.length > 0);
    assert.ok(shorts.every((product) => product.shape === 'shorts'));
    assert.ok(products.filter((product) => /Sports Bra/.test(product.name)).every((product) => product.shape === 'bra'));
  });

  it('stores each pair as responsive WebP files through the media library, in the garment colour', async () => {
    const images = await renderGarmentImages(dataDir, [{ shape: 'tee', colourId: 'red' }, { shape: 'jeans', colourId: 'denim' }]);
    assert.equal(images.size, 2);
    const tee = images.get('tee|red');
    assert.ok(tee);
    assert.equal(tee.width, DEMO_IMAGE_WIDTH);
    assert.equal(tee.height, DEMO_IMAGE_HEIGHT);
    assert.deepEqual(tee.widths, [320, 640]);
    const file = path.join(imageDir(dataDir, tee.key), '320.webp');
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 320);
    // the middle of the canvas is the garment: red dominates there
    const offset = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
    const [r = 0, g = 0, b = 0] = data.subarray(offset, offset + 3);
    assert.ok(r > g + 60 && r > b + 60, `centre pixel ${r},${g},${b}`);
  });

  it('reuses stored images on a reseed and renders again when a file has gone', async () => {
    const first = await renderGarmentImages(dataDir, [{ shape: 'coat', colourId: 'camel' }]);
    const coat = first.get('coat|camel');
    assert.ok(coat);
    const cache: unknown = JSON.parse(readFileSync(path.join(dataDir, 'uploads', 'demo-images.json'), 'utf8'));
    assert.ok(typeof cache === 'object' && cache !== null && Object.values(cache).some((entry: unknown) => JSON.stringify(entry) === JSON.stringify(coat)));
    const file = path.join(imageDir(dataDir, coat.key), '640.webp');
    rmSync(file);
    const second = await renderGarmentImages(dataDir, [{ shape: 'coat', colourId: 'camel' }]);
    assert.equal(second.get('coat|camel')?.key, coat.key, 'same SVG, same content key');
    assert.ok(existsSync(file), 'the missing file was rendered again');
  });
});
