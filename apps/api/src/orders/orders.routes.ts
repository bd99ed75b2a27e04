import { AUDIT_ACTIONS, getOrder, isSellerOfOrder, listOrdersForUser } from '@threadline/db';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { auditRequest } from '../audit/audit.js';
import { currentUser, requireRole } from '../auth/session.js';
import { AppError, notFound } from '../errors.js';
import { decodeTimeCursor, encodeCursor, errors, IdParams } from '../http/common.schemas.js';
import { paymentProviderFor } from '../payments/provider-registry.js';
import { IdempotencyHeaders, OrderListQuery, OrderPageSchema, OrderSchema, PayBody, PayResponse, presentOrder } from './orders.schemas.js';
import { payOrder, placeOrder, transitionOrder } from './orders.service.js';

export async function ordersRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const provider = paymentProviderFor(context);
  const signedIn = requireRole();

  // abandoned checkouts give their stock back in the worker (apps/worker/src/services/housekeeping.ts)

  app.post(
    '/api/orders',
    {
      preValidation: signedIn,
      schema: {
        tags: ['orders'],
        summary: 'Place an order from the cart, reserving stock (send an Idempotency-Key to make retries safe)',
        headers: IdempotencyHeaders,
        response: { 201: OrderSchema, ...errors(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const key = request.headers['idempotency-key'] ?? null;
      const { order, isReplay } = await placeOrder(pool, user.id, key, context.config.currency);
      if (isReplay) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(presentOrder(order));
    },
  );

  app.get(
    '/api/orders',
    {
      preValidation: signedIn,
      schema: {
        tags: ['orders'],
        summary: "The signed-in customer's orders, newest first",
        querystring: OrderListQuery,
        response: { 200: OrderPageSchema, ...errors(400, 401) },
      },
    },
    async (request) => {
      const limit = typeof request.query.limit === 'number' ? request.query.limit : 20;
      const page = await listOrdersForUser(pool, currentUser(request).id, { after: decodeTimeCursor(request.query.cursor), limit });
      const last = page.orders.at(-1);
      return { items: page.orders.map((order) => presentOrder(order)), nextCursor: page.hasMore && last ? encodeCursor(last.placedKey, last.id) : null };
    },
  );

  app.get(
    '/api/orders/:id',
    {
      preValidation: signedIn,
      schema: {
        tags: ['orders'],
        summary: 'One order (its buyer, a seller of one of its items, or an admin)',
        params: IdParams,
        response: { 200: OrderSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const order = await getOrder(pool, request.params.id);
      const isAllowed =
        order !== null &&
        (order.userId === user.id || user.role === 'admin' || (user.role === 'seller' && (await isSellerOfOrder(pool, order.id, user.id))));
      if (!order || !isAllowed) throw notFound('order', 'id');
      return presentOrder(order);
    },
  );

  app.post(
    '/api/orders/:id/pay',
    {
      preValidation: signedIn,
      schema: {
        tags: ['orders'],
        summary: 'Pay a pending order by card through the payment provider (test cards: 4242424242424242 ok, 4000000000000002 declined)',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: PayBody,
        response: { 200: PayResponse, ...errors(400, 401, 402, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      const key = request.headers['idempotency-key'] ?? null;
      const outcome = await payOrder(pool, provider, user.id, request.params.id, request.body.card, key, context.config.currency);
      if (outcome.status !== 'paid') {
        if (outcome.status === 'declined') throw new AppError('PAYMENT_DECLINED', `payment declined: ${outcome.message}`, 'card.number');
        throw new AppError('PAYMENT_RETRY', `payment not completed: ${outcome.message}`, 'card.number');
      }
      if (outcome.isReplay) void reply.header('idempotent-replayed', 'true');
      else {
        // the sale enters the clickstream from here, never from the browser (which could forge it)
        const paid = await getOrder(pool, request.params.id);
        if (paid) await context.serverEvents?.orderPaid(request, { id: paid.id, userId: user.id, totalCents: paid.totalCents, currency: paid.currency });
      }
      return { status: 'paid' as const, orderId: request.params.id, payment: { brand: outcome.brand, last4: outcome.last4 } };
    },
  );

  app.post(
    '/api/orders/:id/cancel',
    {
      preValidation: signedIn,
      schema: {
        tags: ['orders'],
        summary: 'Cancel an own order before it ships (stock returns; a paid order is refunded)',
        params: IdParams,
        response: { 200: OrderSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const user = currentUser(request);
      const order = await getOrder(pool, request.params.id);
      if (!order || order.userId !== user.id) throw notFound('order', 'id');
      const cancelled = await transitionOrder(pool, provider, order.id, 'cancelled', { kind: 'customer', userId: user.id });
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.ORDER_STATUS_CHANGED, target: `order:${order.id}`, details: { to: 'cancelled', as: 'customer' } });
      return presentOrder(cancelled);
    },
  );
}
