/**
 * Transport-neutral kinds of failure (as Documenso's AppErrorCode and Medusa's MedusaError.Types):
 * every package's error carries one, with a stable `code` and, for input problems, the `field` at
 * fault. Only the API's error handler turns a kind into an HTTP status; the CLI into an exit line.
 */
export const ERROR_KINDS = [
  /** the caller sent something malformed */
  'invalid',
  /** allowed in general, refused for this caller or this input (read-only SQL, forbidden table) */
  'forbidden',
  'not_found',
  /** the state of things forbids it now (a run in progress, a duplicate) */
  'conflict',
  /** the input is larger than allowed */
  'too_large',
  /** a kind of input that is not handled (file type) */
  'unsupported',
  /** well-formed but cannot be processed (a sheet with no valid rows, a query that ran too long) */
  'unprocessable',
  /** the payment provider refused or could not complete a charge or refund */
  'payment_failed',
  /** a dependency is down or full; retrying later can work */
  'unavailable',
  /** a bug or an unexpected failure */
  'internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** What the API's error handler and the CLI need from a package's error. */
export interface KindedError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly field?: string;
}

/** Narrows a thrown value to an error that declares its kind. */
export function hasErrorKind(error: unknown): error is KindedError {
  return (
    error instanceof Error &&
    'kind' in error &&
    typeof error.kind === 'string' &&
    (ERROR_KINDS as readonly string[]).includes(error.kind) &&
    'code' in error &&
    typeof error.code === 'string'
  );
}
