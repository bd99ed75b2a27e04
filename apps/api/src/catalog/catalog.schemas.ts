import { Type } from '@sinclair/typebox';

import { Cents, Cursor, Limit } from '../http/common.schemas.js';

const StockStateSchema = Type.Union([Type.Literal('in_stock'), Type.Literal('low_stock'), Type.Literal('out_of_stock')]);

export const ImageSchema = Type.Object(
  {
    id: Type.Optional(Type.Integer()),
    /** Default size (≤ 640 px wide). */
    url: Type.String(),
    /** `srcset` for responsive `<img>`. */
    srcset: Type.String(),
    width: Type.Integer(),
    height: Type.Optional(Type.Integer()),
    alt: Type.Optional(Type.String()),
    /** The variant colour the photo shows; null for any colour. */
    colour: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { $id: 'Image' },
);

export const VariantSchema = Type.Object(
  {
    id: Type.Integer(),
    sku: Type.String(),
    size: Type.String(),
    colour: Type.String(),
    price: Type.Integer({ description: 'minor units (cents)' }),
    stock: Type.Integer(),
    stockState: StockStateSchema,
  },
  { $id: 'Variant' },
);

const CategoryRef = Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() });
const Rating = Type.Object({ average: Type.Union([Type.Number(), Type.Null()]), count: Type.Integer() });

export const ProductSummary = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    status: Type.String(),
    category: CategoryRef,
    priceFrom: Type.Union([Type.Integer(), Type.Null()]),
    image: Type.Union([ImageSchema, Type.Null()]),
    rating: Rating,
    unitsSold: Type.Integer(),
    stockState: StockStateSchema,
    createdAt: Type.String({ format: 'date-time' }),
    variants: Type.Array(VariantSchema),
  },
  { $id: 'ProductSummary' },
);

const FacetCounts = Type.Array(Type.Object({ value: Type.String(), count: Type.Integer() }));
/** Every colour family in swatch order (count 0 included), with its display name and swatch colour. */
const FamilyCounts = Type.Array(Type.Object({ value: Type.String(), name: Type.String(), hex: Type.String(), count: Type.Integer() }));

/** A colour family slug (see GET /api/colour-families). */
export const FamilySlug = Type.String({ minLength: 2, maxLength: 20, pattern: '^[a-z]+$' });

export const ProductListResponse = Type.Object({
  items: Type.Array(ProductSummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  /** First page of the shop list only: every match, not just this page. */
  total: Type.Optional(Type.Integer()),
  /** First page of the shop list only: how many products each filter value would show. */
  facets: Type.Optional(Type.Object({ categories: FacetCounts, sizes: FacetCounts, colours: FacetCounts, families: FamilyCounts })),
  /** With `q`: the search as run, after correcting misspelt words (`isCorrected`). */
  search: Type.Optional(Type.Object({ query: Type.String(), isCorrected: Type.Boolean() })),
});

export const SuggestionsQuery = Type.Object({ q: Type.String({ minLength: 1, maxLength: 200 }), limit: Type.Optional(Limit(6, 10)) }, { additionalProperties: false });

export const SuggestionsResponse = Type.Object({
  query: Type.String(),
  /** The search with misspelt words corrected, or null when nothing was corrected. */
  correctedQuery: Type.Union([Type.String(), Type.Null()]),
  products: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), categoryName: Type.String(), priceFrom: Type.Union([Type.Integer(), Type.Null()]) })),
  categories: Type.Array(Type.Object({ slug: Type.String(), name: Type.String() })),
});

export const ProductListQuery = Type.Object(
  {
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    size: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
    colour: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
    /** Colour family slug ("green"): any variant whose colour name maps to it. */
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

export const ReviewSchema = Type.Object(
  {
    id: Type.Integer(),
    productId: Type.Integer(),
    orderItemId: Type.Integer(),
    rating: Type.Integer(),
    title: Type.Union([Type.String(), Type.Null()]),
    body: Type.Union([Type.String(), Type.Null()]),
    authorName: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Review' },
);

export const ReviewPage = Type.Object({ items: Type.Array(ReviewSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const ProductDetailResponse = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Type.String(),
    status: Type.String(),
    seller: Type.Object({ id: Type.Integer(), name: Type.String() }),
    category: CategoryRef,
    priceFrom: Type.Union([Type.Integer(), Type.Null()]),
    rating: Rating,
    unitsSold: Type.Integer(),
    stockState: StockStateSchema,
    publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    variants: Type.Array(VariantSchema),
    images: Type.Array(ImageSchema),
    reviews: ReviewPage,
  },
  { $id: 'ProductDetail' },
);

export const CategoryListResponse = Type.Object({
  items: Type.Array(Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String(), parentId: Type.Union([Type.Integer(), Type.Null()]) })),
});
