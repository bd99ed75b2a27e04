import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';

import { AUDIT_ACTIONS, countProductImages, deleteProductImage, findVariantColour, insertProductImage, isSellerOfOrder, listOrdersForSeller, listProducts } from '@threadline/db';
import { isMediaError, MAX_IMAGE_BYTES, processAndStoreImage, type StoredImage } from '@threadline/media';
import { transitionOrder } from '@threadline/orders';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { auditRequest } from '../audit/audit.js';
import { currentUser, requireRole } from '../auth/session.js';
import { AppError, notFound } from '../errors.js';
import { LIST_PRESENTATION, presentDetail, presentImage, sendProductPage } from '../catalog/present.js';
import { ProductDetailSchema, ProductListSchema } from '../catalog/catalog.schemas.js';
import { Cursor, decodeTimeCursor, encodeCursor, errors, IdParams, Limit, OkResponse } from '../http/common.schemas.js';
import { OrderPageSchema, OrderSchema, OrderStatusSchema, presentOrder, presentSellerOrder } from '../orders/orders.schemas.js';
import { orderDepsFor } from '../payments/provider-registry.js';
import { changeProductStatus, createProduct, loadEditableProduct, updateProduct } from './products.service.js';
import { CreateProductBody, ImageParams, SellerProductsQuery, UpdateProductBody, UploadedImage } from './seller.schemas.js';

const EMPTY_REVIEWS = { items: [], nextCursor: null };
/** Images per product: enough for a gallery, bounded so one product cannot fill the disk. */
const MAX_IMAGES_PER_PRODUCT = 12;

export async function sellerRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const deps = orderDepsFor(context);
  const sellerOnly = requireRole('seller', 'admin');

  app.get(
    '/api/seller/products',
    {
      preValidation: sellerOnly,
      schema: {
        tags: ['seller'],
        summary: "The signed-in seller's products, every status, newest first",
        querystring: SellerProductsQuery,
        response: { 200: ProductListSchema, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const limit = typeof query.limit === 'number' ? query.limit : 50;
      const page = await listProducts(
        pool,
        {
          sellerId: currentUser(request).id,
          statuses: query.status ? [query.status] : ['draft', 'published', 'unpublished'],
          search: query.q,
          sort: 'newest',
          after: decodeTimeCursor(query.cursor),
          limit,
        },
        LIST_PRESENTATION,
      );
      return sendProductPage(reply, page);
    },
  );

  app.post(
    '/api/seller/products',
    {
      preValidation: sellerOnly,
      schema: {
        tags: ['seller'],
        summary: 'Create a product with its variants (draft unless status is "published")',
        body: CreateProductBody,
        response: { 201: ProductDetailSchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const product = await createProduct(pool, currentUser(request), request.body);
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.PRODUCT_CREATED, target: `product:${product.id}`, details: { variants: product.variants.length, status: product.status } });
      return reply.status(201).send(presentDetail(product, EMPTY_REVIEWS));
    },
  );

  app.patch(
    '/api/seller/products/:id',
    {
      preValidation: sellerOnly,
      schema: {
        tags: ['seller'],
        summary: 'Edit a product: fields, status, and variants (with id: update; without: add)',
        params: IdParams,
        body: UpdateProductBody,
        response: { 200: ProductDetailSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const product = await updateProduct(pool, currentUser(request), request.params.id, request.body);
      // which fields changed, never their values (names and descriptions are free text)
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.PRODUCT_UPDATED, target: `product:${product.id}`, details: { fields: Object.keys(request.body).sort() } });
      return presentDetail(product, EMPTY_REVIEWS);
    },
  );

  for (const [action, status] of [
    ['publish', 'published'],
    ['unpublish', 'unpublished'],
  ] as const) {
    app.post(
      `/api/seller/products/:id/${action}`,
      {
        preValidation: sellerOnly,
        schema: {
          tags: ['seller'],
          summary: `${action === 'publish' ? 'Put a product on sale' : 'Take a product off sale'}`,
          params: IdParams,
          response: { 200: ProductDetailSchema, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        await loadEditableProduct(pool, currentUser(request), request.params.id);
        const product = await changeProductStatus(pool, request.params.id, status);
        const action = status === 'published' ? AUDIT_ACTIONS.PRODUCT_PUBLISHED : AUDIT_ACTIONS.PRODUCT_UNPUBLISHED;
        await auditRequest(pool, request, { action, target: `product:${request.params.id}` });
        return presentDetail(product, EMPTY_REVIEWS);
      },
    );
  }

  // multipart only in this scope: the rest of the API keeps its small JSON body limit
  await app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: MAX_IMAGE_BYTES, files: 1, fields: 4, fieldSize: 1024, parts: 6 } });
    scope.withTypeProvider<TypeBoxTypeProvider>().post(
      '/api/seller/products/:id/images',
      {
        preValidation: sellerOnly,
        bodyLimit: MAX_IMAGE_BYTES + 64 * 1024,
        schema: {
          tags: ['seller'],
          summary: 'Upload a product image (multipart field "image", optional fields "alt" and "colour" — one of the variant colours): validated, stripped, resized to 320/640/1280 WebP',
          consumes: ['multipart/form-data'],
          params: IdParams,
          response: { 201: UploadedImage, ...errors(400, 401, 403, 404, 409, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const productId = request.params.id;
        await loadEditableProduct(pool, currentUser(request), productId);
        if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the image as multipart/form-data', 'image');
        let alt = '';
        let colour: string | undefined;
        let buffer: Buffer | undefined;
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (part.fieldname !== 'image') throw new AppError('VALIDATION_FAILED', 'the file field must be named "image"', part.fieldname);
            buffer = await part.toBuffer();
          } else if (part.fieldname === 'alt') {
            if (typeof part.value !== 'string' || part.value.length > 300) throw new AppError('VALIDATION_FAILED', 'alt must be text of at most 300 characters', 'alt');
            alt = part.value;
          } else if (part.fieldname === 'colour') {
            if (typeof part.value !== 'string' || part.value.length > 40) throw new AppError('VALIDATION_FAILED', 'colour must be text of at most 40 characters', 'colour');
            colour = part.value.trim() || undefined;
          }
        }
        if (!buffer) throw new AppError('VALIDATION_FAILED', 'no file in field "image"', 'image');
        // a colour photo belongs to one of the product's variant colours, spelt as the variant is
        const variantColour = colour === undefined ? undefined : await findVariantColour(pool, productId, colour);
        if (colour !== undefined && variantColour === undefined) {
          throw new AppError('VALIDATION_FAILED', `colour "${colour}" is not a colour of this product's variants`, 'colour');
        }
        if ((await countProductImages(pool, productId)) >= MAX_IMAGES_PER_PRODUCT) {
          throw new AppError('CONFLICT', `a product may have at most ${MAX_IMAGES_PER_PRODUCT} images`, 'image');
        }
        let stored: StoredImage;
        try {
          stored = await processAndStoreImage(context.config.dataDir, buffer, { alt });
        } catch (error) {
          if (isMediaError(error)) throw new AppError(error.code, error.message, 'image', { cause: error });
          throw error;
        }
        const row = await insertProductImage(pool, { productId, key: stored.key, width: stored.width, height: stored.height, alt, colour: variantColour });
        await auditRequest(pool, request, { action: AUDIT_ACTIONS.PRODUCT_IMAGE_ADDED, target: `product:${productId}`, details: { imageId: row.id, colour: variantColour ?? null } });
        const urls = presentImage(stored.key, stored.width);
        return reply.status(201).send({ id: row.id, key: stored.key, ...urls, width: stored.width, height: stored.height, widths: stored.widths, alt, colour: variantColour ?? null, position: row.position });
      },
    );
  });

  app.delete(
    '/api/seller/products/:id/images/:imageId',
    {
      preValidation: sellerOnly,
      schema: { tags: ['seller'], summary: 'Remove an image from a product', params: ImageParams, response: { 200: OkResponse, ...errors(400, 401, 403, 404) } },
    },
    async (request) => {
      await loadEditableProduct(pool, currentUser(request), request.params.id);
      if (!(await deleteProductImage(pool, request.params.id, request.params.imageId))) throw notFound('image', 'imageId');
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.PRODUCT_IMAGE_REMOVED, target: `product:${request.params.id}`, details: { imageId: request.params.imageId } });
      return { ok: true };
    },
  );

  app.get(
    '/api/seller/orders',
    {
      preValidation: sellerOnly,
      schema: {
        tags: ['seller'],
        summary: "Orders containing the seller's items (only those items); admins see every order",
        querystring: Type.Object(
          {
            status: Type.Optional(OrderStatusSchema),
            cursor: Type.Optional(Cursor),
            limit: Type.Optional(Limit(50, 100)),
          },
          { additionalProperties: false },
        ),
        response: { 200: OrderPageSchema, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const limit = typeof request.query.limit === 'number' ? request.query.limit : 50;
      const page = await listOrdersForSeller(pool, user.role === 'admin' ? null : user.id, {
        after: decodeTimeCursor(request.query.cursor),
        limit,
        status: request.query.status,
      });
      const last = page.orders.at(-1);
      return {
        // a seller sees their own lines and their subtotal only; admins see whole orders
        items: page.orders.map((order) => (user.role === 'admin' ? presentOrder(order, page.buyers.get(order.id)) : presentSellerOrder(order, page.buyers.get(order.id)))),
        nextCursor: page.hasMore && last ? encodeCursor(last.placedKey, last.id) : null,
      };
    },
  );

  for (const [action, status] of [
    ['ship', 'shipped'],
    ['deliver', 'delivered'],
    ['refund', 'refunded'],
    ['cancel', 'cancelled'],
  ] as const) {
    app.post(
      `/api/seller/orders/:id/${action}`,
      {
        preValidation: sellerOnly,
        schema: {
          tags: ['seller'],
          summary: `Mark an order ${status} (a seller of one of its items, or an admin)`,
          params: IdParams,
          response: { 200: OrderSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const user = currentUser(request);
        const orderId = request.params.id;
        if (user.role !== 'admin' && !(await isSellerOfOrder(pool, orderId, user.id))) throw notFound('order', 'id');
        const kind = user.role === 'admin' ? 'admin' : 'seller';
        const order = await transitionOrder(deps, orderId, status, { kind, userId: user.id });
        const action = status === 'refunded' ? AUDIT_ACTIONS.ORDER_REFUNDED : AUDIT_ACTIONS.ORDER_STATUS_CHANGED;
        await auditRequest(pool, request, { action, target: `order:${orderId}`, details: { to: status, as: kind } });
        return user.role === 'admin' ? presentOrder(order) : presentSellerOrder({ ...order, items: order.items.filter((item) => item.sellerId === user.id) });
      },
    );
  }
}
