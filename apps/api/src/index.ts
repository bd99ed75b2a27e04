export { buildApiApp, BODY_LIMIT_BYTES, type ApiApp } from './app.js';
export { runApi } from './main.js';
export type { ApiContext } from './context.js';
export { AppError, ERROR_CODES, type ErrorCode } from './errors.js';
export { signWebhook, SIGNATURE_HEADER } from './payments/webhook-signature.js';
