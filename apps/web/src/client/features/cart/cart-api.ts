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
