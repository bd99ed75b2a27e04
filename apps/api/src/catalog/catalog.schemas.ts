import { Type } from '@sinclair/typebox';

import { Cents, Cursor, Limit } from '../http/common.schemas.js';

// the response schemas live in @threadline/contracts, shared with the web client's types
export {
  CategoryListSchema,
  ImageSchema,
  ProductDetailSchema,
  ProductListSchema,
  ProductSummarySchema,
  ReviewPageSchema,
  ReviewSchema,
  SuggestionsSchema,
  VariantSchema,
} from '@threadline/contracts';

/** A colour family slug (see GET /api/colour-families). */
export const FamilySlug = Type.String({ minLength: 2, maxLength: 20, pattern: '^[a-z]+$' });

export const SuggestionsQuery = Type.Object({ q: Type.String({ minLength: 1, maxLength: 200 }), limit: Type.Optional(Limit(6, 10)) }, { additionalProperties: false });

export const ProductListQuery = Type.Object(
  {
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    size: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    colour: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    /** Colour family slug ("green"); matches every variant whose colour name maps to it. */
    family: Type.Optional(FamilySlug),
    minPrice: Type.Optional(Cents),
    maxPrice: Type.Optional(Cents),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** relevance (the default with `q`) ranks by the search; without `q` it is newest. */
    sort: Type.Optional(Type.Union([Type.Literal('relevance'), Type.Literal('newest'), Type.Literal('price_asc'), Type.Literal('price_desc'), Type.Literal('popular')])),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Limit(24, 100)),
  },
  { additionalProperties: false },
);

