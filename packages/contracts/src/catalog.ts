import { Type, type Static } from '@sinclair/typebox';

/**
 * The API's answers about products, categories and reviews as TypeBox schemas: the API validates
 * and documents (OpenAPI) its responses with them, and the web client takes its types from them.
 */

export const StockStateSchema = Type.Union([Type.Literal('in_stock'), Type.Literal('low_stock'), Type.Literal('out_of_stock')]);

export const ProductStatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('unpublished')]);

/** A stored photo: its default URL and a srcset of /media/images/<key>/<w>.webp. */
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

export const CategoryRefSchema = Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String() });
const RatingSchema = Type.Object({ average: Type.Union([Type.Number(), Type.Null()]), count: Type.Integer() });

/**
 * A product in a list (shop, seller, admin): what a card or a table row shows, summarised from its
 * variants by the database when the page is built. The variants themselves (SKU, size, stock and
 * price of each size × colour) are on the product page only: they were about 2.7 kB a product, four
 * fifths of a 24-product page, and no list showed them.
 */
export const ProductSummarySchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    status: ProductStatusSchema,
    category: CategoryRefSchema,
    /** The lowest variant price; null without variants. */
    priceFrom: Type.Union([Type.Integer({ description: 'minor units (cents)' }), Type.Null()]),
    /** The highest variant price (equal to priceFrom when all cost the same); null without variants. */
    priceTo: Type.Union([Type.Integer({ description: 'minor units (cents)' }), Type.Null()]),
    image: Type.Union([ImageSchema, Type.Null()]),
    rating: RatingSchema,
    unitsSold: Type.Integer(),
    stockState: StockStateSchema,
    /** Units in stock over all variants. */
    stock: Type.Integer({ minimum: 0 }),
    variantCount: Type.Integer({ minimum: 0 }),
    /** The variants' colour names, each once, in the order of their first variant. */
    colours: Type.Array(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ProductSummary' },
);

export const FacetCountSchema = Type.Object({ value: Type.String(), count: Type.Integer() });
/** A colour family ("Green") with its swatch and how many products the filter would show (0 included). */
export const FamilyFacetCountSchema = Type.Object({ value: Type.String(), name: Type.String(), hex: Type.String(), count: Type.Integer() });

export const ProductListSchema = Type.Object({
  items: Type.Array(ProductSummarySchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  /** First page of the shop list only: every match, not just this page. */
  total: Type.Optional(Type.Integer()),
  /** First page of the shop list only: how many products each filter value would show. */
  facets: Type.Optional(
    Type.Object({
      categories: Type.Array(FacetCountSchema),
      sizes: Type.Array(FacetCountSchema),
      colours: Type.Array(FacetCountSchema),
      families: Type.Array(FamilyFacetCountSchema),
    }),
  ),
  /** With `q`: the search as run, after correcting misspelt words (`isCorrected`). */
  search: Type.Optional(Type.Object({ query: Type.String(), isCorrected: Type.Boolean() })),
});

export const SuggestionsSchema = Type.Object({
  query: Type.String(),
  /** The search with misspelt words corrected, or null when nothing was corrected. */
  correctedQuery: Type.Union([Type.String(), Type.Null()]),
  products: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String(), categoryName: Type.String(), priceFrom: Type.Union([Type.Integer(), Type.Null()]) })),
  categories: Type.Array(Type.Object({ slug: Type.String(), name: Type.String() })),
});

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

export const ReviewPageSchema = Type.Object({ items: Type.Array(ReviewSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const ProductDetailSchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    description: Type.String(),
    status: ProductStatusSchema,
    seller: Type.Object({ id: Type.Integer(), name: Type.String() }),
    category: CategoryRefSchema,
    priceFrom: Type.Union([Type.Integer(), Type.Null()]),
    rating: RatingSchema,
    unitsSold: Type.Integer(),
    stockState: StockStateSchema,
    publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    variants: Type.Array(VariantSchema),
    images: Type.Array(ImageSchema),
    reviews: ReviewPageSchema,
  },
  { $id: 'ProductDetail' },
);

export const CategorySchema = Type.Object({ id: Type.Integer(), slug: Type.String(), name: Type.String(), parentId: Type.Union([Type.Integer(), Type.Null()]) });

export const CategoryListSchema = Type.Object({ items: Type.Array(CategorySchema) });

export type StockState = Static<typeof StockStateSchema>;
export type ProductStatus = Static<typeof ProductStatusSchema>;
export type ProductImage = Static<typeof ImageSchema>;
export type Variant = Static<typeof VariantSchema>;
export type CategoryRef = Static<typeof CategoryRefSchema>;
export type Category = Static<typeof CategorySchema>;
export type ProductSummary = Static<typeof ProductSummarySchema>;
export type FacetCount = Static<typeof FacetCountSchema>;
export type FamilyFacetCount = Static<typeof FamilyFacetCountSchema>;
export type ProductPage = Static<typeof ProductListSchema>;
export type Suggestions = Static<typeof SuggestionsSchema>;
export type Review = Static<typeof ReviewSchema>;
export type ReviewPage = Static<typeof ReviewPageSchema>;
export type Product = Static<typeof ProductDetailSchema>;
export type CategoryList = Static<typeof CategoryListSchema>;
