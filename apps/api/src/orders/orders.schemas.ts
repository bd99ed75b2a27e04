import { Type, type Static } from '@sinclair/typebox';

import { OrderSchema, QuoteSchema } from '@threadline/contracts';

// the response schemas live in @threadline/contracts, shared with the web client's types
export { OrderItemSchema, OrderSchema, OrderStatusSchema, QuoteSchema, ShippingOptionSchema, ShipToSchema, TaxLineSchema } from '@threadline/contracts';

import type { OrderRecord } from '@threadline/db';
import type { CheckoutQuote } from '@threadline/domain';

import { EMAIL_PATTERN } from '../auth/auth.schemas.js';
import { Cursor, Limit } from '../http/common.schemas.js';


export const OrderPageSchema = Type.Object({ items: Type.Array(OrderSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const OrderListQuery = Type.Object({ cursor: Type.Optional(Cursor), limit: Type.Optional(Limit(20, 100)) }, { additionalProperties: false });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$' })),
});

export const PayBody = Type.Object(
  {
    card: Type.Object(
      {
        number: Type.String({ minLength: 1, maxLength: 32 }),
        expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
        expYear: Type.Integer({ minimum: 0, maximum: 9999 }),
        cvc: Type.String({ minLength: 1, maxLength: 8 }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export const PayResponse = Type.Object({
  status: Type.Literal('paid'),
  orderId: Type.Integer(),
  payment: Type.Object({ brand: Type.Union([Type.String(), Type.Null()]), last4: Type.Union([Type.String(), Type.Null()]) }),
});

function iso(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export function presentOrder(order: OrderRecord, buyer?: { name: string; email: string }): Static<typeof OrderSchema> {
  return {
    id: order.id,
    // the database enum and the schema list the same six statuses
    status: order.status,
    currency: order.currency,
    subtotal: order.subtotalCents,
    shipping: order.shippingCents,
    total: order.totalCents,
    placedAt: order.placedAt.toISOString(),
    paidAt: iso(order.paidAt),
    shippedAt: iso(order.shippedAt),
    deliveredAt: iso(order.deliveredAt),
    cancelledAt: iso(order.cancelledAt),
    refundedAt: iso(order.refundedAt),
    items: order.items.map((item) => ({
      id: item.id,
      productId: item.productId,
      variantId: item.variantId,
      productName: item.productName,
      size: item.size,
      colour: item.colour,
      quantity: item.quantity,
      unitPrice: item.unitPriceCents,
      lineTotal: item.unitPriceCents * item.quantity,
    })),
    tax: order.taxCents,
    taxLines: order.taxLines.map((line) => ({ label: line.label, rate: line.ratePpm / 10_000, amount: line.amountCents })),
    shippingMethod: order.shippingMethod,
    shipTo: order.shipTo,
    scope: 'order',
    isGuest: order.userId === null && order.guestEmail !== null,
    ...(buyer ? { buyer } : {}),
  };
}

export const AddressSchema = Type.Object(
  {
    recipientName: Type.String({ minLength: 1, maxLength: 100 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    region: Type.Optional(Type.Union([Type.String({ maxLength: 100, description: 'US state / Canadian province code (CA, ON); free text elsewhere' }), Type.Null()])),
    postalCode: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    country: Type.String({ minLength: 2, maxLength: 2, description: 'ISO 3166-1 alpha-2' }),
    phone: Type.Optional(Type.Union([Type.String({ maxLength: 40 }), Type.Null()])),
  },
  { additionalProperties: false, $id: 'AddressInput' },
);

export const PlaceOrderBody = Type.Object(
  {
    /** Guests only: where the confirmation goes. Signed-in buyers use their account's e-mail. */
    email: Type.Optional(Type.String({ minLength: 3, maxLength: 254, pattern: EMAIL_PATTERN })),
    address: Type.Optional(AddressSchema),
    /** A signed-in buyer's saved address instead of `address`. */
    addressId: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Signed-in buyers: also keep `address` in the address book. */
    saveAddress: Type.Optional(Type.Boolean()),
    shippingMethod: Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9_-]+$' }),
  },
  { additionalProperties: false },
);

export const QuoteBody = Type.Object(
  {
    address: Type.Object(
      {
        country: Type.String({ minLength: 2, maxLength: 2 }),
        region: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
      },
      { additionalProperties: true },
    ),
    shippingMethod: Type.Optional(Type.String({ minLength: 1, maxLength: 40, pattern: '^[a-z0-9_-]+$' })),
  },
  { additionalProperties: false },
);

export function presentQuote(quote: CheckoutQuote): Static<typeof QuoteSchema> {
  return {
    subtotal: quote.subtotalCents,
    shipping: quote.shippingCents,
    tax: quote.taxCents,
    taxLines: quote.taxLines.map((line) => ({ label: line.label, rate: line.ratePpm / 10_000, amount: line.amountCents })),
    total: quote.totalCents,
    shippingMethod: quote.method?.code ?? null,
    options: quote.options.map((option) => ({
      code: option.code,
      name: option.name,
      price: option.priceCents,
      basePrice: option.basePriceCents,
      freeOver: option.freeOverCents,
      minDays: option.minDays,
      maxDays: option.maxDays,
    })),
  };
}

/** A seller's view of an order: only the seller's lines and their subtotal, and where to ship. */
export function presentSellerOrder(order: OrderRecord, buyer?: { name: string; email: string }): Static<typeof OrderSchema> {
  const subtotal = order.items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0);
  const whole = presentOrder(order, buyer);
  return { ...whole, subtotal, shipping: 0, tax: 0, taxLines: [], total: subtotal, scope: 'seller' };
}
