import { Type } from '@sinclair/typebox';

import { findProductOwner, hasBought, hasPgCode, findReviewableOrderItem, insertReview, PG_ERROR, withTransaction } from '@threadline/db';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { currentUser, requireRole } from '../auth/session.js';
import { AppError, notFound } from '../errors.js';
import { ReviewSchema } from '../catalog/catalog.schemas.js';
import { errors, Id, IdParams } from '../http/common.schemas.js';

const ReviewBody = Type.Object(
  {
    rating: Type.Integer({ minimum: 1, maximum: 5 }),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    body: Type.String({ minLength: 1, maxLength: 5000 }),
    orderItemId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

export async function reviewsRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;

  app.post(
    '/api/products/:id/reviews',
    {
      preValidation: requireRole(),
      schema: {
        tags: ['reviews'],
        summary: 'Review a product you bought (1–5 stars and text; one review per order line)',
        params: IdParams,
        body: ReviewBody,
        response: { 201: ReviewSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const productId = request.params.id;
      const product = await findProductOwner(pool, productId);
      if (!product) throw notFound('product', 'id');
      const body = request.body;
      const orderItemId = await findReviewableOrderItem(pool, user.id, productId, body.orderItemId);
      if (orderItemId === null) {
        if (await hasBought(pool, user.id, productId)) {
          throw new AppError('ALREADY_REVIEWED', 'you have already reviewed every purchase of this product', body.orderItemId ? 'orderItemId' : undefined);
        }
        throw new AppError('REVIEW_NOT_ALLOWED', 'only customers who bought this product can review it');
      }
      try {
        const created = await withTransaction(pool, (client) =>
          insertReview(client, { orderItemId, productId, userId: user.id, rating: body.rating, title: body.title ?? null, body: body.body }),
        );
        return reply.status(201).send({
          id: created.id,
          productId,
          orderItemId,
          rating: body.rating,
          title: body.title ?? null,
          body: body.body,
          authorName: user.name,
          createdAt: created.createdAt.toISOString(),
        });
      } catch (error) {
        // two concurrent reviews of one order line: the UNIQUE(order_item_id) decides
        if (hasPgCode(error, PG_ERROR.UNIQUE_VIOLATION)) throw new AppError('ALREADY_REVIEWED', 'this purchase has already been reviewed', 'orderItemId', { cause: error });
        throw error;
      }
    },
  );
}
