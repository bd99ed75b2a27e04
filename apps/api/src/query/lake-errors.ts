import { isLakeInputError } from '@threadline/lake';

import { AppError, ERROR_CODES, type ErrorCode } from '../errors.js';

function isErrorCode(code: string): code is ErrorCode {
  return code in ERROR_CODES;
}

/** Turns the lake's input errors (bad SQL, bad survey file) into the API's 4xx; anything else passes through. */
export function toAppError(error: unknown): unknown {
  if (isLakeInputError(error) && isErrorCode(error.code)) return new AppError(error.code, error.message, error.field, { cause: error });
  return error;
}
