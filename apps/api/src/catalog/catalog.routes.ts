import type { FastifyReply, FastifyRequest } from 'fastify';
import fastJson from 'fast-json-stringify';

import { correctSearch, countProducts, listColourFamilies, getProductDetail, listCategories, listProducts, listReviews, productFacets, suggestProducts, type ProductDetail, type ProductSort } from '@threadline/db';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { Cursor, decodeCursor, decodeIntegerCursor, decodeTimeCursor, errors, IdParams, Limit } from '../http/common.schemas.js';
import { CategoryListSchema, ProductDetailSchema, ProductListQuery, ProductListSchema, ReviewPageSchema, SuggestionsQuery, SuggestionsSchema } from './catalog.schemas.js';
import { ListPageCache } from './list-cache.js';
import { jsonEntity, LIST_PRESENTATION, presentDetail, presentReviewPage, productPageBody, sendJsonEntity, type JsonEntity } from './present.js';
import { Type } from '@sinclair/typebox';

/** Reviews shown with the product page; more through GET /api/products/:id/reviews. */
const REVIEWS_ON_PAGE = 10;

/** Drafts and unpublished products are visible to their seller and to admins only. */
export function canSeeProduct(request: FastifyRequest, product: Pick<ProductDetail, 'status' | 'seller'>): boolean {
  if (product.status === 'published') return true;
  const user = request.session?.user;
  return user !== undefined && user !== null && (user.role === 'admin' || user.id === product.seller.id);
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * True when a successful change may touch what lists and product pages show. Routes whose changes
 * cannot (sign-in, carts — a cart reserves no stock —, addresses, clickstream events, analytics)
 * say so with `config: { leavesCatalog: true }` and leave the caches alone: under load they are
 * most of the writes (every page view posts to /collect), and clearing on each of them kept the
 * cache cold. Unmarked routes clear, so a new route is safe by default; the decision is the
 * matched route's, never a comparison of the URL.
 */
function mayChangeCatalog(request: FastifyRequest): boolean {
  if (!MUTATING.has(request.method)) return false;
  const routeConfig = request.routeOptions.config as { leavesCatalog?: boolean } | undefined; // Fastify's route config, typed below
  return routeConfig?.leavesCatalog !== true;
}

/** The product page's JSON text, written by the same schema serialiser Fastify uses for the route. */
const serializeDetail = fastJson(ProductDetailSchema);

/**
 * A product page as kept: its JSON as the bytes sent with their validator (made once per load,
 * as for list pages), and what deciding who may see it needs.
 */
interface ProductPageEntity {
  status: ProductDetail['status'];
  seller: ProductDetail['seller'];
  entity: JsonEntity;
}

/** Keyset position of a relevance-sorted page: the rank (a real) and the product id. */
function decodeRankCursor(cursor: string | undefined): [string, number] | undefined {
  const decoded = decodeCursor(cursor);
  if (decoded && !/^\d+(\.\d+)?(e-?\d+)?$/.test(decoded[0])) throw new AppError('VALIDATION_FAILED', 'cursor is not one this API produced', 'cursor');
  return decoded;
}

function decodeListCursor(sort: ProductSort, cursor: string | undefined): [string, number] | undefined {
  if (sort === 'newest') return decodeTimeCursor(cursor);
  if (sort === 'relevance') return decodeRankCursor(cursor);
  return decodeIntegerCursor(cursor);
}

/**
 * Cache-Control of answers that are the same for everyone (published lists and product pages):
 * browsers revalidate every time (`max-age=0`: a shopper sees a change at once), shared caches —
 * the web tier's micro-cache, a CDN — may keep them as long as this process keeps its own copy.
 */
export function publicCacheControl(listCacheMs: number): string {
  const seconds = Math.floor(listCacheMs / 1000);
  return seconds > 0 ? `public, max-age=0, s-maxage=${seconds}` : 'no-cache';
}

/** `x-cache`: from memory, from memory while it is refilled, or loaded for this request. */
function cacheState(isHit: boolean, isStale = false): 'hit' | 'stale' | 'miss' {
  if (isStale) return 'stale';
  return isHit ? 'hit' : 'miss';
}

/** A draft's page depends on who asks: never stored anywhere. */
const PRIVATE_CACHE_CONTROL = 'private, no-store';

export async function catalogRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const sharedCacheControl = publicCacheControl(context.config.listCacheMs);
  // list pages as the bytes sent and their ETag, both made once per load
  const listCache = new ListPageCache<JsonEntity>(context.config.listCacheMs);
  // product pages: the JSON text as sent, kept only for published products (a draft's page
  // depends on who asks), with what the visibility check needs
  const productCache = new ListPageCache<ProductPageEntity | null>(context.config.listCacheMs);
  // any change that went through this process may touch what lists and product pages show
  // (stock, prices, status, reviews)
  // a callback hook: no promise and microtask per request
  app.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode < 400 && mayChangeCatalog(request)) {
      listCache.clear();
      productCache.clear();
    }
    done();
  });

  app.get(
    '/api/categories',
    { schema: { tags: ['catalog'], summary: 'All categories', response: { 200: CategoryListSchema } } },
    async (_request, reply) => {
      reply.header('cache-control', sharedCacheControl);
      return { items: await listCategories(pool) };
    },
  );

  app.get(
    '/api/products',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Published products, filtered, searched, sorted and cursor-paged (one SQL query per page)',
        querystring: ProductListQuery,
        response: { 200: ProductListSchema, ...errors(400) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      // a search is ranked by relevance unless the shopper chose an order; without one, newest
      const sort: ProductSort = query.sort ?? (query.q ? 'relevance' : 'newest');
      const effectiveSort: ProductSort = sort === 'relevance' && !query.q ? 'newest' : sort;
      const after = decodeListCursor(effectiveSort, query.cursor);
      // the schema default fills limit; the fallback keeps the type narrow
      const limit = typeof query.limit === 'number' ? query.limit : 24;
      const filters = { category: query.category, size: query.size, colour: query.colour, family: query.family, minPrice: query.minPrice, maxPrice: query.maxPrice, search: query.q, sort: effectiveSort, after, limit };
      const { body, isHit, isStale } = await listCache.getOrLoad(JSON.stringify(filters), async () => {
        // misspelt words are corrected before searching; the answer says so ("showing results for")
        const corrected = query.q ? await correctSearch(pool, query.q) : undefined;
        const listed = { ...filters, search: corrected?.text };
        const page = await listProducts(pool, listed, LIST_PRESENTATION);
        const search = corrected ? { query: corrected.text, isCorrected: corrected.isCorrected } : undefined;
        if (after) return jsonEntity(productPageBody(page, { search }));
        // the first page also says how many match in all and what each filter value would leave
        const [total, facets] = await Promise.all([countProducts(pool, listed), productFacets(pool, listed)]);
        return jsonEntity(productPageBody(page, { total, facets, search }));
      });
      return sendJsonEntity(request, reply, body, { 'x-cache': cacheState(isHit, isStale), 'cache-control': sharedCacheControl });
    },
  );

  app.get(
    '/api/colour-families',
    {
      schema: {
        tags: ['catalog'],
        summary: 'The colour families the product list filters by (`family`), in swatch order',
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ slug: Type.String(), name: Type.String(), hex: Type.String() })) }) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', sharedCacheControl);
      return { items: await listColourFamilies(pool) };
    },
  );

  app.get(
    '/api/search/suggestions',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Suggestions while typing: matching products and categories, tolerant of typos',
        querystring: SuggestionsQuery,
        response: { 200: SuggestionsSchema, ...errors(400) },
      },
    },
    async (request) => {
      const { q } = request.query;
      const limit = typeof request.query.limit === 'number' ? request.query.limit : 6;
      const corrected = await correctSearch(pool, q);
      const found = await suggestProducts(pool, corrected.text, limit);
      return { query: q, correctedQuery: corrected.isCorrected ? corrected.text : null, ...found };
    },
  );

  /** Answers a product page as loaded or kept: 404 unless this request may see it, else its bytes (or a 304). */
  const answerProductPage = (request: FastifyRequest, reply: FastifyReply, page: ProductPageEntity | null, cache: 'hit' | 'stale' | 'miss'): void => {
    if (!page || !canSeeProduct(request, page)) throw notFound('product', 'id');
    const cacheControl = page.status === 'published' ? sharedCacheControl : PRIVATE_CACHE_CONTROL;
    // after the visibility check: a 304 confirms only a page this request may see (the web
    // tier revalidates the published pages it keeps, as it does list pages)
    sendJsonEntity(request, reply, page.entity, { 'x-cache': cache, 'cache-control': cacheControl });
  };

  app.get(
    '/api/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'A product with variants, stock state, images and the latest reviews',
        params: IdParams,
        response: { 200: ProductDetailSchema, ...errors(400, 404) },
      },
    },
    (request, reply) => {
      const key = String(request.params.id);
      // a fresh kept page is answered without a promise or a loader made for this request
      const fresh = productCache.getFresh(key);
      if (fresh !== undefined) {
        answerProductPage(request, reply, fresh, 'hit');
        return;
      }
      return productCache.getOrLoad(
        key,
        async () => {
          const product = await getProductDetail(pool, request.params.id);
          if (!product) return null;
          const reviews = await listReviews(pool, product.id, { limit: REVIEWS_ON_PAGE });
          // serialised once here, by the route's own response schema, then sent as these bytes
          return { status: product.status, seller: product.seller, entity: jsonEntity(serializeDetail(presentDetail(product, presentReviewPage(reviews)))) };
        },
        (loaded) => loaded !== null && loaded.status === 'published',
      ).then(({ body, isHit, isStale }) => {
        answerProductPage(request, reply, body, cacheState(isHit, isStale));
      });
    },
  );

  app.get(
    '/api/products/:id/reviews',
    {
      schema: {
        tags: ['catalog'],
        summary: "A product's reviews, newest first",
        params: IdParams,
        querystring: Type.Object({ cursor: Type.Optional(Cursor), limit: Type.Optional(Limit(20, 100)) }, { additionalProperties: false }),
        response: { 200: ReviewPageSchema, ...errors(400, 404) },
      },
    },
    async (request) => {
      const product = await getProductDetail(pool, request.params.id);
      if (!product || !canSeeProduct(request, product)) throw notFound('product', 'id');
      const limit = typeof request.query.limit === 'number' ? request.query.limit : 20;
      const page = await listReviews(pool, product.id, { after: decodeTimeCursor(request.query.cursor), limit });
      return presentReviewPage(page);
    },
  );
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** true: a successful call of this state-changing route cannot change lists or product pages (see mayChangeCatalog). */
    leavesCatalog?: boolean;
  }
}
