import type { ProductSummary, Variant } from '../../lib/types';
import { FILTER_COLOURS } from './filter-options';

/** Sizes in the order a shopper reads them; unknown sizes sort after, alphabetically. */
const SIZE_ORDER = ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL', 'ONE SIZE'];

export function compareSizes(a: string, b: string): number {
  const ia = SIZE_ORDER.indexOf(a.toUpperCase());
  const ib = SIZE_ORDER.indexOf(b.toUpperCase());
  if (ia !== -1 && ib !== -1) return ia - ib;
  if (ia !== -1) return -1;
  if (ib !== -1) return 1;
  const na = Number(a);
  const nb = Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  return a.localeCompare(b);
}

export function sizesOf(variants: readonly Pick<Variant, 'size'>[]): string[] {
  return [...new Set(variants.map((v) => v.size))].sort(compareSizes);
}

export function coloursOf(variants: readonly Pick<Variant, 'colour'>[]): string[] {
  return [...new Set(variants.map((v) => v.colour))];
}

/** The list summary's lowest and highest price, for formatPriceRange (none without variants). */
export function priceRangeOf(product: Pick<ProductSummary, 'priceFrom' | 'priceTo'>): number[] {
  return [product.priceFrom, product.priceTo].filter((price): price is number => price !== null);
}

/** Sold out: it has variants and none of them has stock (a product without variants is not for sale yet, not sold out). */
export function isSoldOut(product: Pick<ProductSummary, 'stock' | 'variantCount'>): boolean {
  return product.variantCount > 0 && product.stock === 0;
}

/** Average rating and count, or null before the first review. */
export function ratingOf(product: Pick<ProductSummary, 'rating'>): { average: number; count: number } | null {
  const rating = product.rating;
  if (!rating || rating.count === 0 || rating.average === null) return null;
  return { average: rating.average, count: rating.count };
}

/** CSS colour for a swatch of a colour name; unknown names get a neutral grey. */
const SWATCHES: Record<string, string> = {
  ...Object.fromEntries(FILTER_COLOURS.map((colour) => [colour.name.toLowerCase(), colour.hex])),
  'light wash': '#8fb0d0',
  black: '#1f1f1f', white: '#ffffff', ivory: '#f6f1e4', cream: '#f3ead3', beige: '#d9c6a5', sand: '#d6c29b', camel: '#b98a57',
  brown: '#6e4b2f', chocolate: '#4e3325', grey: '#8d8d8d', gray: '#8d8d8d', charcoal: '#3d3f42', navy: '#1f2a4d', blue: '#2f5fb3',
  'light blue': '#9cc1e6', denim: '#3f5f86', teal: '#1f7a7a', green: '#3d7a48', olive: '#6b6b2f', khaki: '#a49466', red: '#b3262f',
  burgundy: '#6d1f2c', pink: '#eba7bd', rose: '#d9849b', purple: '#6b4593', lavender: '#b9a5d6', yellow: '#e6c532', mustard: '#c99a1e',
  orange: '#e07b2c', rust: '#a3512a', silver: '#c0c0c0', gold: '#c9a43a',
  // names sellers write freely, drawn in their family's colour
  seafoam: '#7fc8b4', mint: '#a8dcc1', sage: '#9caf88', emerald: '#1f7a55', forest: '#2e4d36', lime: '#a3c940',
  wine: '#6b1f33', maroon: '#6d1f2c', oxblood: '#5a1a1f', plum: '#5e2b4f', lilac: '#b6a0cf', mauve: '#b784a7',
  ecru: '#efe6d2', bone: '#e9e2d0', 'off-white': '#f5f2ea', oatmeal: '#d8cdb6', taupe: '#8b7d6b', tan: '#c19a6b',
  cobalt: '#1f4fb3', royal: '#2a4fb0', sky: '#9cc3e4', indigo: '#2f4a78', coral: '#e8765f', blush: '#eec1c1', fuchsia: '#c2286e',
  ochre: '#c28a1e', terracotta: '#b5563a', copper: '#b06a3b', slate: '#5b6770', stone: '#b9b2a6', cognac: '#9a4f24',
};

/**
 * CSS colour for a swatch of a colour name, in any case: the name itself, else its last known
 * word ("Seafoam Green" → seafoam's, "Deep Wine" → wine's), else a neutral grey.
 */
export function swatchColour(name: string): string {
  const lower = name.trim().toLowerCase();
  const known = SWATCHES[lower];
  if (known) return known;
  const words = lower.split(/[\s/]+/).reverse();
  for (const word of words) {
    const byWord = SWATCHES[word];
    if (byWord) return byWord;
  }
  return '#b5b5b5';
}

/**
 * The photos to show for a chosen colour: that colour's photos first, then photos of any colour.
 * Photos of other colours are left out; with no colour chosen (or no photo of it) all are shown.
 */
export function photosForColour<T extends { colour?: string | null }>(images: readonly T[], colour: string | undefined): T[] {
  if (!colour) return [...images];
  const wanted = colour.toLowerCase();
  const ofColour = images.filter((image) => image.colour?.toLowerCase() === wanted);
  const anyColour = images.filter((image) => !image.colour);
  return ofColour.length + anyColour.length > 0 ? [...ofColour, ...anyColour] : [...images];
}
