import { Type, type Static } from '@sinclair/typebox';

import type { OrderRecord } from '@threadline/db';
import type { CheckoutQuote } from '@threadline/domain';

import { EMAIL_PATTERN } from '../auth/auth.schemas.js';
import { Cursor, Limit } from '../http/common.schemas.js';

export const OrderStatusSchema = Type.Union([
  Type.Literal('pending'),
  Type.Literal('paid'),
  Type.Literal('shipped'),
  Type.Literal('delivered'),
  Type.Literal('cancelled'),
  Type.Literal('refunded'),
]);

export const OrderItemSchema = Type.Object({
  id: Type.Integer(),
  productId: Type.Integer(),
  variantId: Type.Integer(),
  productName: Type.String(),
  size: Type.String(),
  colour: Type.String(),
  quantity: Type.Integer(),
  unitPrice: Type.Integer(),
  lineTotal: Type.Integer(),
});

const Timestamp = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const OrderSchema = Type.Object(
  {
    id: Type.Integer(),
    status: OrderStatusSchema,
    currency: Type.String(),
    subtotal: Type.Integer(),
    shipping: Type.Integer(),
    total: Type.Integer({ description: 'minor units (cents)' }),
    placedAt: Type.String({ format: 'date-time' }),
    paidAt: Timestamp,
    shippedAt: Timestamp,
    deliveredAt: Timestamp,
    cancelledAt: Timestamp,
    refundedAt: Timestamp,
    items: Type.Array(OrderItemSchema),
    tax: Type.Integer(),
    taxLines: Type.Array(Type.Object({ label: Type.String(), rate: Type.Number({ description: 'percent, e.g. 7.25' }), amount: Type.Integer() })),
    shippingMethod: Type.Union([Type.String(), Type.Null()]),
    shipTo: Type.Union([
      Type.Object({
        name: Type.Union([Type.String(), Type.Null()]),
        line1: Type.Union([Type.String(), Type.Null()]),
        line2: Type.Union([Type.String(), Type.Null()]),
        city: Type.Union([Type.String(), Type.Null()]),
        region: Type.Union([Type.String(), Type.Null()]),
        postalCode: Type.Union([Type.String(), Type.Null()]),
        country: Type.Union([Type.String(), Type.Null()]),
        phone: Type.Union([Type.String(), Type.Null()]),
      }),
      Type.Null(),
    ]),
    /** 'seller': only the asking seller's lines, and subtotal/total are theirs (no shipping or tax). */
    scope: Type.Union([Type.Literal('order'), Type.Literal('seller')]),
    isGuest: Type.Boolean(),
    /** Only in the answer that placed a guest order: send it as x-order-token to view and pay it. */
    guestToken: Type.Optional(Type.String()),
    buyer: Type.Optional(Type.Object({ name: Type.String(), email: Type.String() })),
  },
  { $id: 'Order' },
);

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



export const TaxLineSchema = Type.Object({ label: Type.String(), rate: Type.Number({ description: 'percent, e.g. 7.25' }), amount: Type.Integer() });

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

export const ShippingOptionSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  price: Type.Integer(),
  basePrice: Type.Integer(),
  freeOver: Type.Union([Type.Integer(), Type.Null()]),
  minDays: Type.Integer(),
  maxDays: Type.Integer(),
});

export const QuoteSchema = Type.Object(
  {
    subtotal: Type.Integer(),
    shipping: Type.Integer(),
    tax: Type.Integer(),
    taxLines: Type.Array(TaxLineSchema),
    total: Type.Integer(),
    shippingMethod: Type.Union([Type.String(), Type.Null()]),
    options: Type.Array(ShippingOptionSchema),
  },
  { $id: 'CheckoutQuote' },
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
