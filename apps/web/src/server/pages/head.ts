/**
 * The server-rendered `<head>` of every page: title, description, canonical address, Open Graph
 * and Twitter cards, robots rules, and schema.org Product data for product pages. Pure functions
 * from data to HTML text; pages.ts does the I/O.
 */
import { documentTitle, SHOP_NAME, type PageMeta } from '../../client/app/page-meta.js';

/** What a product page's head needs from GET /api/products/:id (checked by readProduct). */
export interface ProductForHead {
  id: number;
  name: string;
  description: string;
  status: string;
  category: { name: string };
  priceFrom: number | null;
  stockState: string;
  rating: { average: number | null; count: number };
  variants: { sku: string; price: number; stockState: string; colour: string; stock: number }[];
  images: { url: string; srcset: string; alt?: string | undefined; colour?: string | null | undefined }[];
}

/**
 * The photo the product page opens with: the page preselects the first colour in stock and
 * shows that colour's photos first (ProductPage, photosForColour), so the head preloads that one.
 */
export function openingImage(product: ProductForHead): ProductForHead['images'][number] | undefined {
  const colours = [...new Set(product.variants.map((variant) => variant.colour))];
  const colour = (colours.length === 1 ? colours[0] : product.variants.find((variant) => variant.stock > 0)?.colour)?.toLowerCase();
  return product.images.find((image) => colour !== undefined && image.colour?.toLowerCase() === colour) ?? product.images.find((image) => !image.colour) ?? product.images[0];
}

export interface HeadInput {
  meta: PageMeta;
  /** Absolute URL of this page without query (the canonical address). */
  canonicalUrl: string;
  /** Absolute origin for image URLs (`https://shop.example`). */
  origin: string;
  product?: ProductForHead | undefined;
  currency: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);
}

/** JSON inside `<script>`: `<` escaped so no text of a product can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** One line of plain text for meta descriptions: markup-free, whitespace collapsed, ≤ 160 chars. */
export function summarise(text: string, maxLength = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= maxLength) return flat;
  const cut = flat.slice(0, maxLength - 1);
  const lastSpace = cut.lastIndexOf(' ');
  return `${(lastSpace > maxLength * 0.6 ? cut.slice(0, lastSpace) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

const AVAILABILITY: Record<string, string> = {
  in_stock: 'https://schema.org/InStock',
  low_stock: 'https://schema.org/LimitedAvailability',
  out_of_stock: 'https://schema.org/OutOfStock',
};

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** schema.org Product with its offers (price range over the variants) and rating, for rich results. */
export function productJsonLd(product: ProductForHead, input: { canonicalUrl: string; origin: string; currency: string }): Record<string, unknown> {
  const prices = product.variants.map((variant) => variant.price);
  const data: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'Product',
    name: product.name,
    description: summarise(product.description, 500),
    url: input.canonicalUrl,
    sku: product.variants[0]?.sku,
    category: product.category.name,
    brand: { '@type': 'Brand', name: SHOP_NAME },
    image: product.images.map((image) => new URL(image.url, input.origin).href),
  };
  if (prices.length > 0) {
    data.offers = {
      '@type': 'AggregateOffer',
      priceCurrency: input.currency,
      lowPrice: money(Math.min(...prices)),
      highPrice: money(Math.max(...prices)),
      offerCount: prices.length,
      availability: AVAILABILITY[product.stockState] ?? AVAILABILITY.in_stock,
      url: input.canonicalUrl,
    };
  }
  if (product.rating.count > 0 && product.rating.average !== null) {
    data.aggregateRating = { '@type': 'AggregateRating', ratingValue: product.rating.average, reviewCount: product.rating.count, bestRating: 5, worstRating: 1 };
  }
  return data;
}

/** The tags that go into `<head>` (replacing the built page's title and description). */
export function renderHead(input: HeadInput): string {
  const { meta, product } = input;
  const title = documentTitle(meta.title);
  const tags = [
    `<title>${escapeHtml(title)}</title>`,
    `<meta name="description" content="${escapeHtml(meta.description)}" />`,
    `<link rel="canonical" href="${escapeHtml(input.canonicalUrl)}" />`,
    meta.isIndexable ? '' : '<meta name="robots" content="noindex, nofollow" />',
    `<meta property="og:site_name" content="${SHOP_NAME}" />`,
    `<meta property="og:type" content="${product ? 'product' : 'website'}" />`,
    `<meta property="og:title" content="${escapeHtml(meta.title)}" />`,
    `<meta property="og:description" content="${escapeHtml(meta.description)}" />`,
    `<meta property="og:url" content="${escapeHtml(input.canonicalUrl)}" />`,
  ];
  const image = product ? openingImage(product) : undefined;
  if (product && image) {
    tags.push(
      `<meta property="og:image" content="${escapeHtml(new URL(image.url, input.origin).href)}" />`,
      `<meta property="og:image:alt" content="${escapeHtml(image.alt || product.name)}" />`,
      '<meta name="twitter:card" content="summary_large_image" />',
      // the opening photo is the page's largest paint: start fetching it with the HTML
      `<link rel="preload" as="image" href="${escapeHtml(image.url)}" imagesrcset="${escapeHtml(image.srcset)}" imagesizes="(min-width: 900px) 50vw, 100vw" fetchpriority="high" />`,
    );
  } else {
    tags.push('<meta name="twitter:card" content="summary" />');
  }
  if (product && product.priceFrom !== null) {
    tags.push(`<meta property="product:price:amount" content="${money(product.priceFrom)}" />`, `<meta property="product:price:currency" content="${escapeHtml(input.currency)}" />`);
  }
  if (product) tags.push(`<script type="application/ld+json">${scriptJson(productJsonLd(product, input))}</script>`);
  return tags.filter((tag) => tag !== '').join('\n    ');
}

/**
 * The built index.html with its `<title>` and description replaced by `head`. The built page
 * carries one of each (src/client/index.html); anything else in it stays as built.
 */
export function injectHead(template: string, head: string): string {
  const withoutDefaults = template.replace(/<title>[\s\S]*?<\/title>\s*/, '').replace(/<meta name="description"[^>]*>\s*/, '');
  return withoutDefaults.replace('</head>', `  ${head}\n  </head>`);
}
