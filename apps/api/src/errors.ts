/**
 * The API's own error catalogue: every error a client can see has a stable code, an HTTP status and,
 * for input errors, the field at fault. Responses are `{ error: { code, message, field? } }`.
 * Errors from the packages (lake, survey, pipeline, insights…) carry a transport-neutral kind
 * instead; the error handler maps kinds to statuses (KIND_STATUS) and keeps their codes.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  INVALID_JSON: 400,
  INVALID_UTF8: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_INVALID: 403,
  FORBIDDEN: 403,
  WAF_BLOCKED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  EMAIL_TAKEN: 409,
  OUT_OF_STOCK: 409,
  INVALID_STATE_TRANSITION: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  PAYMENT_DECLINED: 402,
  PAYMENT_RETRY: 402,
  CART_EMPTY: 409,
  PRODUCT_UNAVAILABLE: 409,
  REVIEW_NOT_ALLOWED: 403,
  ALREADY_REVIEWED: 409,
  UNSUPPORTED_IMAGE: 415,
  IMAGE_TOO_LARGE: 413,
  IMAGE_TOO_MANY_PIXELS: 422,
  WEBHOOK_SIGNATURE_INVALID: 401,
  ACCOUNT_LOCKED: 429,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  // the API's own checks around the survey upload and the pipeline queue
  SURVEY_TOO_LARGE: 413,
  PIPELINE_BUSY: 409,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A client-visible error; thrown anywhere in a request and rendered by the one error handler. */
export class AppError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.statusCode = ERROR_CODES[code];
    this.headers = options?.headers;
  }

  readonly headers: Record<string, string> | undefined;
}

export function notFound(what: string, field?: string): AppError {
  return new AppError('NOT_FOUND', `${what} not found`, field);
}

export function validationFailed(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, field);
}
