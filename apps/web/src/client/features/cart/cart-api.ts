import { api } from '../../lib/api';
import type { Cart } from '../../lib/types';
import { useApi, type ApiState } from '../../lib/use-api';

export function useCart(): ApiState<Cart> {
  return useApi<Cart>('/api/cart');
}

export function setQuantity(variantId: number, quantity: number): Promise<unknown> {
  return api(`/api/cart/items/${variantId}`, { method: 'PATCH', body: { quantity } });
}

export function removeItem(variantId: number): Promise<unknown> {
  return api(`/api/cart/items/${variantId}`, { method: 'DELETE' });
}

/** Shipping is free from $75; below that a flat $6.95 (shown as an estimate: the API decides). */
export const FREE_SHIPPING_FROM_CENTS = 7500;
export const FLAT_SHIPPING_CENTS = 695;

export function estimateShipping(subtotal: number): number {
  return subtotal === 0 || subtotal >= FREE_SHIPPING_FROM_CENTS ? 0 : FLAT_SHIPPING_CENTS;
}
