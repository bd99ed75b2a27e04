import { Type, type Static } from '@sinclair/typebox';

import { ImageSchema, StockStateSchema } from './catalog.js';

/** The API's answer about the session's cart (GET/POST/PATCH/DELETE /api/cart…). */

export const CartLineSchema = Type.Object({
  variantId: Type.Integer(),
  productId: Type.Integer(),
  name: Type.String(),
  sku: Type.String(),
  size: Type.String(),
  colour: Type.String(),
  price: Type.Integer(),
  quantity: Type.Integer(),
  lineTotal: Type.Integer(),
  stock: Type.Integer(),
  stockState: StockStateSchema,
  isAvailable: Type.Boolean({ description: 'false when the product is off sale or the quantity exceeds stock' }),
  /** The list thumbnail (320 px copy). */
  image: Type.Union([Type.Pick(ImageSchema, ['url', 'srcset', 'width']), Type.Null()]),
});

export const CartSchema = Type.Object(
  {
    items: Type.Array(CartLineSchema),
    count: Type.Integer(),
    subtotal: Type.Integer(),
    shipping: Type.Integer(),
    total: Type.Integer(),
  },
  { $id: 'Cart' },
);

export type CartItem = Static<typeof CartLineSchema>;
export type Cart = Static<typeof CartSchema>;
