import { api, ApiError } from '../../lib/api';
import type { Order } from '../../lib/types';
import type { CardInput } from './card';

/** Places an order from the cart; the key makes a double-click or a retry create one order only. */
export function placeOrder(idempotencyKey: string): Promise<Order> {
  return api<Order>('/api/orders', { method: 'POST', headers: { 'idempotency-key': idempotencyKey } });
}

export function payOrder(orderId: number, card: CardInput, idempotencyKey: string): Promise<{ status: string }> {
  return api<{ status: string }>(`/api/orders/${orderId}/pay`, {
    method: 'POST',
    body: { card },
    headers: { 'idempotency-key': idempotencyKey },
  });
}

/** What the shopper reads when a payment fails, by the API's error code. */
export function paymentMessage(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'PAYMENT_DECLINED':
        return 'Your card was declined and you have not been charged. Check the details or use another card, then try again.';
      case 'PAYMENT_RETRY':
        return 'The payment did not go through this time and you have not been charged. Please try again.';
      case 'OUT_OF_STOCK':
        return `${error.message} Update your cart and try again.`;
      case 'CART_EMPTY':
        return 'Your cart is empty.';
      default:
        return error.message;
    }
  }
  return error instanceof Error ? error.message : 'The payment could not be completed. Please try again.';
}

/** A random key; randomUUID only exists on secure origins, so plain-HTTP LAN use falls back. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}
