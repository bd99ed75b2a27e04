// The shop's order service: checkout, payment, state transitions (with stock, refunds and order
// e-mails) and the expiry of unpaid orders. The API calls it per request; the worker runs the expiry.
export {
  canAccessOrder,
  confirmPaymentFromWebhook,
  expireStalePendingOrders,
  hashGuestToken,
  payOrder,
  placeOrder,
  quoteCheckout,
  transitionOrder,
  PENDING_ORDER_TTL_MS,
  type Buyer,
  type OrderAccess,
  type OrderDeps,
  type PayOutcome,
  type PlaceOrderInput,
} from './orders.service.js';
export { enqueueOrderMail, toMailOrder } from './order-mails.js';
export { OrderError, isOrderError, ORDER_ERROR_CODES, type OrderErrorCode } from './errors.js';
export type { ChargeRequest, ChargeResult, PaymentProvider, RefundRequest, RefundResult } from './payments/payment-provider.js';
export { TestPaymentProvider, TEST_CARDS } from './payments/test-provider.js';
export { createPaymentProvider } from './payments/create-provider.js';
