import { AGE_BANDS, BRANDS, CATEGORIES, COLOURS, REGIONS, shapeForNoun, type CategorySpec, type ColourId, type Problem, type Region, type Shape } from './catalogue-data.js';
import type { Random } from './random.js';

const DAY_MS = 86_400_000;

export type ProductStatus = 'draft' | 'published' | 'unpublished';

export interface DemoVariant {
  id: number;
  productId: number;
  sku: string;
  size: string;
  colourId: ColourId;
  colour: string;
  priceCents: number;
  stock: number;
  /** relative demand for this variant within its product (size curve) */
  demand: number;
  createdAt: Date;
}

export interface DemoProduct {
  id: number;
  /** index into BRANDS */
  brandIndex: number;
  category: CategorySpec;
  categoryIndex: number;
  name: string;
  description: string;
  status: ProductStatus;
  createdAt: Date;
  publishedAt: Date | null;
  colours: ColourId[];
  /** What its photos show: the noun's silhouette (shorts, sports bra) or the category's. */
  shape: Shape;
  variants: DemoVariant[];
  /** overall demand, log-normally distributed: a few products sell far more than the rest */
  popularity: number;
  /** per-product demand multiplier per age band (AGE_BANDS order) and region: segments differ */
  ageTwist: number[];
  regionTwist: Record<Region, number>;
  /** a low-quality product: low ratings, complaints, more refunds */
  problem: Problem | null;
  /** counters, filled once the orders and reviews are generated */
  unitsSold: number;
  ratingCount: number;
  ratingSum: number;
}

export interface CatalogueOptions {
  products: number;
  now: Date;
  /** id of the first product minus one (the table may already hold rows) */
  productIdBase: number;
  variantIdBase: number;
}

function pickCategoryFor(random: Random, brandIndex: number): number {
  const brand = BRANDS[brandIndex];
  if (!brand) throw new RangeError(`no brand ${brandIndex}`);
  const choices = Object.entries(brand.categories).map(([slug, weight]) => [CATEGORIES.findIndex((c) => c.slug === slug), weight] as const);
  return random.weighted(choices);
}

function sharesWord(a: string, b: string): boolean {
  const words = new Set(a.toLowerCase().split(/[\s-]+/).map((word) => word.replace(/s$/, '')));
  return b.toLowerCase().split(/[\s-]+/).some((word) => words.has(word.replace(/s$/, '')) || (word.startsWith('rib') && words.has('ribbed')));
}

/** A price that looks set by a merchandiser: $x9.99-style, $x5.00 or $x0.00 steps. */
function retailPrice(random: Random, [min, max]: readonly [number, number]): number {
  const raw = Math.exp(Math.log(min) + random.next() * (Math.log(max) - Math.log(min)));
  const dollars = Math.max(5, Math.round(raw / 500) * 5);
  return random.chance(0.55) ? dollars * 100 - 1 : dollars * 100;
}

const FITS: Readonly<Record<string, readonly string[]>> = {
  default: [
    'A true-to-size fit with room to move.',
    'Cut for a relaxed, easy fit; size down for a closer look.',
    'A modern regular fit that sits neatly at the shoulder.',
    'Slightly oversized by design.',
  ],
  jeans: ['Mid-rise with a straight leg through the thigh.', 'High-rise, slim through the hip and thigh.', 'Relaxed through the seat with a tapered leg.'],
  shoes: ['Runs true to size; half sizes should size up.', 'Cushioned insole and a flexible rubber outsole.', 'Padded collar and a grippy sole for all-day wear.'],
  accessories: ['Sized to fit most.', 'Roomy enough for a laptop, a water bottle and a jumper.', 'Adjustable for a comfortable fit.'],
};

const DETAILS = [
  'Finished with reinforced seams and a soft-touch wash.',
  'Pre-washed to minimise shrinkage.',
  'Made in a Fair Trade certified factory.',
  'Dyed with low-impact dyes.',
  'Tonal stitching and a clean, minimal finish.',
  'Designed to layer through the seasons.',
  'A wardrobe staple that works from weekday to weekend.',
  'Lined for extra warmth.',
];

function describe(random: Random, category: CategorySpec, material: string, brandTagline: string): string {
  const fits = FITS[category.slug] ?? FITS.default ?? [];
  const composition = /cotton/i.test(material)
    ? `${random.pick([100, 100, 98, 95])}% cotton${random.chance(0.3) ? ', organic' : ''}`
    : /wool|merino|cashmere|alpaca/i.test(material)
      ? `${random.int(50, 100)}% wool blend`
      : material.toLowerCase();
  return [
    `${random.pick(fits)} ${random.pick(DETAILS)}`,
    `Material: ${composition}. Care: ${category.care}`,
    brandTagline,
  ].join('\n\n');
}

/**
 * Generates the catalogue: products with size/colour variants, prices that fit the category,
 * stock per variant, and the hidden demand model (popularity, segment twists, quality problems)
 * the order generator uses.
 */
export function generateCatalogue(random: Random, options: CatalogueOptions): DemoProduct[] {
  const now = options.now.getTime();
  const products: DemoProduct[] = [];
  let variantId = options.variantIdBase;
  // the demo seller owns a visible share; the others split the rest by how much they sell
  const brandWeights = BRANDS.map((brand, index) => [index, index === 0 ? 5 : Object.values(brand.categories).reduce((a, b) => a + b, 0)] as const);
  for (let i = 0; i < options.products; i += 1) {
    const id = options.productIdBase + i + 1;
    const brandIndex = random.weighted(brandWeights);
    const categoryIndex = pickCategoryFor(random, brandIndex);
    const category = CATEGORIES[categoryIndex];
    const brand = BRANDS[brandIndex];
    if (!category || !brand) throw new RangeError('catalogue vocabulary out of range');
    const material = random.pick(category.materials);
    const noun = random.pick(category.nouns);
    const adjective = random.pick(category.adjectives);
    const withMaterial = random.chance(0.7);
    // "Ribbed Rib-Knit Cami" or "Shirt Shirt Dress" read like a bug: drop a word that repeats
    const parts = [
      sharesWord(adjective, noun) ? '' : adjective,
      withMaterial && !sharesWord(material, adjective) && !sharesWord(material, noun) ? material : '',
      noun,
    ];
    const name = parts.filter(Boolean).join(' ');
    // most of the catalogue predates the order window; about a fifth are new arrivals
    const ageDays = random.chance(0.8) ? 90 + random.next() ** 1.4 * 640 : 2 + random.next() * 86;
    const createdAt = new Date(now - ageDays * DAY_MS - random.int(0, DAY_MS - 1));
    const statusRoll = random.next();
    const status: ProductStatus = statusRoll < 0.03 ? 'draft' : statusRoll < 0.05 ? 'unpublished' : 'published';
    const publishedAt = status === 'draft' ? null : new Date(createdAt.getTime() + random.int(1, 72) * 3_600_000);
    const colourCount = Math.min(category.colours.length, random.weighted([[1, 15], [2, 35], [3, 35], [4, 15]]));
    const colours = random.sample(category.colours, colourCount);
    const priceCents = retailPrice(random, category.price);
    const sizes = category.sizes;
    const variants: DemoVariant[] = [];
    for (const colourId of colours) {
      const colour = COLOURS[colourId];
      sizes.forEach((size, sizeIndex) => {
        const demand = category.sizeCurve[sizeIndex] ?? 1;
        // stock follows the size curve, with some sizes sold out
        const stock = random.chance(0.06) ? 0 : Math.min(400, Math.round(demand * random.logNormal(0.9, 0.6)));
        variantId += 1;
        variants.push({
          id: variantId,
          productId: id,
          sku: `${category.code}-${String(id).padStart(5, '0')}-${colour.code}-${size.replace(/\s+/g, '').toUpperCase()}`,
          size,
          colourId,
          colour: colour.name,
          priceCents,
          stock,
          demand,
          createdAt,
        });
      });
    }
    const ageTwist = AGE_BANDS.map(() => random.logNormal(0, 0.7));
    const regionTwist = Object.fromEntries(REGIONS.map((region) => [region, random.logNormal(0, 0.45)])) as Record<Region, number>; // every REGIONS key is set
    products.push({
      id,
      brandIndex,
      category,
      categoryIndex,
      name,
      description: describe(random, category, material, brand.tagline),
      status,
      createdAt,
      publishedAt,
      colours,
      shape: shapeForNoun(noun, category.shape),
      variants,
      popularity: random.logNormal(0, 1) * (random.chance(0.03) ? 2.5 : 1),
      ageTwist,
      regionTwist,
      problem: random.chance(0.07) ? random.pick(category.problems) : null,
      unitsSold: 0,
      ratingCount: 0,
      ratingSum: 0,
    });
  }
  return products;
}
