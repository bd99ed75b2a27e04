/**
 * Shapes of the API's JSON answers, as fixed by its route schemas (GET /api/openapi.json).
 * Money is integer cents; times are ISO-8601 UTC strings. Answers whose schemas live in
 * @threadline/contracts take their types from there (Static<…>); the rest are still written here.
 */

import type { OrderItemResponse, OrderResponse, QuoteResponse } from '@threadline/contracts';

export type { OrderStatus, SavedAddress, ShippingOption, ShipTo, TaxLine } from '@threadline/contracts';
export type CheckoutQuote = QuoteResponse;
export type Order = OrderResponse;
export type OrderItem = OrderItemResponse;

export type Role = 'customer' | 'seller' | 'admin' | 'marketing';

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
}

/** A stored photo: the API gives its default URL and a srcset of /media/images/<key>/<w>.webp */
export interface ProductImage {
  id?: number;
  url: string;
  srcset: string;
  width: number;
  height?: number;
  alt?: string;
  /** The variant colour the photo shows; null or absent for any colour. */
  colour?: string | null;
}

export type StockState = 'in_stock' | 'low_stock' | 'out_of_stock';

export interface Variant {
  id: number;
  size: string;
  colour: string;
  price: number;
  stock: number;
  sku?: string;
  stockState?: StockState;
}

export interface Category {
  id: number;
  slug: string;
  name: string;
}

export type ProductStatus = 'draft' | 'published' | 'unpublished';

export interface ProductSummary {
  id: number;
  name: string;
  variants: Variant[];
  /** The first photo (list pages). */
  image?: ProductImage | null;
  category?: Category | null;
  categoryId?: number;
  rating?: { average: number | null; count: number } | null;
  priceFrom?: number | null;
  stockState?: StockState;
  status?: ProductStatus;
}

export interface Product extends ProductSummary {
  description: string;
  images: ProductImage[];
  seller?: { id: number; name: string };
  reviews?: { items: Review[]; nextCursor: string | null };
}

export interface FacetCount {
  value: string;
  count: number;
}

/** A colour family ("Green") with its swatch and how many products the filter would show. */
export interface FamilyFacetCount extends FacetCount {
  name: string;
  hex: string;
}

export interface ProductPage {
  items: ProductSummary[];
  nextCursor: string | null;
  /** First page only: every product that matches. */
  total?: number;
  /** First page only: how many products each filter value would show. */
  facets?: { categories: FacetCount[]; sizes: FacetCount[]; colours: FacetCount[]; families: FamilyFacetCount[] };
  /** With a search: the search as run, misspelt words corrected. */
  search?: { query: string; isCorrected: boolean };
}

export interface Suggestions {
  query: string;
  correctedQuery: string | null;
  products: { id: number; name: string; categoryName: string; priceFrom: number | null }[];
  categories: { slug: string; name: string }[];
}

export interface Review {
  id: number;
  orderItemId?: number;
  rating: number;
  title?: string | null;
  body?: string | null;
  authorName?: string | null;
  createdAt: string;
}

export interface CartItem {
  variantId: number;
  productId: number;
  name: string;
  size: string;
  colour: string;
  price: number;
  quantity: number;
  lineTotal: number;
  stock: number;
  /** false when the product went off sale or the quantity exceeds the stock left. */
  isAvailable: boolean;
  image: ProductImage | null;
}

export interface Cart {
  items: CartItem[];
  count: number;
  subtotal: number;
  shipping: number;
  total: number;
}

/** An address as typed at checkout or saved in the address book. */
export interface AddressInput {
  recipientName: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
  phone: string;
}

