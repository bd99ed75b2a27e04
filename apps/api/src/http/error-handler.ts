import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { PG_ERROR, isDatabaseUnavailable, isPgError } from '@threadline/db';
import { hasErrorKind, type ErrorKind } from '@threadline/domain';

import { AppError, type ErrorCode } from '../errors.js';

interface ErrorBody {
  error: { code: ErrorCode | string; message: string; field?: string };
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && 'code' in error && typeof (error as { code?: unknown }).code === 'string';
}

/** Turns an AJV path like `/variants/0/price` or `body/email` into `variants[0].price` / `email`. */
function fieldFromValidation(error: FastifyError): string | undefined {
  const first = error.validation?.[0];
  if (!first) return undefined;
  const missing =
    first.params && 'missingProperty' in first.params
      ? String(first.params.missingProperty)
      : first.params && 'additionalProperty' in first.params
        ? String(first.params.additionalProperty)
        : undefined;
  const base = first.instancePath
    .split('/')
    .filter(Boolean)
    .map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
  if (missing) return base ? `${base}.${missing}` : missing;
  return base || undefined;
}

/**
 * The HTTP status of each transport-neutral error kind — the one place packages' errors become
 * HTTP. A package never knows a status code; it says what went wrong.
 */
export const KIND_STATUS = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  unprocessable: 422,
  payment_failed: 402,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<ErrorKind, number>;

/** Maps any thrown value to a status and a stable body. Everything unexpected is a logged 500. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (error instanceof AppError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.field) body.error.field = error.field;
    return { status: error.statusCode, body, ...(error.headers ? { headers: error.headers } : {}) };
  }
  if (hasErrorKind(error)) {
    const status = KIND_STATUS[error.kind];
    // a 5xx never shows its message: it may name files, buckets or SQL
    if (status >= 500) {
      const message = error.kind === 'unavailable' ? 'a storage or stream service is unavailable; try again shortly' : 'internal error';
      return { status, body: { error: { code: error.kind === 'unavailable' ? 'SERVICE_UNAVAILABLE' : 'INTERNAL', message } } };
    }
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.field) body.error.field = error.field;
    return { status, body };
  }
  if (isDatabaseUnavailable(error)) {
    // the database is down or restarting (a failover, a crash): the request may be retried as is
    return {
      status: 503,
      body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'the shop database is unavailable; try again shortly' } },
      headers: { 'retry-after': '2' },
    };
  }
  if (isPgError(error)) {
    if (error.code === PG_ERROR.UNIQUE_VIOLATION) {
      return { status: 409, body: { error: { code: 'CONFLICT', message: 'a record with these values already exists' } } };
    }
    if (error.code === PG_ERROR.FOREIGN_KEY_VIOLATION) {
      return { status: 409, body: { error: { code: 'CONFLICT', message: 'a referenced record does not exist or is still in use' } } };
    }
    if (error.code === PG_ERROR.CHECK_VIOLATION || error.code === PG_ERROR.NUMERIC_VALUE_OUT_OF_RANGE) {
      return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'a value is out of range' } } };
    }
    if (error.code === PG_ERROR.CHARACTER_NOT_IN_REPERTOIRE || error.code === PG_ERROR.INVALID_TEXT_REPRESENTATION) {
      return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'a value is not valid text' } } };
    }
  }
  if (isFastifyError(error)) {
    if (error.validation) {
      const field = fieldFromValidation(error);
      const message = `${field ?? 'request'} ${error.validation[0]?.message ?? 'is invalid'}`;
      return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message, ...(field ? { field } : {}) } } };
    }
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return { status: 400, body: { error: { code: 'INVALID_JSON', message: 'request body is not valid JSON' } } };
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
      case 'FST_REQ_FILE_TOO_LARGE':
        return { status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' } } };
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return { status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content type' } } };
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: 'invalid content length' } } };
      default:
        break;
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return { status: error.statusCode, body: { error: { code: 'VALIDATION_FAILED', message: error.message } } };
    }
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } };
}

/** Reads and discards what is left of a request body, for at most a few seconds. */
function drainBody(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.complete || raw.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(finish, 10_000);
    function finish(): void {
      clearTimeout(timer);
      raw.off('end', finish);
      raw.off('error', finish);
      resolve();
    }
    raw.on('end', finish);
    raw.on('error', finish);
    raw.on('data', () => undefined);
    raw.resume();
  });
}

/** The one error handler: 4xx logged at info, 5xx at error with the request attached. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, headers } = toErrorResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.error.code, field: body.error.field }, 'request rejected');
    if (headers) void reply.headers(headers);
    // an oversize body is refused by its Content-Length before it is read; answering while the
    // sender is still writing resets the connection, and a proxy in front (the web tier, nginx)
    // then reports 502 instead of this 413. Read the rest (the edge caps bodies at 25 MiB) first.
    if (status === 413) await drainBody(request);
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route for ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
