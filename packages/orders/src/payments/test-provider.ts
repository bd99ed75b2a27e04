import { randomBytes } from 'node:crypto';

import { cardBrand } from '@threadline/domain';

import type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from './payment-provider.js';

/**
 * Test card numbers of the built-in provider (the same numbers as the big providers' test
 * modes, so front-end developers already know them). Any other valid card number succeeds.
 */
export const TEST_CARDS = {
  SUCCEEDS: '4242424242424242',
  DECLINED: '4000000000000002',
  /** Insufficient funds right now: the shopper may retry (later, or with another card). */
  NEEDS_RETRY: '4000000000009995',
  /** A processing error at the provider: retrying the same card may work. */
  PROCESSING_ERROR: '4000000000000119',
} as const;

const OUTCOMES: Record<string, { status: 'declined' | 'requires_retry'; code: string; message: string }> = {
  [TEST_CARDS.DECLINED]: { status: 'declined', code: 'card_declined', message: 'the card was declined' },
  [TEST_CARDS.NEEDS_RETRY]: { status: 'requires_retry', code: 'insufficient_funds', message: 'the card has insufficient funds; try again or use another card' },
  [TEST_CARDS.PROCESSING_ERROR]: { status: 'requires_retry', code: 'processing_error', message: 'the payment could not be processed; please try again' },
};

/** In-process test provider: deterministic outcomes per card number, idempotent per key. */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';
  private readonly charges = new Map<string, ChargeResult>();
  private readonly refunds = new Map<string, RefundResult>();

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const previous = this.charges.get(request.idempotencyKey);
    if (previous) return previous;
    const base = { providerRef: `tp_ch_${randomBytes(12).toString('hex')}`, brand: cardBrand(request.card.digits), last4: request.card.digits.slice(-4) };
    const outcome = OUTCOMES[request.card.digits];
    const result: ChargeResult = outcome ? { ...base, ...outcome } : { ...base, status: 'succeeded' };
    this.charges.set(request.idempotencyKey, result);
    // bounded memory: keys only matter for retries within moments of the first call
    if (this.charges.size > 50_000) {
      const first = this.charges.keys().next();
      if (!first.done) this.charges.delete(first.value);
    }
    return result;
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    const previous = this.refunds.get(request.idempotencyKey);
    if (previous) return previous;
    const result: RefundResult = { status: 'refunded', refundRef: `tp_re_${randomBytes(12).toString('hex')}` };
    this.refunds.set(request.idempotencyKey, result);
    return result;
  }
}
