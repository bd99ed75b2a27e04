import { Type, type Static, type TSchema } from '@sinclair/typebox';

import { AppError } from '../errors.js';

/** `{ error: { code, message, field? } }`: the body of every 4xx/5xx. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorResponse' },
);

/** Error responses a route may give, for its response schema. */
export function errors(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorResponse]));
}

/** Database ids: positive integers that fit a JS number; anything else is a 400 naming the field. */
export const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
export const IdParams = Type.Object({ id: Id });
export type IdParamsType = Static<typeof IdParams>;

/** Money in minor units (cents). */
export const Cents = Type.Integer({ minimum: 0, maximum: 100_000_000 });

/** Opaque keyset cursor from a previous page's `nextCursor`. */
export const Cursor = Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' });
export const Limit = (fallback: number, max: number): TSchema => Type.Integer({ minimum: 1, maximum: max, default: fallback });

/** Text fields: trimmed length limits are enforced by the schema; content is stored verbatim. */
export const Text = (minLength: number, maxLength: number): ReturnType<typeof Type.String> => Type.String({ minLength, maxLength });

/** Encodes a keyset position ([sort key, id]) as an opaque URL-safe cursor. */
export function encodeCursor(key: string, id: number): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

/** Decodes a cursor made by encodeCursor; anything else is a 400 on `cursor`. */
export function decodeCursor(cursor: string | undefined): [string, number] | undefined {
  if (cursor === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new AppError('VALIDATION_FAILED', 'cursor is not one this API produced', 'cursor');
  }
  if (
    Array.isArray(parsed) &&
    parsed.length === 2 &&
    typeof parsed[0] === 'string' &&
    parsed[0].length <= 64 &&
    typeof parsed[1] === 'number' &&
    Number.isSafeInteger(parsed[1])
  ) {
    return [parsed[0], parsed[1]];
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not one this API produced', 'cursor');
}

/** The `{ ok: true }` body of actions that return nothing else. */
export const OkResponse = Type.Object({ ok: Type.Boolean() });

const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

/** A cursor whose sort key is a PostgreSQL timestamptz text (as produced by `created_at::text`). */
export function decodeTimeCursor(cursor: string | undefined): [string, number] | undefined {
  const decoded = decodeCursor(cursor);
  if (decoded && !TIMESTAMP_TEXT.test(decoded[0])) throw new AppError('VALIDATION_FAILED', 'cursor is not one this API produced', 'cursor');
  return decoded;
}

/** A cursor whose sort key is an integer (price, units sold). */
export function decodeIntegerCursor(cursor: string | undefined): [string, number] | undefined {
  const decoded = decodeCursor(cursor);
  if (decoded && !/^-?\d{1,10}$/.test(decoded[0])) throw new AppError('VALIDATION_FAILED', 'cursor is not one this API produced', 'cursor');
  return decoded;
}
