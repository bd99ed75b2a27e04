import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile, access } from 'node:fs/promises';
import path from 'node:path';

import sharp from 'sharp';

import { MediaError } from './errors.js';

/** Responsive widths every product image is stored at (never upscaled past the original). */
export const IMAGE_WIDTHS = [320, 640, 1280] as const;
/** Largest upload accepted, in bytes. */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Largest decoded size accepted: a small file claiming 100k × 100k pixels is a decompression bomb. */
export const MAX_IMAGE_PIXELS = 40_000_000;

const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp']);
/** 32 lowercase hex characters: the first half of the original's SHA-256. */
export const IMAGE_KEY_PATTERN = /^[0-9a-f]{32}$/;
/** `<width>.webp` for one of IMAGE_WIDTHS or a smaller original width. */
export const IMAGE_FILE_PATTERN = /^[1-9][0-9]{0,4}\.webp$/;

export interface StoredImage {
  /** Content key: identical uploads share one set of files. */
  key: string;
  /** Size of the original after EXIF orientation. */
  width: number;
  height: number;
  /** Widths written, ascending; each is `<dataDir>/uploads/images/<key>/<width>.webp`. */
  widths: number[];
}

/** Directory that holds an image's files. */
export function imageDir(dataDir: string, key: string): string {
  return path.join(dataDir, 'uploads', 'images', key);
}

/** Public URL path of one stored size, as the API serves it. */
export function imageUrl(key: string, width: number): string {
  return `/media/images/${key}/${width}.webp`;
}

/** The widths stored for an original of `width` pixels: the standard ones it reaches, or the original width when smaller than all. */
export function widthsFor(width: number): number[] {
  const fitting = IMAGE_WIDTHS.filter((candidate) => candidate <= width);
  return fitting.length > 0 ? [...fitting] : [width];
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates an uploaded image, strips its metadata (EXIF GPS and the like never leave the
 * server) and writes WebP copies at the responsive widths. The key is the content hash, so a
 * re-upload of the same bytes reuses the files and a file never changes once written — which is
 * what makes the year-long immutable cache header safe.
 *
 * @example
 * const image = await processAndStoreImage(config.dataDir, buffer);
 * // → { key: '3f…', width: 2000, height: 1500, widths: [320, 640, 1280] }
 */
export async function processAndStoreImage(dataDir: string, input: Buffer, _options: { alt?: string } = {}): Promise<StoredImage> {
  if (input.length === 0) throw new MediaError('UNSUPPORTED_IMAGE', 'the file is empty');
  if (input.length > MAX_IMAGE_BYTES) {
    throw new MediaError('IMAGE_TOO_LARGE', `images may be at most ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
  }
  let metadata: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    // reading the header only: the pixel limit is checked before anything is decoded
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new MediaError('UNSUPPORTED_IMAGE', 'the file is not a readable image', { cause: error });
  }
  if (!ACCEPTED_FORMATS.has(metadata.format)) {
    throw new MediaError('UNSUPPORTED_IMAGE', `images must be JPEG, PNG or WebP, not ${metadata.format}`);
  }
  const pixels = metadata.width * metadata.height * Math.max(1, metadata.pages ?? 1);
  if (!(metadata.width > 0 && metadata.height > 0) || pixels > MAX_IMAGE_PIXELS) {
    throw new MediaError('IMAGE_TOO_MANY_PIXELS', `images may have at most ${MAX_IMAGE_PIXELS / 1_000_000} megapixels`);
  }
  const width = metadata.autoOrient.width;
  const height = metadata.autoOrient.height;
  const key = createHash('sha256').update(input).digest('hex').slice(0, 32);
  const dir = imageDir(dataDir, key);
  await mkdir(dir, { recursive: true });
  const widths = widthsFor(width);
  try {
    for (const target of widths) {
      const file = path.join(dir, `${target}.webp`);
      if (await exists(file)) continue;
      const output = await sharp(input, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error', pages: 1 })
        .autoOrient()
        .resize({ width: target, withoutEnlargement: true })
        .webp({ quality: 80, effort: 4 })
        .toBuffer();
      // write then rename: a reader never sees a half-written file
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, output);
      await rename(partial, file);
    }
  } catch (error) {
    throw new MediaError('UNSUPPORTED_IMAGE', 'the image data is corrupt or truncated', { cause: error });
  }
  return { key, width, height, widths };
}
