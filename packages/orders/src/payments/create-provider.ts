import type { PaymentProvider } from './payment-provider.js';
import { TestPaymentProvider } from './test-provider.js';

/**
 * The configured payment provider (the API builds one per app, the worker one for order expiry).
 * Only the built-in test provider exists so far; a real one plugs in here.
 */
export function createPaymentProvider(): PaymentProvider {
  return new TestPaymentProvider();
}
