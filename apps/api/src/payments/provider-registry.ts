import { createPaymentProvider, type OrderDeps, type PaymentProvider } from '@threadline/orders';

import type { ApiContext } from '../context.js';

const providers = new WeakMap<ApiContext, PaymentProvider>();

/**
 * The payment provider of an API instance (one per built app, shared by the order, seller and
 * webhook routes).
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
