import type { ApiContext } from '../context.js';
import type { OrderDeps } from '../orders/orders.service.js';
import type { PaymentProvider } from './payment-provider.js';
import { TestPaymentProvider } from './test-provider.js';

const providers = new WeakMap<ApiContext, PaymentProvider>();

/**
 * The payment provider of an API instance (one per built app, shared by the order, seller and
 * webhook routes). Only the built-in test provider exists so far; a real one plugs in here.
 */
export function paymentProviderFor(context: ApiContext): PaymentProvider {
  let provider = providers.get(context);
  if (!provider) {
    provider = createPaymentProvider();
    providers.set(context, provider);
  }
  return provider;
}

/** What order changes need: the pool, this API's payment provider and the shop's public URL for e-mail links. */
export function orderDepsFor(context: ApiContext): OrderDeps {
  return { pool: context.pool, provider: paymentProviderFor(context), publicUrl: context.config.publicUrl };
}

/** The configured payment provider, for a process without an API context (the worker's order expiry). */
export function createPaymentProvider(): PaymentProvider {
  return new TestPaymentProvider();
}
