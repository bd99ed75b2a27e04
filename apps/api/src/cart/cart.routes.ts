import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';

import { CartSchema } from '@threadline/contracts';
import { addCartLine, findCartId, findVariantForCart, getCartLines, getLineQuantity, removeLine, setLineQuantity, type CartLine, type CartOwner, type Pool } from '@threadline/db';
import { MAX_LINE_QUANTITY, mergeLineQuantity, priceCart, stockState } from '@threadline/domain';

import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { presentImage } from '../catalog/present.js';
import { errors, Id } from '../http/common.schemas.js';

const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QUANTITY });
const AddBody = Type.Object({ variantId: Id, quantity: Quantity }, { additionalProperties: false });
const SetBody = Type.Object({ quantity: Quantity }, { additionalProperties: false });
const VariantParams = Type.Object({ variantId: Id });

/** The cart owner of a request: the user when signed in, else the anonymous session. */
function ownerOf(request: FastifyRequest): CartOwner | null {
  const session = request.session;
  if (!session) return null;
  return session.user ? { userId: session.user.id } : { sessionIdHash: session.idHash };
}

function requireOwner(request: FastifyRequest): CartOwner {
  const owner = ownerOf(request);
  // unreachable behind the CSRF check (which needs a session); kept for direct callers
  if (!owner) throw new AppError('UNAUTHENTICATED', 'fetch GET /api/auth/csrf first to start a session');
  return owner;
}

async function loadCart(pool: Pool, owner: CartOwner | null): Promise<Static<typeof CartSchema>> {
  return presentCart(pool, owner ? await findCartId(pool, owner) : null);
}

async function presentCart(pool: Pool, cartId: number | null): Promise<Static<typeof CartSchema>> {
  return presentLines(cartId === null ? [] : await getCartLines(pool, cartId));
}

function presentLines(lines: readonly CartLine[]): Static<typeof CartSchema> {
  const totals = priceCart(lines);
  return {
    items: lines.map((line) => ({
      variantId: line.variantId,
      productId: line.productId,
      name: line.productName,
      sku: line.sku,
      size: line.size,
      colour: line.colour,
      price: line.unitPriceCents,
      quantity: line.quantity,
      lineTotal: line.unitPriceCents * line.quantity,
      stock: line.stock,
      stockState: stockState(line.stock),
      isAvailable: line.productStatus === 'published' && line.quantity <= line.stock,
      // list thumbnails use the 320 px copy, which every stored image has at or below
      image: line.imageKey ? presentImage(line.imageKey, 320) : null,
    })),
    count: lines.reduce((sum, line) => sum + line.quantity, 0),
    subtotal: totals.subtotalCents,
    shipping: totals.shippingCents,
    total: totals.totalCents,
  };
}

/** Throws unless the variant exists, is on sale, and has `quantity` in stock. */
function checkAddable(variant: { stock: number; productStatus: string } | null, quantity: number): void {
  if (!variant || variant.productStatus !== 'published') throw notFound('variant', 'variantId');
  if (variant.stock < quantity) throw new AppError('OUT_OF_STOCK', `only ${variant.stock} left of this variant`, 'quantity');
}

/** A variant that can go in a cart: exists, is on sale, and has `quantity` in stock. */
async function checkVariant(pool: Pool, variantId: number, quantity: number): Promise<void> {
  checkAddable(await findVariantForCart(pool, variantId), quantity);
}

export async function cartRoutes(app: ApiApp, context: ApiContext): Promise<void> {
  const { pool } = context;

  app.get(
    '/api/cart',
    { schema: { tags: ['cart'], summary: "The session's cart (the user's when signed in)", response: { 200: CartSchema } } },
    async (request) => loadCart(pool, ownerOf(request)),
  );

  app.post(
    '/api/cart/items',
    {
      // a cart change ends no session: the session cache is kept (auth/session-cache.ts)
      config: { keepsSessions: true, leavesCatalog: true },
      schema: {
        tags: ['cart'],
        summary: 'Add a variant to the cart (quantities of the same variant add up, to 99)',
        body: AddBody,
        response: { 200: CartSchema, ...errors(400, 403, 404, 409) },
      },
    },
    async (request) => {
      const owner = requireOwner(request);
      const { variantId, quantity } = request.body;
      // one statement and one commit: the line is written only when the variant is on sale and in
      // stock for the new total; otherwise the variant as it stood says why (the same rule)
      const added = await addCartLine(pool, owner, { variantId, quantity, maxLineQuantity: MAX_LINE_QUANTITY });
      checkAddable(added.variant, mergeLineQuantity(added.variant?.inCart ?? 0, quantity));
      // unreachable while the statement's condition and checkAddable agree
      if (!added.cart) throw new AppError('CONFLICT', 'the cart changed meanwhile; try again');
      return presentLines(added.cart.lines);
    },
  );

  app.patch(
    '/api/cart/items/:variantId',
    {
      // a cart change ends no session: the session cache is kept (auth/session-cache.ts)
      config: { keepsSessions: true, leavesCatalog: true },
      schema: {
        tags: ['cart'],
        summary: 'Set the quantity of a cart line',
        params: VariantParams,
        body: SetBody,
        response: { 200: CartSchema, ...errors(400, 403, 404, 409) },
      },
    },
    async (request) => {
      const owner = requireOwner(request);
      const cartId = await findCartId(pool, owner);
      if (cartId === null || (await getLineQuantity(pool, cartId, request.params.variantId)) === 0) throw notFound('cart line', 'variantId');
      await checkVariant(pool, request.params.variantId, request.body.quantity);
      await setLineQuantity(pool, cartId, request.params.variantId, request.body.quantity);
      return loadCart(pool, owner);
    },
  );

  app.delete(
    '/api/cart/items/:variantId',
    {
      // a cart change ends no session: the session cache is kept (auth/session-cache.ts)
      config: { keepsSessions: true, leavesCatalog: true },
      schema: { tags: ['cart'], summary: 'Remove a line from the cart', params: VariantParams, response: { 200: CartSchema, ...errors(400, 403, 404) } },
    },
    async (request) => {
      const owner = requireOwner(request);
      const cartId = await findCartId(pool, owner);
      if (cartId === null || !(await removeLine(pool, cartId, request.params.variantId))) throw notFound('cart line', 'variantId');
      return loadCart(pool, owner);
    },
  );
}
