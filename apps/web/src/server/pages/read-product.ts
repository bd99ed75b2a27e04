/**
 * Narrows GET /api/products/:id's JSON to what the head needs. The API's schema fixes the shape;
 * this checks it anyway, because a head rendered from a half-understood answer is worse than a
 * plain one (undefined → the page gets the generic product head).
 */
import type { ProductForHead } from './head.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumberOrNull(value: unknown): value is number | null {
  return value === null || typeof value === 'number';
}

function readVariant(value: unknown): ProductForHead['variants'][number] | undefined {
  if (!isRecord(value) || typeof value.sku !== 'string' || typeof value.price !== 'number' || typeof value.stockState !== 'string') return undefined;
  if (typeof value.colour !== 'string' || typeof value.stock !== 'number') return undefined;
  return { sku: value.sku, price: value.price, stockState: value.stockState, colour: value.colour, stock: value.stock };
}

function readImage(value: unknown): ProductForHead['images'][number] | undefined {
  if (!isRecord(value) || typeof value.url !== 'string' || typeof value.srcset !== 'string') return undefined;
  return { url: value.url, srcset: value.srcset, alt: typeof value.alt === 'string' ? value.alt : undefined, colour: typeof value.colour === 'string' ? value.colour : null };
}

export function readProduct(body: unknown): ProductForHead | undefined {
  if (!isRecord(body)) return undefined;
  const { id, name, description, status, category, priceFrom, stockState, rating, variants, images } = body;
  if (typeof id !== 'number' || typeof name !== 'string' || typeof description !== 'string' || typeof status !== 'string') return undefined;
  if (!isRecord(category) || typeof category.name !== 'string' || !isNumberOrNull(priceFrom) || typeof stockState !== 'string') return undefined;
  if (!isRecord(rating) || !isNumberOrNull(rating.average) || typeof rating.count !== 'number') return undefined;
  if (!Array.isArray(variants) || !Array.isArray(images)) return undefined;
  const readVariants = variants.map(readVariant);
  const readImages = images.map(readImage);
  if (readVariants.some((variant) => variant === undefined) || readImages.some((image) => image === undefined)) return undefined;
  return {
    id,
    name,
    description,
    status,
    category: { name: category.name },
    priceFrom,
    stockState,
    rating: { average: rating.average, count: rating.count },
    variants: readVariants.filter((variant) => variant !== undefined),
    images: readImages.filter((image) => image !== undefined),
  };
}
