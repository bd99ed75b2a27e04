import type { Static } from '@sinclair/typebox';

import {
  countVariants,
  findCategory,
  findProductOwner,
  getProductDetail,
  hasPgCode,
  insertProduct,
  insertVariants,
  PG_ERROR,
  setProductStatus,
  updateProductFields,
  updateVariant,
  withTransaction,
  type Pool,
  type ProductDetail,
  type ProductStatus,
  type VariantInput,
} from '@threadline/db';

import type { SessionUser } from '../auth/session.js';
import { AppError, notFound } from '../errors.js';
import type { CreateProductBody, UpdateProductBody } from './seller.schemas.js';

/** The category named by id or slug, or undefined when neither is given; an unknown one is a 400. */
async function resolveCategory(pool: Pool, body: { categoryId?: number | undefined; category?: string | undefined }): Promise<number | undefined> {
  if (body.categoryId === undefined && body.category === undefined) return undefined;
  const category = await findCategory(pool, { id: body.categoryId, slug: body.category });
  if (!category) throw new AppError('VALIDATION_FAILED', 'no such category', body.categoryId !== undefined ? 'categoryId' : 'category');
  return category.id;
}

/** Size/colour pairs must be unique within a product: name the first repeated one. */
function checkDistinctVariants(variants: readonly { size: string; colour: string }[]): void {
  const seen = new Set<string>();
  variants.forEach((variant, index) => {
    const key = `${variant.size.toLowerCase()}\u0000${variant.colour.toLowerCase()}`;
    if (seen.has(key)) throw new AppError('VALIDATION_FAILED', `size ${variant.size} / colour ${variant.colour} is listed twice`, `variants[${index}]`);
    seen.add(key);
  });
}

function toVariantInput(variant: { size: string; colour: string; price: number; stock: number; sku?: string | undefined }): VariantInput {
  return { size: variant.size, colour: variant.colour, priceCents: variant.price, stock: variant.stock, sku: variant.sku };
}

/** Unique violations of a product write name the field the seller can change. */
function mapVariantConflict(error: unknown): never {
  if (hasPgCode(error, PG_ERROR.UNIQUE_VIOLATION)) {
    const field = error.constraint === 'product_variants_sku_key' ? 'sku' : 'variants';
    throw new AppError('CONFLICT', field === 'sku' ? 'a variant with this SKU already exists' : 'this product already has a variant of that size and colour', field, {
      cause: error,
    });
  }
  throw error;
}

/** Loads a product the user may edit: its seller, or an admin. Others get 404 (not 403) so ids of drafts do not leak. */
export async function loadEditableProduct(pool: Pool, user: SessionUser, productId: number): Promise<{ sellerId: number; status: ProductStatus }> {
  const owner = await findProductOwner(pool, productId);
  if (!owner || (user.role !== 'admin' && owner.sellerId !== user.id)) throw notFound('product', 'id');
  return owner;
}

export async function createProduct(pool: Pool, user: SessionUser, body: Static<typeof CreateProductBody>): Promise<ProductDetail> {
  const categoryId = await resolveCategory(pool, body);
  if (categoryId === undefined) throw new AppError('VALIDATION_FAILED', 'categoryId (or category slug) is required', 'categoryId');
  checkDistinctVariants(body.variants);
  const id = await withTransaction(pool, async (client) => {
    const productId = await insertProduct(client, {
      sellerId: user.id,
      categoryId,
      name: body.name,
      description: body.description ?? '',
      status: body.status ?? 'draft',
    });
    await insertVariants(client, productId, body.variants.map(toVariantInput)).catch(mapVariantConflict);
    return productId;
  });
  const product = await getProductDetail(pool, id);
  if (!product) throw notFound('product', 'id');
  return product;
}

export async function updateProduct(pool: Pool, user: SessionUser, productId: number, body: Static<typeof UpdateProductBody>): Promise<ProductDetail> {
  await loadEditableProduct(pool, user, productId);
  const categoryId = await resolveCategory(pool, body);
  if (body.variants) checkDistinctVariants(body.variants);
  await withTransaction(pool, async (client) => {
    await updateProductFields(client, productId, { name: body.name, description: body.description, categoryId });
    const added: VariantInput[] = [];
    for (const [index, variant] of (body.variants ?? []).entries()) {
      if (variant.id === undefined) {
        added.push(toVariantInput(variant));
        continue;
      }
      const isUpdated = await updateVariant(client, productId, variant.id, toVariantInput(variant)).catch(mapVariantConflict);
      if (!isUpdated) throw new AppError('NOT_FOUND', 'this product has no variant with that id', `variants[${index}].id`);
    }
    await insertVariants(client, productId, added).catch(mapVariantConflict);
    if (body.status !== undefined) await setProductStatus(client, productId, body.status);
  });
  const product = await getProductDetail(pool, productId);
  if (!product) throw notFound('product', 'id');
  return product;
}

/** Publishes or unpublishes; a product needs at least one variant to go on sale. */
export async function changeProductStatus(pool: Pool, productId: number, status: ProductStatus): Promise<ProductDetail> {
  if (status === 'published' && (await countVariants(pool, productId)) === 0) {
    throw new AppError('VALIDATION_FAILED', 'add at least one variant before publishing', 'variants');
  }
  await setProductStatus(pool, productId, status);
  const product = await getProductDetail(pool, productId);
  if (!product) throw notFound('product', 'id');
  return product;
}
