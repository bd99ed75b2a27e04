import type { Queryable } from '../pool.js';

export type ProductStatus = 'draft' | 'published' | 'unpublished';

export interface VariantInput {
  size: string;
  colour: string;
  priceCents: number;
  stock: number;
  sku?: string | undefined;
}

export interface ProductDetail {
  id: number;
  name: string;
  description: string;
  status: ProductStatus;
  seller: { id: number; name: string };
  category: { id: number; slug: string; name: string };
  unitsSold: number;
  ratingCount: number;
  ratingSum: number;
  publishedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  variants: { id: number; sku: string; size: string; colour: string; price: number; stock: number }[];
  /** `colour`: the variant colour the photo shows; null for a photo of any colour. */
  images: { id: number; key: string; width: number; height: number; alt: string; position: number; colour: string | null }[];
}

interface DetailRow {
  id: number;
  name: string;
  description: string;
  status: ProductStatus;
  seller_id: number;
  seller_name: string;
  category_id: number;
  category_slug: string;
  category_name: string;
  units_sold: number;
  rating_count: number;
  rating_sum: number;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  variants: ProductDetail['variants'] | null;
  images: ProductDetail['images'] | null;
}

/** A product with its variants and images, in one statement. */
export async function getProductDetail(db: Queryable, id: number): Promise<ProductDetail | null> {
  const { rows } = await db.query<DetailRow>(
    `SELECT p.id, p.name, p.description, p.status, p.seller_id, u.name AS seller_name,
            p.category_id, c.slug AS category_slug, c.name AS category_name,
            p.units_sold, p.rating_count, p.rating_sum, p.published_at, p.created_at, p.updated_at,
            (SELECT json_agg(json_build_object('id', v.id, 'sku', v.sku, 'size', v.size, 'colour', v.colour,
                                               'price', v.price_cents, 'stock', v.stock) ORDER BY v.id)
               FROM product_variants v WHERE v.product_id = p.id) AS variants,
            (SELECT json_agg(json_build_object('id', i.id, 'key', i.storage_key, 'width', i.width, 'height', i.height,
                                               'alt', i.alt, 'position', i.position, 'colour', i.colour) ORDER BY i.position, i.id)
               FROM product_images i WHERE i.product_id = p.id) AS images
       FROM products p
       JOIN users u ON u.id = p.seller_id
       JOIN categories c ON c.id = p.category_id
      WHERE p.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    seller: { id: row.seller_id, name: row.seller_name },
    category: { id: row.category_id, slug: row.category_slug, name: row.category_name },
    unitsSold: row.units_sold,
    ratingCount: row.rating_count,
    ratingSum: row.rating_sum,
    publishedAt: row.published_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    variants: row.variants ?? [],
    images: row.images ?? [],
  };
}

/** Owner and status of a product, for permission checks. */
export async function findProductOwner(db: Queryable, id: number): Promise<{ sellerId: number; status: ProductStatus } | null> {
  const { rows } = await db.query<{ seller_id: number; status: ProductStatus }>('SELECT seller_id, status FROM products WHERE id = $1', [id]);
  const row = rows[0];
  return row ? { sellerId: row.seller_id, status: row.status } : null;
}

export async function insertProduct(
  db: Queryable,
  product: { sellerId: number; categoryId: number; name: string; description: string; status: ProductStatus },
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO products (seller_id, category_id, name, description, status, published_at)
     VALUES ($1, $2, $3, $4, $5::product_status, CASE WHEN $5::product_status = 'published' THEN now() END) RETURNING id`,
    [product.sellerId, product.categoryId, product.name, product.description, product.status],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('INSERT … RETURNING returned no row');
  return id;
}

/** A SKU for a variant that was given none: product id, size and colour, readable in a warehouse. */
function defaultSku(productId: number, variant: VariantInput): string {
  const part = (text: string): string => text.toUpperCase().replace(/[^A-Z0-9]+/g, '').slice(0, 8) || 'X';
  return `P${productId}-${part(variant.size)}-${part(variant.colour)}`;
}

/** Inserts variants in one statement (size/colour pairs are unique per product). */
export async function insertVariants(db: Queryable, productId: number, variants: readonly VariantInput[]): Promise<void> {
  if (variants.length === 0) return;
  await db.query(
    `INSERT INTO product_variants (product_id, sku, size, colour, price_cents, stock)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::integer[], $6::integer[])`,
    [
      productId,
      variants.map((variant) => variant.sku ?? defaultSku(productId, variant)),
      variants.map((variant) => variant.size),
      variants.map((variant) => variant.colour),
      variants.map((variant) => variant.priceCents),
      variants.map((variant) => variant.stock),
    ],
  );
}

/** Updates one variant of a product; false when the variant is not the product's. */
export async function updateVariant(db: Queryable, productId: number, variantId: number, variant: VariantInput): Promise<boolean> {
  const result = await db.query(
    `UPDATE product_variants SET size = $3, colour = $4, price_cents = $5, stock = $6, sku = COALESCE($7, sku)
      WHERE id = $2 AND product_id = $1`,
    [productId, variantId, variant.size, variant.colour, variant.priceCents, variant.stock, variant.sku ?? null],
  );
  return result.rowCount === 1;
}

export async function updateProductFields(
  db: Queryable,
  id: number,
  fields: { name?: string | undefined; description?: string | undefined; categoryId?: number | undefined },
): Promise<void> {
  await db.query(
    `UPDATE products SET name = COALESCE($2, name), description = COALESCE($3, description), category_id = COALESCE($4, category_id)
      WHERE id = $1`,
    [id, fields.name ?? null, fields.description ?? null, fields.categoryId ?? null],
  );
}

export async function setProductStatus(db: Queryable, id: number, status: ProductStatus): Promise<boolean> {
  const result = await db.query(
    `UPDATE products SET status = $2::product_status,
            published_at = CASE WHEN $2::product_status = 'published' THEN COALESCE(published_at, now()) ELSE published_at END
      WHERE id = $1`,
    [id, status],
  );
  return result.rowCount === 1;
}

export async function countVariants(db: Queryable, productId: number): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::integer AS count FROM product_variants WHERE product_id = $1', [productId]);
  return rows[0]?.count ?? 0;
}

export async function insertProductImage(
  db: Queryable,
  image: { productId: number; key: string; width: number; height: number; alt: string; colour?: string | null | undefined },
): Promise<{ id: number; position: number }> {
  const { rows } = await db.query<{ id: number; position: number }>(
    `INSERT INTO product_images (product_id, position, storage_key, width, height, alt, colour)
     VALUES ($1, (SELECT COALESCE(max(position) + 1, 0) FROM product_images WHERE product_id = $1), $2, $3, $4, $5, $6)
     RETURNING id, position`,
    [image.productId, image.key, image.width, image.height, image.alt, image.colour ?? null],
  );
  const row = rows[0];
  if (!row) throw new Error('INSERT … RETURNING returned no row');
  return row;
}

/** The product's variant colour matching `colour` case-insensitively, spelt as the variant is. */
export async function findVariantColour(db: Queryable, productId: number, colour: string): Promise<string | undefined> {
  const { rows } = await db.query<{ colour: string }>(
    'SELECT colour FROM product_variants WHERE product_id = $1 AND lower(colour) = lower($2) ORDER BY id LIMIT 1',
    [productId, colour],
  );
  return rows[0]?.colour;
}

export async function deleteProductImage(db: Queryable, productId: number, imageId: number): Promise<boolean> {
  const result = await db.query('DELETE FROM product_images WHERE id = $1 AND product_id = $2', [imageId, productId]);
  return result.rowCount === 1;
}

export async function countProductImages(db: Queryable, productId: number): Promise<number> {
  const { rows } = await db.query<{ count: number }>('SELECT count(*)::integer AS count FROM product_images WHERE product_id = $1', [productId]);
  return rows[0]?.count ?? 0;
}
