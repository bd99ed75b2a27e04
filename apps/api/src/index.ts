export { buildApiApp, BODY_LIMIT_BYTES, type ApiApp } from './app.js';
export { runApi } from './main.js';
export type { ApiContext } from './context.js';
export { AppError, ERROR_CODES, type ErrorCode } from './errors.js';
export { signWebhook, SIGNATURE_HEADER } from './payments/webhook-signature.js';
export { TEST_CARDS } from './payments/test-provider.js';
export type { PaymentProvider } from './payments/payment-provider.js';
export { createPaymentProvider } from './payments/provider-registry.js';
export { expireStalePendingOrders, PENDING_ORDER_TTL_MS } from './orders/orders.service.js';
