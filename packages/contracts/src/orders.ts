import { Type, type Static } from '@sinclair/typebox';

/**
 * The API's answers about orders, checkout and addresses as TypeBox schemas: the API validates
 * and documents (OpenAPI) its responses with them, and the web client takes its types from them
 * (`Static<…>`, type-only imports), so the two cannot drift apart.
 */

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

export const TaxLineSchema = Type.Object({ label: Type.String(), rate: Type.Number({ description: 'percent, e.g. 7.25' }), amount: Type.Integer() });

/** Where an order goes, as stored with it (every part may be missing on orders from before addresses). */
export const ShipToSchema = Type.Object({
  name: Type.Union([Type.String(), Type.Null()]),
  line1: Type.Union([Type.String(), Type.Null()]),
  line2: Type.Union([Type.String(), Type.Null()]),
  city: Type.Union([Type.String(), Type.Null()]),
  region: Type.Union([Type.String(), Type.Null()]),
  postalCode: Type.Union([Type.String(), Type.Null()]),
  country: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
});

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
    taxLines: Type.Array(TaxLineSchema),
    shippingMethod: Type.Union([Type.String(), Type.Null()]),
    shipTo: Type.Union([ShipToSchema, Type.Null()]),
    /** 'seller': only the asking seller's lines, and subtotal/total are theirs (no shipping or tax). */
    scope: Type.Union([Type.Literal('order'), Type.Literal('seller')]),
    isGuest: Type.Boolean(),
    /** Only in the answer that placed a guest order: send it as x-order-token to view and pay it. */
    guestToken: Type.Optional(Type.String()),
    buyer: Type.Optional(Type.Object({ name: Type.String(), email: Type.String() })),
  },
  { $id: 'Order' },
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

/** An entry of the signed-in buyer's address book. */
export const SavedAddressSchema = Type.Object(
  {
    id: Type.Integer(),
    recipientName: Type.String(),
    line1: Type.String(),
    line2: Type.Union([Type.String(), Type.Null()]),
    city: Type.String(),
    region: Type.Union([Type.String(), Type.Null()]),
    postalCode: Type.Union([Type.String(), Type.Null()]),
    country: Type.String(),
    phone: Type.Union([Type.String(), Type.Null()]),
    isDefault: Type.Boolean(),
  },
  { $id: 'SavedAddress' },
);

export type OrderStatus = Static<typeof OrderStatusSchema>;
export type OrderItemResponse = Static<typeof OrderItemSchema>;
export type OrderResponse = Static<typeof OrderSchema>;
export type TaxLine = Static<typeof TaxLineSchema>;
export type ShipTo = Static<typeof ShipToSchema>;
export type ShippingOption = Static<typeof ShippingOptionSchema>;
export type QuoteResponse = Static<typeof QuoteSchema>;
export type SavedAddress = Static<typeof SavedAddressSchema>;
