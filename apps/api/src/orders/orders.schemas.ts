import { Type, type Static } from '@sinclair/typebox';

import type { OrderRecord } from '@threadline/db';

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
    ...(buyer ? { buyer } : {}),
  };
}
