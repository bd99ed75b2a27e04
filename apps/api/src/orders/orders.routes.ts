import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';

import { AUDIT_ACTIONS, findAddress, findCartId, findGuestTokenHash, getCartLines, getOrder, insertAddress, isSellerOfOrder, listOrdersForUser, withTransaction } from '@threadline/db';
import { SHIPPING_COUNTRIES, subdivisionCode, type Address } from '@threadline/domain';
import { canAccessOrder, payOrder, placeOrder, quoteCheckout, transitionOrder, type Buyer, type OrderAccess } from '@threadline/orders';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { auditRequest } from '../audit/audit.js';
import { currentUser, requireRole } from '../auth/session.js';
import { AppError, notFound } from '../errors.js';
import { decodeTimeCursor, encodeCursor, errors, IdParams } from '../http/common.schemas.js';
import { orderDepsFor } from '../payments/provider-registry.js';
import {
  IdempotencyHeaders,
  OrderListQuery,
  OrderPageSchema,
  OrderSchema,
  PayBody,
  PayResponse,
  PlaceOrderBody,
  presentOrder,
  presentQuote,
  presentSellerOrder,
  QuoteBody,
  QuoteSchema,
} from './orders.schemas.js';
import { requireAddress } from './require-address.js';

const OrderTokenHeaders = Type.Object({
  'x-order-token': Type.Optional(Type.String({ minLength: 20, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'a guest order token (from the answer that placed it)' })),
});
const PayHeaders = Type.Intersect([IdempotencyHeaders, OrderTokenHeaders]);

/** The caller's right to an order: the signed-in account, else a guest token header. */
function accessOf(request: FastifyRequest, token: string | undefined): OrderAccess {
  const user = request.session?.user;
  if (user) return { userId: user.id };
  if (token) return { guestToken: token };
  throw new AppError('UNAUTHENTICATED', 'sign in, or send the guest order token in x-order-token');
}

export async function ordersRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;
  const deps = orderDepsFor(context);
  const signedIn = requireRole();

  // abandoned checkouts give their stock back in the worker (apps/worker/src/services/housekeeping.ts)

  app.post(
    '/api/checkout/quote',
    {
      // ends no session and changes no account: the session cache is kept (auth/session-cache.ts)
      config: { keepsSessions: true, leavesCatalog: true },
      schema: {
        tags: ['orders'],
        summary: "Price the session's cart for a destination: shipping methods that go there, the chosen one, tax lines and total",
        body: QuoteBody,
        response: { 200: QuoteSchema, ...errors(400, 403) },
      },
    },
    async (request) => {
      const session = request.session;
      const owner = session?.user ? { userId: session.user.id } : session ? { sessionIdHash: session.idHash } : null;
      const cartId = owner ? await findCartId(pool, owner) : null;
      const lines = cartId === null ? [] : await getCartLines(pool, cartId);
      const country = request.body.address.country.toUpperCase();
      if (!SHIPPING_COUNTRIES[country]) throw new AppError('VALIDATION_FAILED', 'choose a country the shop ships to', 'address.country');
      // a partial address is enough for a quote: the region only matters where tax depends on it
      const typed = request.body.address.region?.trim() ?? '';
      const region = typed === '' ? null : (subdivisionCode(country, typed) ?? typed);
      const quote = await quoteCheckout(pool, { lines, place: { country, region }, methodCode: request.body.shippingMethod });
      return presentQuote(quote);
    },
  );

  app.post(
    '/api/orders',
    {
      // ends no session and changes no account: the session cache is kept (auth/session-cache.ts)
      config: { keepsSessions: true },
      schema: {
        tags: ['orders'],
        summary:
          'Place an order from the cart with a ship-to address and shipping method, reserving stock. Signed in: the account buys (address or addressId). Signed out: guest checkout with email; the answer carries guestToken. Send an Idempotency-Key to make retries safe.',
        headers: IdempotencyHeaders,
        body: PlaceOrderBody,
        response: { 201: OrderSchema, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const session = request.session;
      // unreachable behind the CSRF check (which needs a session); kept for direct callers
      if (!session) throw new AppError('UNAUTHENTICATED', 'fetch GET /api/auth/csrf first to start a session');
      const body = request.body;
      const user = session.user;
      let buyer: Buyer;
      let address: Address;
      if (user) {
        buyer = { kind: 'user', userId: user.id };
        if (body.addressId !== undefined) {
          const saved = await findAddress(pool, user.id, body.addressId);
          if (!saved) throw notFound('address', 'addressId');
          address = requireAddress(saved);
        } else if (body.address) {
          address = requireAddress(body.address);
        } else throw new AppError('VALIDATION_FAILED', 'give the ship-to address (address) or a saved one (addressId)', 'address');
      } else {
        if (!body.email) throw new AppError('VALIDATION_FAILED', 'enter your e-mail address for the order confirmation (or sign in)', 'email');
        if (!body.address) throw new AppError('VALIDATION_FAILED', 'give the ship-to address', 'address');
        if (body.addressId !== undefined) throw new AppError('VALIDATION_FAILED', 'saved addresses need an account: sign in or send address', 'addressId');
        address = requireAddress(body.address);
        buyer = { kind: 'guest', email: body.email.trim(), sessionIdHash: session.idHash };
      }
      const key = request.headers['idempotency-key'] ?? null;
      const { order, isReplay, guestToken } = await placeOrder(pool, deps.provider, { buyer, address, methodCode: body.shippingMethod, idempotencyKey: key, currency: context.config.currency });
      if (user && body.saveAddress && body.address && !isReplay) {
        // keeping the address is a convenience: a full address book does not fail the order
        await withTransaction(pool, (client) => insertAddress(client, user.id, { ...address }, false));
      }
      if (isReplay) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).send({ ...presentOrder(order), ...(guestToken ? { guestToken } : {}) });
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
      schema: {
        tags: ['orders'],
        summary: "One order: its buyer (account, or guest with x-order-token), an admin, or a seller of one of its items (that seller's lines only)",
        params: IdParams,
        headers: OrderTokenHeaders,
        response: { 200: OrderSchema, ...errors(400, 401, 404) },
      },
    },
    async (request) => {
      const access = accessOf(request, request.headers['x-order-token']);
      const user = request.session?.user ?? null;
      const order = await getOrder(pool, request.params.id);
      if (!order) throw notFound('order', 'id');
      if (user?.role === 'admin') return presentOrder(order);
      if ('userId' in access && order.userId === access.userId) return presentOrder(order);
      if ('guestToken' in access && canAccessOrder({ userId: order.userId, guestTokenHash: await findGuestTokenHash(pool, order.id) }, access)) return presentOrder(order);
      if (user?.role === 'seller' && (await isSellerOfOrder(pool, order.id, user.id))) {
        return presentSellerOrder({ ...order, items: order.items.filter((item) => item.sellerId === user.id) });
      }
      throw notFound('order', 'id');
    },
  );

  app.post(
    '/api/orders/:id/pay',
    {
      // ends no session and changes no account: the session cache is kept (auth/session-cache.ts)
      config: { keepsSessions: true },
      schema: {
        tags: ['orders'],
        summary:
          'Pay a pending order by card (its account, or a guest with x-order-token). A decline leaves the order payable and the cart as it was. Test cards: 4242424242424242 ok, 4000000000000002 declined',
        params: IdParams,
        headers: PayHeaders,
        body: PayBody,
        response: { 200: PayResponse, ...errors(400, 401, 402, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const access = accessOf(request, request.headers['x-order-token']);
      const key = request.headers['idempotency-key'] ?? null;
      const outcome = await payOrder(deps, { access, orderId: request.params.id, card: request.body.card, idempotencyKey: key, currency: context.config.currency });
      if (outcome.status !== 'paid') {
        if (outcome.status === 'declined') throw new AppError('PAYMENT_DECLINED', `payment declined: ${outcome.message}`, 'card.number');
        throw new AppError('PAYMENT_RETRY', `payment not completed: ${outcome.message}`, 'card.number');
      }
      if (outcome.isReplay) void reply.header('idempotent-replayed', 'true');
      else {
        // the sale enters the clickstream from here, never from the browser (which could forge it)
        // the order as read under the payment's lock: no read after the commit
        await context.serverEvents?.orderPaid(request, outcome.order);
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
      const cancelled = await transitionOrder(deps, order.id, 'cancelled', { kind: 'customer', userId: user.id });
      await auditRequest(pool, request, { action: AUDIT_ACTIONS.ORDER_STATUS_CHANGED, target: `order:${order.id}`, details: { to: 'cancelled', as: 'customer' } });
      return presentOrder(cancelled);
    },
  );
}
