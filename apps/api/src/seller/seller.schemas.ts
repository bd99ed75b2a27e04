import { Type } from '@sinclair/typebox';

import { MAX_STOCK } from '@threadline/domain';

import { Cents, Cursor, Id, Limit } from '../http/common.schemas.js';

export const VariantInput = Type.Object(
  {
    id: Type.Optional(Id),
    sku: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    size: Type.String({ minLength: 1, maxLength: 20 }),
    colour: Type.String({ minLength: 1, maxLength: 40 }),
    price: Cents,
    stock: Type.Integer({ minimum: 0, maximum: MAX_STOCK }),
  },
  { additionalProperties: false },
);

const StatusInput = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('unpublished')]);

export const CreateProductBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    categoryId: Type.Optional(Id),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'category slug (alternative to categoryId)' })),
    status: Type.Optional(StatusInput),
    variants: Type.Array(Type.Omit(VariantInput, ['id']), { minItems: 1, maxItems: 100 }),
  },
  { additionalProperties: false },
);

export const UpdateProductBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 10_000 })),
    categoryId: Type.Optional(Id),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    status: Type.Optional(StatusInput),
    variants: Type.Optional(Type.Array(VariantInput, { minItems: 1, maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const SellerProductsQuery = Type.Object(
  {
    status: Type.Optional(StatusInput),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Limit(50, 100)),
  },
  { additionalProperties: false },
);

export const ImageParams = Type.Object({ id: Id, imageId: Id });

export const UploadedImage = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  url: Type.String(),
  srcset: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  widths: Type.Array(Type.Integer()),
  alt: Type.String(),
  /** The variant colour the photo shows (form field "colour"); null for any colour. */
  colour: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer(),
});
