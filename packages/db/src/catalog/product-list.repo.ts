import type { Queryable } from '../pool.js';

export type ProductSort = 'newest' | 'price_asc' | 'price_desc' | 'popular';

export interface ProductListQuery {
  /** Category slug; a parent category includes its children. */
  category?: string | undefined;
  size?: string | undefined;
  colour?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
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

export interface ListedVariant {
  id: number;
  sku: string;
  size: string;
  colour: string;
  price: number;
  stock: number;
}

export interface ListedProduct {
  id: number;
  name: string;
  status: 'draft' | 'published' | 'unpublished';
  sellerId: number;
  category: { id: number; slug: string; name: string };
  minPrice: number | null;
  unitsSold: number;
  ratingCount: number;
  ratingSum: number;
  imageKey: string | null;
  imageWidths: number | null;
  createdAt: Date;
  variants: ListedVariant[];
  /** Sort key of this row, for the next page's cursor. */
  sortKey: string;
}

interface ListedRow {
  id: number;
  name: string;
  status: 'draft' | 'published' | 'unpublished';
  seller_id: number;
  category_id: number;
  category_slug: string;
  category_name: string;
  min_price_cents: number | null;
  units_sold: number;
  rating_count: number;
  rating_sum: number;
  image_key: string | null;
  image_width: number | null;
  created_at: Date;
  variants: ListedVariant[] | null;
  sort_key: string;
}

const ORDERINGS: Record<ProductSort, { key: string; order: string; compare: string }> = {
  newest: { key: 'p.created_at', order: 'p.created_at DESC, p.id DESC', compare: '(p.created_at, p.id) < (#::timestamptz, #)' },
  price_asc: { key: 'p.min_price_cents', order: 'p.min_price_cents ASC, p.id ASC', compare: '(p.min_price_cents, p.id) > (#::integer, #)' },
  price_desc: { key: 'p.min_price_cents', order: 'p.min_price_cents DESC, p.id DESC', compare: '(p.min_price_cents, p.id) < (#::integer, #)' },
  popular: { key: 'p.units_sold', order: 'p.units_sold DESC, p.id DESC', compare: '(p.units_sold, p.id) < (#::integer, #)' },
};

/**
 * One page of products in ONE SQL statement: filters, keyset paging, the first image and every
 * variant aggregated as JSON in the database. One round trip per page is what lets the list
 * serve thousands of requests a second (an N+1 list spends its time in round trips).
 */
export async function listProducts(db: Queryable, query: ProductListQuery): Promise<{ products: ListedProduct[]; hasMore: boolean }> {
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  const statuses = query.statuses ?? ['published'];
  where.push(statuses.length === 1 ? `p.status = ${bind(statuses[0])}` : `p.status = ANY(${bind(statuses)}::product_status[])`);
  if (query.sellerId !== undefined) where.push(`p.seller_id = ${bind(query.sellerId)}`);
  if (query.category) {
    const slug = bind(query.category);
    where.push(`p.category_id IN (SELECT c2.id FROM categories c2 LEFT JOIN categories cp ON cp.id = c2.parent_id WHERE c2.slug = ${slug} OR cp.slug = ${slug})`);
  }
  if (query.search) where.push(`p.search @@ websearch_to_tsquery('simple', ${bind(query.search)})`);
  const variantFilters: string[] = [];
  if (query.size) variantFilters.push(`fv.size = ${bind(query.size)}`);
  if (query.colour) variantFilters.push(`lower(fv.colour) = lower(${bind(query.colour)})`);
  if (query.minPrice !== undefined) variantFilters.push(`fv.price_cents >= ${bind(query.minPrice)}`);
  if (query.maxPrice !== undefined) variantFilters.push(`fv.price_cents <= ${bind(query.maxPrice)}`);
  if (variantFilters.length > 0) {
    where.push(`EXISTS (SELECT 1 FROM product_variants fv WHERE fv.product_id = p.id AND ${variantFilters.join(' AND ')})`);
  }
  const ordering = ORDERINGS[query.sort];
  if (query.sort !== 'newest') where.push('p.min_price_cents IS NOT NULL');
  if (query.after) {
    const [key, id] = query.after;
    const keyParam = bind(key);
    const idParam = bind(id);
    let index = 0;
    where.push(ordering.compare.replace(/#/g, () => (index++ === 0 ? keyParam : idParam)));
  }
  const limit = bind(query.limit + 1);
  const sql = `
    SELECT p.id, p.name, p.status, p.seller_id, p.category_id, c.slug AS category_slug, c.name AS category_name,
           p.min_price_cents, p.units_sold, p.rating_count, p.rating_sum, p.created_at,
           img.storage_key AS image_key, img.width AS image_width, ${ordering.key}::text AS sort_key,
           (SELECT json_agg(json_build_object('id', v.id, 'sku', v.sku, 'size', v.size, 'colour', v.colour,
                                              'price', v.price_cents, 'stock', v.stock) ORDER BY v.id)
              FROM product_variants v WHERE v.product_id = p.id) AS variants
      FROM products p
      JOIN categories c ON c.id = p.category_id
      LEFT JOIN LATERAL (SELECT i.storage_key, i.width FROM product_images i WHERE i.product_id = p.id
                          ORDER BY i.position, i.id LIMIT 1) img ON true
     WHERE ${where.join(' AND ')}
     ORDER BY ${ordering.order}
     LIMIT ${limit}`;
  const { rows } = await db.query<ListedRow>(sql, params);
  return {
    products: rows.slice(0, query.limit).map((row) => ({
      id: row.id,
      name: row.name,
      status: row.status,
      sellerId: row.seller_id,
      category: { id: row.category_id, slug: row.category_slug, name: row.category_name },
      minPrice: row.min_price_cents,
      unitsSold: row.units_sold,
      ratingCount: row.rating_count,
      ratingSum: row.rating_sum,
      imageKey: row.image_key,
      imageWidths: row.image_width,
      createdAt: row.created_at,
      variants: row.variants ?? [],
      sortKey: row.sort_key,
    })),
    hasMore: rows.length > query.limit,
  };
}
