import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import sharp from 'sharp';

import { MediaError } from './errors.js';
import { imageDir, processAndStoreImage, widthsFor } from './images.js';

let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'threadline-media-'));
});
after(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function solid(width: number, height: number): ReturnType<typeof sharp> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 90 } } });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof MediaError && error.code === code);
}

describe('processAndStoreImage', () => {
  it('writes WebP copies at the responsive widths, keyed by content hash', async () => {
    const jpeg = await solid(2000, 1000).jpeg().toBuffer();
    const stored = await processAndStoreImage(dataDir, jpeg);
    assert.match(stored.key, /^[0-9a-f]{32}$/);
    assert.deepEqual(stored.widths, [320, 640, 1280]);
    assert.equal(stored.width, 2000);
    assert.equal(stored.height, 1000);
    const files = (await readdir(imageDir(dataDir, stored.key))).sort();
    assert.deepEqual(files, ['1280.webp', '320.webp', '640.webp']);
    const large = await sharp(path.join(imageDir(dataDir, stored.key), '1280.webp')).metadata();
    assert.equal(large.format, 'webp');
    assert.equal(large.width, 1280);
    assert.equal(large.height, 640);
  });

  it('never upscales: a small original is kept at its own width', async () => {
    const png = await solid(200, 100).png().toBuffer();
    const stored = await processAndStoreImage(dataDir, png);
    assert.deepEqual(stored.widths, [200]);
    assert.deepEqual(widthsFor(700), [320, 640]);
  });

  it('strips metadata such as EXIF', async () => {
    const withExif = await solid(400, 300)
      .jpeg()
      .withExif({ IFD0: { Copyright: 'secret-location' } })
      .toBuffer();
    assert.ok((await sharp(withExif).metadata()).exif);
    const stored = await processAndStoreImage(dataDir, withExif);
    const out = await sharp(path.join(imageDir(dataDir, stored.key), '320.webp')).metadata();
    assert.equal(out.exif, undefined);
  });

  it('rejects bytes that are not an image, and images of other formats', async () => {
    await rejectsWith(processAndStoreImage(dataDir, Buffer.from('<script>alert(1)</script>')), 'UNSUPPORTED_IMAGE');
    await rejectsWith(processAndStoreImage(dataDir, Buffer.alloc(0)), 'UNSUPPORTED_IMAGE');
    const gif = await solid(50, 50).gif().toBuffer();
    await rejectsWith(processAndStoreImage(dataDir, gif), 'UNSUPPORTED_IMAGE');
  });

  it('rejects a decompression bomb by its declared pixel count before decoding it', async () => {
    // 10000 × 10000 of one colour compresses to a small PNG but would decode to 300 MB
    const bomb = await solid(10_000, 10_000).png({ compressionLevel: 9 }).toBuffer();
    assert.ok(bomb.length < 2 * 1024 * 1024);
    await rejectsWith(processAndStoreImage(dataDir, bomb), 'IMAGE_TOO_MANY_PIXELS');
  });

  it('rejects files over the byte limit', async () => {
    await rejectsWith(processAndStoreImage(dataDir, Buffer.alloc(20 * 1024 * 1024 + 1)), 'IMAGE_TOO_LARGE');
  });

  it('rejects a truncated image', async () => {
    const jpeg = await solid(800, 600).jpeg().toBuffer();
    await rejectsWith(processAndStoreImage(dataDir, jpeg.subarray(0, Math.floor(jpeg.length / 2))), 'UNSUPPORTED_IMAGE');
  });
});
