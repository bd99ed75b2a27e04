import { api } from '../../lib/api';
import type { Order, Product, ProductImage, ProductSummary } from '../../lib/types';
import { useApi, type ApiState } from '../../lib/use-api';

export type SellerProduct = Product;

export interface VariantInput {
  id?: number;
  size: string;
  colour: string;
  price: number;
  stock: number;
}

export interface ProductInput {
  name: string;
  description: string;
  categoryId: number;
  variants: VariantInput[];
}

export type SellerProductSummary = ProductSummary;

export function useMyProducts(): ApiState<{ items: SellerProductSummary[] }> {
  return useApi<{ items: SellerProductSummary[] }>('/api/seller/products?limit=100');
}

/** A seller's own product, drafts included: the product route shows them to their seller. */
export function useMyProduct(id: string | undefined): ApiState<SellerProduct> {
  return useApi<SellerProduct>(id ? `/api/products/${encodeURIComponent(id)}` : null);
}

export function createProduct(input: ProductInput): Promise<SellerProduct> {
  return api<SellerProduct>('/api/seller/products', { method: 'POST', body: input });
}

export function updateProduct(id: number, input: ProductInput): Promise<SellerProduct> {
  return api<SellerProduct>(`/api/seller/products/${id}`, { method: 'PATCH', body: input });
}

export function setPublished(id: number, isPublished: boolean): Promise<SellerProduct> {
  return api<SellerProduct>(`/api/seller/products/${id}/${isPublished ? 'publish' : 'unpublish'}`, { method: 'POST' });
}

/** Uploads one photo (multipart field `image`); the API validates and resizes it. */
export function deleteImage(productId: number, imageId: number): Promise<unknown> {
  return api(`/api/seller/products/${productId}/images/${imageId}`, { method: 'DELETE' });
}

/** Uploads a photo; `colour` (one of the variant colours) makes it that colour's photo. */
export function uploadImage(productId: number, file: File, alt: string, colour?: string): Promise<ProductImage> {
  const form = new FormData();
  form.append('alt', colour ? `${alt} in ${colour}` : alt);
  if (colour) form.append('colour', colour);
  form.append('image', file);
  return api<ProductImage>(`/api/seller/products/${productId}/images`, { method: 'POST', body: form });
}

export function useSellerOrders(): ApiState<{ items: Order[] }> {
  return useApi<{ items: Order[] }>('/api/seller/orders');
}

export function shipOrder(orderId: number): Promise<unknown> {
  return api(`/api/seller/orders/${orderId}/ship`, { method: 'POST' });
}
