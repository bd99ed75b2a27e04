/**
 * Shapes of the API's JSON answers. Every answer the web reads takes its type from the API's
 * response schema in @threadline/contracts (Static<…>, type-only imports), so the client and the
 * API cannot drift apart; only what the web sends is written here.
 * Money is integer cents; times are ISO-8601 UTC strings.
 */

import type { OrderItemResponse, OrderResponse, QuoteResponse } from '@threadline/contracts';

export type {
  Cart,
  CartItem,
  Category,
  CategoryList,
  FacetCount,
  FamilyFacetCount,
  OrderStatus,
  Product,
  ProductImage,
  ProductPage,
  ProductStatus,
  ProductSummary,
  Review,
  ReviewPage,
  Role,
  SavedAddress,
  SessionResponse,
  ShippingOption,
  ShipTo,
  StockState,
  Suggestions,
  TaxLine,
  User,
  UserEnvelope,
  Variant,
} from '@threadline/contracts';
export type CheckoutQuote = QuoteResponse;
export type Order = OrderResponse;
export type OrderItem = OrderItemResponse;

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
