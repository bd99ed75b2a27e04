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
  INVALID_CATALOG_NAME: '3D000',
  LOCK_NOT_AVAILABLE: '55P03',
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

/** Node socket errors that mean the database server cannot be reached right now. */
const UNREACHABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);
/** node-postgres' own messages for a connection that died or never opened. */
const UNREACHABLE_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly)/;

/**
 * True when an error says the database is down, restarting or out of connections, rather than that
 * the statement was wrong: a refused or dropped socket, SQLSTATE class 08 (connection exception),
 * 57P01–57P03 (shutdown, crash, starting up) or 53300 (too many connections). Callers answer these
 * with "try again shortly" (HTTP 503), never as a fault in the request.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined) {
    if (UNREACHABLE_SOCKET_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  }
  const message = 'message' in error && typeof error.message === 'string' ? error.message : '';
  if (UNREACHABLE_MESSAGES.test(message)) return true;
  // AggregateError from a dual-stack connect: unavailable when every attempt was
  if (error instanceof AggregateError) return error.errors.length > 0 && error.errors.every((inner) => isDatabaseUnavailable(inner));
  return false;
}
