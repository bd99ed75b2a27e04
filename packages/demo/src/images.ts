import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import { imageDir, processAndStoreImage, type StoredImage } from '@threadline/media';

import { COLOURS, type ColourId, type Shape } from './catalogue-data.js';

/**
 * Size of the generated originals. The media library stores WebP copies at each standard width
 * the original reaches (320 and 640 here): 1280-wide copies tripled the seed time, and 640 × 800
 * originals cost a quarter less than 800 × 1000 ones.
 */
export const DEMO_IMAGE_WIDTH = 640;
export const DEMO_IMAGE_HEIGHT = 800;

/** Garment outlines on an 800 × 1000 canvas (scaled to the image size when rendered). */
const SHAPES: Readonly<Record<Shape, string>> = {
  tee: 'M250 180 L330 150 Q400 200 470 150 L550 180 L680 300 L610 380 L560 340 L560 820 L240 820 L240 340 L190 380 L120 300 Z',
  top: 'M290 200 L350 180 Q400 230 450 180 L510 200 L540 360 L570 760 L230 760 L260 360 Z',
  shirt: 'M250 170 L350 140 L400 210 L450 140 L550 170 L690 480 L620 510 L560 380 L560 840 L240 840 L240 380 L180 510 L110 480 Z',
  knit: 'M240 190 L340 160 Q400 200 460 160 L560 190 L700 560 L630 590 L570 420 L570 830 L230 830 L230 420 L170 590 L100 560 Z',
  jacket: 'M240 170 L350 140 L400 240 L450 140 L560 170 L690 560 L620 580 L570 420 L570 820 L420 820 L400 260 L380 820 L230 820 L230 420 L180 580 L110 560 Z',
  coat: 'M250 150 L350 120 L400 230 L450 120 L550 150 L680 600 L610 620 L570 440 L600 900 L420 900 L400 250 L380 900 L200 900 L230 440 L190 620 L120 600 Z',
  jeans: 'M270 140 L530 140 L560 880 L430 880 L400 330 L370 880 L240 880 Z',
  trousers: 'M260 140 L540 140 L590 880 L440 880 L400 320 L360 880 L210 880 Z',
  dress: 'M320 130 L370 120 Q400 160 430 120 L480 130 L500 330 L640 860 L160 860 L300 330 Z',
  skirt: 'M280 260 L520 260 L640 780 L160 780 Z',
  leggings: 'M290 150 L510 150 L540 880 L440 880 L400 330 L360 880 L260 880 Z',
  shoe: 'M140 560 Q160 420 300 430 L420 470 Q520 500 600 520 Q700 540 690 640 L140 640 Z',
  bag: 'M220 380 L580 380 L620 820 L180 820 Z M300 380 Q300 220 400 220 Q500 220 500 380 L470 380 Q470 250 400 250 Q330 250 330 380 Z',
  shorts: 'M250 300 L550 300 L590 650 L430 670 L400 450 L370 670 L210 650 Z',
  bra: 'M250 420 Q280 300 340 250 L360 360 Q400 390 440 360 L460 250 Q520 300 550 420 L560 520 Q400 570 240 520 Z',
  bodysuit: 'M300 150 L360 130 Q400 170 440 130 L500 150 L520 420 L545 650 L450 720 L400 690 L350 720 L255 650 L280 420 Z',
  hat: 'M230 610 Q230 330 400 320 Q570 330 570 610 Z M200 610 L600 610 L600 680 L200 680 Z',
  scarf: 'M330 140 L470 140 L470 700 L520 880 L420 880 L400 730 L380 880 L280 880 L330 700 Z',
  belt: 'M110 470 L690 470 L690 530 L110 530 Z M540 440 L640 440 L640 560 L540 560 Z',
};

/** A readable accent for trims and shading on top of the garment colour. */
function shade(hex: string, amount: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const channel = (shift: number): number => Math.max(0, Math.min(255, ((value >> shift) & 0xff) + amount));
  return `#${[16, 8, 0].map((shift) => channel(shift).toString(16).padStart(2, '0')).join('')}`;
}

/** Texture lines drawn over the garment, clipped to its outline (cheaper than SVG patterns). */
function texture(shape: Shape): string {
  const rows = Array.from({ length: 30 }, (_, i) => `M0 ${i * 34}H800`).join('');
  const columns = Array.from({ length: 24 }, (_, i) => `M${i * 34} 0V1000`).join('');
  if (shape === 'shirt' || shape === 'skirt') return rows + columns;
  if (shape === 'knit' || shape === 'tee') return rows;
  return '';
}

/** The SVG of one product image: the garment silhouette in its colour, with a simple texture. */
export function garmentSvg(shape: Shape, colourId: ColourId): string {
  const colour = COLOURS[colourId];
  const isLight = Number.parseInt(colour.hex.slice(1, 3), 16) > 200;
  const line = shade(colour.hex, isLight ? -40 : 30);
  const outline = SHAPES[shape];
  const lines = texture(shape);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${DEMO_IMAGE_WIDTH}" height="${DEMO_IMAGE_HEIGHT}" viewBox="0 0 800 1000">
  <defs><clipPath id="c"><path d="${outline}" fill-rule="evenodd"/></clipPath><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fff" stop-opacity="0.18"/><stop offset="1" stop-color="#000" stop-opacity="0.18"/></linearGradient></defs>
  <rect width="800" height="1000" fill="#f1efea"/>
  <ellipse cx="400" cy="930" rx="300" ry="26" fill="#000" opacity="0.08"/>
  <path d="${outline}" fill="${colour.hex}" fill-rule="evenodd"/>
  ${lines ? `<g clip-path="url(#c)"><path d="${lines}" stroke="${line}" stroke-width="${shape === 'tee' ? 3 : 5}" opacity="0.35"/></g>` : ''}
  <path d="${outline}" fill="url(#g)" stroke="${line}" stroke-width="4" stroke-linejoin="round" fill-rule="evenodd"/>
</svg>`;
}

/** Renders one garment image to PNG (sharp's librsvg) and stores it through the media library. */
export async function renderGarmentImage(dataDir: string, shape: Shape, colourId: ColourId): Promise<StoredImage> {
  const png = await sharp(Buffer.from(garmentSvg(shape, colourId))).png({ compressionLevel: 1 }).toBuffer();
  return processAndStoreImage(dataDir, png);
}

/** Where earlier seeds noted which stored image each SVG became (`uploads/demo-images.json`). */
function cachePath(dataDir: string): string {
  return path.join(dataDir, 'uploads', 'demo-images.json');
}

function isStoredImage(value: unknown): value is StoredImage {
  if (typeof value !== 'object' || value === null) return false;
  const record: Record<string, unknown> = { ...value };
  return typeof record.key === 'string' && typeof record.width === 'number' && typeof record.height === 'number' && Array.isArray(record.widths);
}

async function readCache(dataDir: string): Promise<Map<string, StoredImage>> {
  const cache = new Map<string, StoredImage>();
  try {
    const parsed: unknown = JSON.parse(await readFile(cachePath(dataDir), 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) {
      for (const [svgHash, image] of Object.entries(parsed)) if (isStoredImage(image)) cache.set(svgHash, image);
    }
  } catch {
    // no cache yet, or an unreadable one: render everything
  }
  return cache;
}

/** An entry is only reused while every file it names is still on disk. */
function isOnDisk(dataDir: string, image: StoredImage): boolean {
  return image.widths.every((width) => existsSync(path.join(imageDir(dataDir, image.key), `${width}.webp`)));
}

/**
 * Renders and stores one image per distinct (shape, colour) pair, `concurrency` at a time, and
 * returns them by `${shape}|${colourId}`. The same image is reused by every product of that
 * category and colour, which keeps the first start fast.
 */
export async function renderGarmentImages(
  dataDir: string,
  pairs: readonly { shape: Shape; colourId: ColourId }[],
  onProgress: (done: number, total: number) => void = () => undefined,
  concurrency = 2,
): Promise<Map<string, StoredImage>> {
  const stored = new Map<string, StoredImage>();
  // a reseed into the same data directory (--reset, tests, benchmarks) reuses the stored files
  const cache = await readCache(dataDir);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < pairs.length) {
      const pair = pairs[next];
      next += 1;
      if (!pair) continue;
      const svgHash = createHash('sha256').update(garmentSvg(pair.shape, pair.colourId)).digest('hex').slice(0, 32);
      const cached = cache.get(svgHash);
      const image = cached && isOnDisk(dataDir, cached) ? cached : await renderGarmentImage(dataDir, pair.shape, pair.colourId);
      cache.set(svgHash, image);
      stored.set(`${pair.shape}|${pair.colourId}`, image);
      done += 1;
      onProgress(done, pairs.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  const file = cachePath(dataDir);
  await mkdir(path.dirname(file), { recursive: true });
  // write then rename: two seeds at once never leave a half-written cache
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(Object.fromEntries(cache), null, 1)}\n`);
  await rename(partial, file);
  return stored;
}
