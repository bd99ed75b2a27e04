import type { ErrorKind } from '@threadline/domain';

/**
 * Why an order change was refused: a stable code and its transport-neutral kind (the API's error
 * handler turns the kind into a status; the worker logs it).
 */
export const ORDER_ERROR_CODES = {
  VALIDATION_FAILED: 'invalid',
  NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  CART_EMPTY: 'conflict',
  PRODUCT_UNAVAILABLE: 'conflict',
  OUT_OF_STOCK: 'conflict',
  INVALID_STATE_TRANSITION: 'conflict',
  /** the payment provider did not complete a refund; the change was rolled back and can be retried */
  PAYMENT_RETRY: 'payment_failed',
} as const satisfies Record<string, ErrorKind>;

export type OrderErrorCode = keyof typeof ORDER_ERROR_CODES;

/** A refused order change (checkout, payment, state transition). */
export class OrderError extends Error {
  readonly kind: ErrorKind;

  constructor(
    readonly code: OrderErrorCode,
    message: string,
    /** The request field at fault, e.g. `variantId`, `address.country`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'OrderError';
    this.kind = ORDER_ERROR_CODES[code];
  }
}

export function orderNotFound(what: string, field?: string): OrderError {
  return new OrderError('NOT_FOUND', `${what} not found`, field);
}

/** True for an order error of this code (e.g. a transition another process made first). */
export function isOrderError(error: unknown, code?: OrderErrorCode): error is OrderError {
  return error instanceof OrderError && (code === undefined || error.code === code);
}
