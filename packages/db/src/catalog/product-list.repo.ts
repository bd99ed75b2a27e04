import type { Queryable } from '../pool.js';
import { searchWords, toPrefixTsQuery } from './search-text.js';

/** `relevance` needs a search: best match first (ts_rank over the name-weighted document). */
export type ProductSort = 'relevance' | 'newest' | 'price_asc' | 'price_desc' | 'popular';

export interface ProductListQuery {
  /** Category slug; a parent category includes its children. */
  category?: string | undefined;
  size?: string | undefined;
  colour?: string | undefined;
  /** Colour family slug ("green"): variants whose free colour name maps to it (migration 1800). */
  family?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  /** What the shopper typed (see correctSearch for typos); each word, or the start of one, matches on its own. */
  search?: string | undefined;
  sort: ProductSort;
  /** Keyset position from the previous page: [sort key as text, product id]. */
  after?: [string, number] | undefined;
  limit: number;
  /** Only this seller's products, any status (the seller's own list). */
  sellerId?: number | undefined;
  /** Admin and seller lists see every status; the shop sees published only. */
  statuses?: readonly ('draft' | 'published' | 'unpublished')[] | undefined;
}

/** Presentation rules the SQL needs, passed in so they stay defined once (packages/domain, packages/media). */
export interface ListPresentation {
  /** At or below this total stock a product shows as low stock. */
  lowStockThreshold: number;
  /** Standard stored image widths, ascending. */
  imageWidths: readonly number[];
  /** Preferred default image width (the largest stored width not above it is used). */
  defaultImageWidth: number;
}

export interface ProductListPage {
  /** One JSON text per product, already in the API's ProductSummary shape. */
  items: string[];
  hasMore: boolean;
  /** Keyset position of the last item, for the next cursor. */
  last: { sortKey: string; id: number } | undefined;
}

/** Binds values as $1, $2… in the order the SQL text uses them. */
export type Bind = (value: unknown) => string;

export function createBinder(): { params: unknown[]; bind: Bind } {
  const params: unknown[] = [];
  return {
    params,
    bind: (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    },
  };
}

/** Filters a list can leave out (a facet counts as if its own filter were not set). */
export type OmittedFilter = 'category' | 'size' | 'colour' | 'family';

/** The tsquery of a search, or undefined when the text has no words. */
export function searchTsQuery(search: string | undefined): string | undefined {
  const words = search ? searchWords(search) : [];
  return words.length > 0 ? toPrefixTsQuery(words) : undefined;
}

/**
 * The WHERE conditions of a product list (without paging), over `products p`. Shared by the
 * list, its total and its facet counts, so all three always agree on what matches.
 */
export function productListConditions(query: Omit<ProductListQuery, 'sort' | 'limit' | 'after'>, bind: Bind, omit?: OmittedFilter): string[] {
  const where: string[] = [];
  const statuses = query.statuses ?? ['published'];
  where.push(statuses.length === 1 ? `p.status = ${bind(statuses[0])}::product_status` : `p.status = ANY(${bind(statuses)}::product_status[])`);
  if (query.sellerId !== undefined) where.push(`p.seller_id = ${bind(query.sellerId)}`);
  if (query.category && omit !== 'category') {
    const slug = bind(query.category);
    where.push(`p.category_id IN (SELECT c2.id FROM categories c2 LEFT JOIN categories cp ON cp.id = c2.parent_id WHERE c2.slug = ${slug} OR cp.slug = ${slug})`);
  }
  const tsQuery = searchTsQuery(query.search);
  if (tsQuery) where.push(`p.search_doc @@ to_tsquery('english', ${bind(tsQuery)})`);
  else if (query.search) where.push('false');
  const variantFilters: string[] = [];
  if (query.size && omit !== 'size') variantFilters.push(`fv.size = ${bind(query.size)}`);
  if (query.colour && omit !== 'colour') variantFilters.push(`lower(fv.colour) = lower(${bind(query.colour)})`);
  if (query.family && omit !== 'family') variantFilters.push(`fv.colour_family = ${bind(query.family)}`);
  if (query.minPrice !== undefined) variantFilters.push(`fv.price_cents >= ${bind(query.minPrice)}`);
  if (query.maxPrice !== undefined) variantFilters.push(`fv.price_cents <= ${bind(query.maxPrice)}`);
  if (variantFilters.length > 0) {
    where.push(`EXISTS (SELECT 1 FROM product_variants fv WHERE fv.product_id = p.id AND ${variantFilters.join(' AND ')})`);
  }
  return where;
}

interface Ordering {
  key: string;
  order: string;
  compare: string;
  /** ORDER BY over the page's columns, when `order` cannot simply be read over them. */
  outerOrder?: string;
}

const ORDERINGS: Record<Exclude<ProductSort, 'relevance'>, Ordering> = {
  newest: { key: 'p.created_at', order: 'p.created_at DESC, p.id DESC', compare: '(p.created_at, p.id) < (#::timestamptz, #)' },
  price_asc: { key: 'p.min_price_cents', order: 'p.min_price_cents ASC, p.id ASC', compare: '(p.min_price_cents, p.id) > (#::integer, #)' },
  price_desc: { key: 'p.min_price_cents', order: 'p.min_price_cents DESC, p.id DESC', compare: '(p.min_price_cents, p.id) < (#::integer, #)' },
  popular: { key: 'p.units_sold', order: 'p.units_sold DESC, p.id DESC', compare: '(p.units_sold, p.id) < (#::integer, #)' },
};

/** Relevance: the name-weighted rank of the search (a real), best first; newest breaks ties by id. */
function relevanceOrdering(tsQueryParam: string): Ordering {
  const rank = `ts_rank(p.search_doc, to_tsquery('english', ${tsQueryParam}))`;
  return { key: rank, order: `${rank} DESC, p.id DESC`, compare: `(${rank}, p.id) < (#::real, #)`, outerOrder: 'page.sort_key::real DESC, page.id DESC' };
}

/**
 * One page of products in ONE SQL statement, each product rendered as JSON by PostgreSQL:
 * filters, keyset paging, the first image and the summary of the variants (price range, stock,
 * colours; not the variants themselves, which only the product page carries) aggregated in the
 * database. The API
 * sends the JSON texts on unparsed; one round trip and no per-row object churn in Node is what
 * lets the list serve thousands of requests a second (an N+1 list spends its time in round trips,
 * a parse-and-reserialise list in the garbage collector).
 */
export async function listProducts(db: Queryable, query: ProductListQuery, presentation: ListPresentation): Promise<ProductListPage> {
  const { params, bind } = createBinder();
  const where = productListConditions(query, bind);
  const tsQuery = searchTsQuery(query.search);
  // relevance without a search has nothing to rank by: newest first instead
  const ordering = query.sort === 'relevance' ? (tsQuery ? relevanceOrdering(bind(tsQuery)) : ORDERINGS.newest) : ORDERINGS[query.sort];
  if (query.sort !== 'newest' && query.sort !== 'relevance') where.push('p.min_price_cents IS NOT NULL');
  if (query.after) {
    const [key, id] = query.after;
    const keyParam = bind(key);
    const idParam = bind(id);
    let index = 0;
    where.push(ordering.compare.replace(/#/g, () => (index++ === 0 ? keyParam : idParam)));
  }
  // filtered by colour: each card shows its photo in that colour when it has one
  // (by family: a photo in a colour of that family)
  const imageOrder = query.colour
    ? `(lower(i.colour) = lower(${bind(query.colour)})) IS TRUE DESC,`
    : query.family
      ? `(colour_family_of(i.colour) = ${bind(query.family)}) IS TRUE DESC,`
      : '';
  const lowStock = bind(presentation.lowStockThreshold);
  const widths = bind(presentation.imageWidths);
  const defaultWidth = bind(presentation.defaultImageWidth);
  const limit = bind(query.limit + 1);
  // image widths: the standard ones the original reaches, or the original width when smaller than all
  const sql = `
    WITH page AS (
      SELECT p.id, p.name, p.status, p.category_id, p.min_price_cents, p.units_sold, p.rating_count, p.rating_sum,
             p.created_at, ${ordering.key}::text AS sort_key, img.storage_key, img.width AS image_width
        FROM products p
        LEFT JOIN LATERAL (SELECT i.storage_key, i.width FROM product_images i WHERE i.product_id = p.id
                            ORDER BY ${imageOrder} i.position, i.id LIMIT 1) img ON true
       WHERE ${where.join(' AND ')}
       ORDER BY ${ordering.order}
       LIMIT ${limit}
    )
    SELECT page.id, page.sort_key, json_build_object(
             'id', page.id,
             'name', page.name,
             'status', page.status,
             'category', json_build_object('id', c.id, 'slug', c.slug, 'name', c.name),
             'priceFrom', page.min_price_cents,
             'priceTo', v.max_price,
             'image', CASE WHEN page.storage_key IS NULL THEN NULL ELSE json_build_object(
                        'url', '/media/images/' || page.storage_key || '/' || w.preferred || '.webp',
                        'srcset', w.srcset,
                        'width', w.preferred) END,
             'rating', json_build_object('average', CASE WHEN page.rating_count > 0 THEN round(page.rating_sum::numeric / page.rating_count, 1) END,
                                         'count', page.rating_count),
             'unitsSold', page.units_sold,
             'stockState', CASE WHEN v.total_stock <= 0 THEN 'out_of_stock' WHEN v.total_stock <= ${lowStock}::integer THEN 'low_stock' ELSE 'in_stock' END,
             'stock', v.total_stock,
             'variantCount', v.variant_count,
             'colours', v.colours,
             'createdAt', to_char(page.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
           )::text AS item
      FROM page
      JOIN categories c ON c.id = page.category_id
      CROSS JOIN LATERAL (
        -- one row per colour (with its first variant, for the order); the totals add the colours up
        SELECT coalesce(json_agg(pc.colour ORDER BY pc.first_id), '[]'::json) AS colours,
               coalesce(sum(pc.stock), 0)::bigint AS total_stock,
               coalesce(sum(pc.variants), 0)::integer AS variant_count,
               max(pc.max_price) AS max_price
          FROM (SELECT pv.colour, min(pv.id) AS first_id, sum(greatest(pv.stock, 0)) AS stock, count(*) AS variants,
                       max(pv.price_cents) AS max_price
                  FROM product_variants pv WHERE pv.product_id = page.id GROUP BY pv.colour) pc) v
      LEFT JOIN LATERAL (
        SELECT coalesce((SELECT max(x) FROM unnest(ws.widths) x WHERE x <= ${defaultWidth}::integer), ws.widths[1]) AS preferred,
               (SELECT string_agg('/media/images/' || page.storage_key || '/' || x || '.webp ' || x || 'w', ', ' ORDER BY x)
                  FROM unnest(ws.widths) x) AS srcset
          FROM (SELECT CASE WHEN page.image_width >= (${widths}::integer[])[1]
                            THEN ARRAY(SELECT x FROM unnest(${widths}::integer[]) x WHERE x <= page.image_width ORDER BY x)
                            ELSE ARRAY[page.image_width] END AS widths) ws
         WHERE page.storage_key IS NOT NULL) w ON true
     ORDER BY ${ordering.outerOrder ?? ordering.order.replace(/p\./g, 'page.')}`;
  const { rows } = await db.query<{ id: number; sort_key: string; item: string }>(sql, params);
  const kept = rows.slice(0, query.limit);
  const lastRow = kept.at(-1);
  return {
    items: kept.map((row) => row.item),
    hasMore: rows.length > query.limit,
    last: lastRow ? { sortKey: lastRow.sort_key, id: lastRow.id } : undefined,
  };
}
