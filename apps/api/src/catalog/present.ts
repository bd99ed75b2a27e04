import { hash } from 'node:crypto';

import type { Static } from '@sinclair/typebox';

import type { FastifyReply, FastifyRequest } from 'fastify';

import type { ListPresentation, ProductDetail, ProductListPage, ReviewRecord } from '@threadline/db';
import { LOW_STOCK_THRESHOLD, stockState, type StockState } from '@threadline/domain';
import { IMAGE_WIDTHS, imageUrl, widthsFor } from '@threadline/media';

import { encodeCursor } from '../http/common.schemas.js';
import type { ImageSchema, ProductDetailSchema, ProductListSchema, ReviewSchema } from './catalog.schemas.js';

/** Preferred default width of an image: the 640 px copy when it exists. */
const DEFAULT_WIDTH = 640;

/** The rules the product-list SQL renders with (the same ones presentImage and stockState apply). */
export const LIST_PRESENTATION: ListPresentation = {
  lowStockThreshold: LOW_STOCK_THRESHOLD,
  imageWidths: IMAGE_WIDTHS,
  defaultImageWidth: DEFAULT_WIDTH,
};

/**
 * Sends a product-list page: the items are JSON texts rendered by PostgreSQL in the
 * ProductSummary shape (see listProducts), so they are joined, not parsed and re-serialised.
 * The route's response schema still documents the shape; tests check the output against it.
 */
export function sendProductPage(reply: FastifyReply, page: ProductListPage): FastifyReply {
  return sendJsonText(reply, productPageBody(page));
}

/** Sends JSON text that is already serialised (list pages rendered by PostgreSQL). */
export function sendJsonText(reply: FastifyReply, body: string, headers: Record<string, string> = {}): FastifyReply {
  return reply.type('application/json; charset=utf-8').headers(headers).send(body);
}

/** A page's JSON as the bytes sent, with its entity tag (see `jsonEntity`). */
export interface JsonEntity {
  bytes: Buffer;
  /** A weak validator from the SHA-256 of the bytes: equal tags, equal bytes. */
  etag: string;
}

/**
 * A page's JSON text as bytes with its validator, made once per cached page (not per answer):
 * hashing a 65 kB list page costs about as much as encoding it, which each answer then skips.
 * The tag is weak (`W/`) only so that the web tier may compress the answer under it (RFC 9110
 * 8.8.1); being a digest of the exact bytes, it changes with any byte of the body.
 */
export function jsonEntity(text: string): JsonEntity {
  const bytes = Buffer.from(text, 'utf8');
  return { bytes, etag: `W/"${hash('sha256', bytes, 'base64url')}"` };
}

/**
 * Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 13.1.2: `W/` ignored on
 * both sides; `*` matches any current page). A malformed header matches nothing: the full answer.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const part of header.split(',')) {
    const tag = part.trim();
    if (tag === '*' || (tag.startsWith('W/') ? tag.slice(2) : tag) === opaque) return true;
  }
  return false;
}

/**
 * Sends a cached page under its validator: 304 without a body when the request's If-None-Match
 * names it (a browser revalidating, or the web tier asking whether the copy it holds is still the
 * page — see apps/web's RevalidationStore), else 200 with the bytes. `headers` go on either.
 */
export function sendJsonEntity(request: FastifyRequest, reply: FastifyReply, entity: JsonEntity, headers: Record<string, string>): FastifyReply {
  reply.headers(headers).header('etag', entity.etag);
  if (matchesIfNoneMatch(request.headers['if-none-match'], entity.etag)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(entity.bytes);
}

/** Fields a shop list page carries beside its items (total, facets, the search as run). */
export type ListPageExtras = Partial<Pick<Static<typeof ProductListSchema>, 'total' | 'facets' | 'search'>>;

/** The JSON text of a list page: product JSON rendered by PostgreSQL, joined without re-parsing. */
export function productPageBody(page: ProductListPage, extras: ListPageExtras = {}): string {
  const nextCursor = page.hasMore && page.last ? encodeCursor(page.last.sortKey, page.last.id) : null;
  const extraJson = JSON.stringify(extras).slice(1, -1);
  return `{"items":[${page.items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}${extraJson ? `,${extraJson}` : ''}}`;
}

/** URLs of a stored image for `<img src srcset>`. */
export function presentImage(key: string, originalWidth: number): Static<typeof ImageSchema> {
  const widths = widthsFor(originalWidth);
  const preferred = widths.filter((width) => width <= DEFAULT_WIDTH).at(-1) ?? widths[0] ?? originalWidth;
  return {
    url: imageUrl(key, preferred),
    srcset: widths.map((width) => `${imageUrl(key, width)} ${width}w`).join(', '),
    width: preferred,
  };
}

/** A product's stock state: the best of its variants. */
function overallStock(variants: readonly { stock: number }[]): StockState {
  return stockState(variants.reduce((sum, variant) => sum + Math.max(0, variant.stock), 0));
}

function rating(count: number, sum: number): { average: number | null; count: number } {
  return { average: count > 0 ? Math.round((sum / count) * 10) / 10 : null, count };
}

function presentVariants(variants: ProductDetail['variants']): Static<typeof ProductDetailSchema>['variants'] {
  return variants.map((variant) => ({ ...variant, stockState: stockState(variant.stock) }));
}

export function presentReview(review: ReviewRecord): Static<typeof ReviewSchema> {
  return {
    id: review.id,
    productId: review.productId,
    orderItemId: review.orderItemId,
    rating: review.rating,
    title: review.title,
    body: review.body,
    authorName: review.authorName,
    createdAt: review.createdAt.toISOString(),
  };
}

export function presentReviewPage(page: { reviews: (ReviewRecord & { createdKey: string })[]; hasMore: boolean }): Static<typeof ProductDetailSchema>['reviews'] {
  const last = page.reviews.at(-1);
  return { items: page.reviews.map(presentReview), nextCursor: page.hasMore && last ? encodeCursor(last.createdKey, last.id) : null };
}

export function presentDetail(product: ProductDetail, reviews: Static<typeof ProductDetailSchema>['reviews']): Static<typeof ProductDetailSchema> {
  const prices = product.variants.map((variant) => variant.price);
  return {
    id: product.id,
    name: product.name,
    description: product.description,
    status: product.status,
    seller: product.seller,
    category: product.category,
    priceFrom: prices.length > 0 ? Math.min(...prices) : null,
    rating: rating(product.ratingCount, product.ratingSum),
    unitsSold: product.unitsSold,
    stockState: overallStock(product.variants),
    publishedAt: product.publishedAt ? product.publishedAt.toISOString() : null,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
    variants: presentVariants(product.variants),
    images: product.images.map((image) => ({
      ...presentImage(image.key, image.width),
      id: image.id,
      height: Math.round((image.height * (presentImage(image.key, image.width).width)) / image.width),
      alt: image.alt,
      colour: image.colour,
    })),
    reviews,
  };
}
