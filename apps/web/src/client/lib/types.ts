/**
 * Shapes of the API's JSON answers, as fixed by its route schemas (GET /api/openapi.json).
 * Money is integer cents; times are ISO-8601 UTC strings.
 */

export type Role = 'customer' | 'seller' | 'admin' | 'marketing';

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
}

export interface ProductImage {
  /** Content key: files are served at /media/images/<key>/<width>.webp */
  key: string;
  width?: number;
  height?: number;
  alt?: string;
  /** Widths rendered for this image, when the API lists them. */
  widths?: number[];
}

export interface Variant {
  id: number;
  size: string;
  colour: string;
  price: number;
  stock: number;
  sku?: string;
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
  images?: ProductImage[];
  category?: Category | null;
  categoryId?: number;
  rating?: { average: number; count: number } | null;
  ratingAverage?: number | null;
  ratingCount?: number;
  status?: ProductStatus;
}

export interface Product extends ProductSummary {
  description: string;
  sellerId?: number;
  sellerName?: string;
}

export interface ProductPage {
  items: ProductSummary[];
  nextCursor: string | null;
}

export interface Review {
  id: number;
  rating: number;
  title?: string | null;
  body?: string | null;
  authorName?: string | null;
  createdAt: string;
}

export interface CartItem {
  variantId: number;
  productId: number;
  productName: string;
  size: string;
  colour: string;
  price: number;
  quantity: number;
  stock?: number;
  image?: ProductImage | null;
}

export interface Cart {
  items: CartItem[];
  subtotal: number;
}

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'delivered' | 'cancelled' | 'refunded';

export interface OrderItem {
  id: number;
  productId: number;
  variantId?: number;
  productName: string;
  size: string;
  colour: string;
  quantity: number;
  unitPrice: number;
  isReviewed?: boolean;
}

export interface Order {
  id: number;
  status: OrderStatus;
  total: number;
  subtotal?: number;
  shipping?: number;
  placedAt?: string;
  createdAt?: string;
  items?: OrderItem[];
  customerName?: string;
}
