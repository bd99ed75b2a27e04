/** SQLSTATE codes we act on (https://www.postgresql.org/docs/15/errcodes-appendix.html). */
export const PG_ERROR = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  NOT_NULL_VIOLATION: '23502',
  INVALID_TEXT_REPRESENTATION: '22P02',
  NUMERIC_VALUE_OUT_OF_RANGE: '22003',
  CHARACTER_NOT_IN_REPERTOIRE: '22021',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
  QUERY_CANCELED: '57014',
  READ_ONLY_SQL_TRANSACTION: '25006',
} as const;

export type PgErrorCode = (typeof PG_ERROR)[keyof typeof PG_ERROR];

export interface PgError {
  code: string;
  constraint?: string;
  column?: string;
  detail?: string;
  message: string;
}

/** Narrows an unknown thrown value to a PostgreSQL server error. */
export function isPgError(error: unknown): error is PgError {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    /^[0-9A-Z]{5}$/.test(error.code) &&
    'message' in error
  );
}

/** True for a PostgreSQL error with the given SQLSTATE. */
export function hasPgCode(error: unknown, code: PgErrorCode): error is PgError {
  return isPgError(error) && error.code === code;
}
