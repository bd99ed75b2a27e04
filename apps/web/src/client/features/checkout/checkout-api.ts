import { api, ApiError } from '../../lib/api';
import type { AddressInput, CheckoutQuote, Order, SavedAddress } from '../../lib/types';
import type { CardInput } from './card';

export interface PlaceOrderInput {
  /** Guests only. */
  email?: string;
  address?: AddressInput;
  addressId?: number;
  saveAddress?: boolean;
  shippingMethod: string;
}

/** Places an order from the cart; the key makes a double-click or a retry create one order only. */
export function placeOrder(input: PlaceOrderInput, idempotencyKey: string): Promise<Order> {
  return api<Order>('/api/orders', { method: 'POST', body: input, headers: { 'idempotency-key': idempotencyKey } });
}

/** Prices the cart for a destination (shipping methods, tax lines, total). */
export function quoteCheckout(place: { country: string; region: string }, shippingMethod?: string): Promise<CheckoutQuote> {
  return api<CheckoutQuote>('/api/checkout/quote', {
    method: 'POST',
    body: { address: { country: place.country, region: place.region || null }, ...(shippingMethod ? { shippingMethod } : {}) },
  });
}

export function payOrder(orderId: number, card: CardInput, idempotencyKey: string, guestToken?: string): Promise<{ status: string }> {
  return api<{ status: string }>(`/api/orders/${orderId}/pay`, {
    method: 'POST',
    body: { card },
    headers: { 'idempotency-key': idempotencyKey, ...(guestToken ? { 'x-order-token': guestToken } : {}) },
  });
}

export function fetchOrder(orderId: string | number, guestToken?: string): Promise<Order> {
  return api<Order>(`/api/orders/${encodeURIComponent(String(orderId))}`, guestToken ? { headers: { 'x-order-token': guestToken } } : {});
}

export function listAddresses(): Promise<{ items: SavedAddress[] }> {
  return api<{ items: SavedAddress[] }>('/api/account/addresses');
}

/** The browser keeps a guest's order token for this tab only: the order page and e-mail link need it. */
export function rememberGuestToken(orderId: number, token: string): void {
  try {
    sessionStorage.setItem(`tl-order-${orderId}`, token);
  } catch {
    // storage off (private mode): the confirmation e-mail's link still opens the order
  }
}

export function recallGuestToken(orderId: string | number): string | undefined {
  try {
    return sessionStorage.getItem(`tl-order-${orderId}`) ?? undefined;
  } catch {
    return undefined;
  }
}

/** What the shopper reads when a payment fails, by the API's error code. */
export function paymentMessage(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'PAYMENT_DECLINED':
        return 'Your card was declined and you have not been charged. Your cart and order are kept: check the details or use another card, then try again.';
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
