/**
 * What the shop needs from a card payment provider. The built-in test provider implements it
 * in-process; a real provider (Stripe, Adyen…) would implement it over HTTP, passing the
 * idempotency key through so a retried call never charges twice.
 */
export interface PaymentProvider {
  readonly name: string;
  charge(request: ChargeRequest): Promise<ChargeResult>;
  refund(request: RefundRequest): Promise<RefundResult>;
}

export interface ChargeRequest {
  orderId: number;
  amountCents: number;
  currency: string;
  card: { digits: string; expMonth: number; expYear: number; cvc: string };
  /** Same key → same result, without a second charge. */
  idempotencyKey: string;
}

export type ChargeResult =
  | { status: 'succeeded'; providerRef: string; brand: string; last4: string }
  | { status: 'declined' | 'requires_retry'; providerRef: string; brand: string; last4: string; code: string; message: string };

export interface RefundRequest {
  providerRef: string;
  amountCents: number;
  idempotencyKey: string;
}

export type RefundResult = { status: 'refunded'; refundRef: string } | { status: 'failed'; code: string; message: string };
